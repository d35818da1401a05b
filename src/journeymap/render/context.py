"""What the report says was measured, and its phase funnel per breakdown value.

The report's "What was measured" table (:func:`measurement_scope`: the unit of a journey,
the counts, the period, the funnel settings, the breakdown and the attribution model) and its
breakdown section (:func:`breakdown_funnels`), from an analysis' summary and tables.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from babel.dates import format_interval, get_day_names, get_month_names

from journeymap.i18n import (
    N_,
    format_decimal,
    format_fixed,
    format_integer,
    format_percent,
    format_share,
    gettext,
    ngettext,
)
from journeymap.model import JourneyMap
from journeymap.render.charts import model_name
from journeymap.render.measured import Measured

__all__ = [
    "breakdown_funnels",
    "element_names",
    "figure_tables",
    "format_rate",
    "measurement_scope",
]

# Breakdown values shown per funnel table, most journeys first; the rest are counted in a note
# (a breakdown by a raw column can have hundreds of values).
BREAKDOWN_TOP = 10
ORDERINGS = {
    "ordered": N_("ordered funnel (phases count in the map's order)"),
    "strict": N_("strict funnel (phases count back to back, in the map's order)"),
    "any": N_("funnel in any order"),
}
AFTER_CONVERSION = {
    "continue": N_("journeys continue after a conversion"),
    "end": N_("a conversion ends the journey"),
}
# A duration in the largest unit that writes it as a whole number.
DURATION_UNITS = (
    (86400, "{count} day", "{count} days"),
    (3600, "{count} hour", "{count} hours"),
    (60, "{count} minute", "{count} minutes"),
    (1, "{count} second", "{count} seconds"),
)


def element_names(journey_map: JourneyMap) -> dict[str, str]:
    """The display name of every touchpoint and phase id."""
    names = {tp.id: tp.name for tp in journey_map.touchpoints}
    names.update({phase.id: phase.name for phase in journey_map.phases})
    return names


def _counted(count: int, singular: str, plural: str, language: str) -> str:
    """``count`` with its noun in the language's singular or plural: ``3.000 konti``."""
    return ngettext(singular, plural, count, language).format(count=format_integer(count, language))


def _whole(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _duration(seconds: float, language: str) -> str:
    """``183 days``, ``36 hours``: the largest unit that divides the duration evenly."""
    for unit, singular, plural in DURATION_UNITS:
        if seconds >= unit and float(seconds) % unit == 0:
            return _counted(int(seconds // unit), singular, plural, language)
    return _counted(max(round(seconds), 1), "{count} second", "{count} seconds", language)


def _date(text: Any) -> dt.date | None:
    """The UTC date of an ISO 8601 time from the summary (``None`` when there is none)."""
    if not isinstance(text, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment.astimezone(dt.UTC) if moment.tzinfo else moment).date()


def _period(summary: dict[str, Any], language: str) -> str | None:
    """First to last event as the language writes a date range: ``5. jan.–3. jul. 2026``."""
    first, last = _date(summary.get("first_ts")), _date(summary.get("last_ts"))
    if first is None or last is None:
        return None
    locale = language if language in ("da", "de") else "en"
    return str(format_interval(first, last, "yMMMd", locale=locale))


def _counts(summary: dict[str, Any], by: str, language: str) -> str | None:
    """``3,000 accounts (9,051 persons, 35,761 events)``; journeys first when they differ."""
    journeys = _whole(summary.get("journeys"))
    persons, accounts = _whole(summary.get("persons")), _whole(summary.get("accounts"))
    events = _whole(summary.get("events"))
    actors = accounts if by == "account" else persons
    if journeys is None or actors is None:
        return None
    if by == "account":
        text = _counted(actors, "{count} account", "{count} accounts", language)
        details = (
            []
            if persons is None
            else [_counted(persons, "{count} person", "{count} persons", language)]
        )
    else:
        text = _counted(actors, "{count} person", "{count} persons", language)
        details = []
    if events is not None:
        details.append(_counted(events, "{count} event", "{count} events", language))
    if journeys != actors:  # a session gap or a conversion cut an actor's events apart
        counted = _counted(journeys, "{count} journey", "{count} journeys", language)
        text = gettext(N_("{journeys} of {units}"), language).format(journeys=counted, units=text)
    return f"{text} ({', '.join(details)})" if details else text


def _settings(options: dict[str, Any], language: str) -> str | None:
    """Conversion window, funnel ordering, what a conversion does, the session gap."""
    parts = []
    if "conversion_window" in options:
        window = options["conversion_window"]
        parts.append(
            gettext(N_("conversion window {duration}"), language).format(
                duration=_duration(float(window), language)
            )
            if window
            else gettext(N_("no conversion window"), language)
        )
    if options.get("ordering") in ORDERINGS:
        parts.append(gettext(ORDERINGS[options["ordering"]], language))
    if options.get("after_conversion") in AFTER_CONVERSION:
        parts.append(gettext(AFTER_CONVERSION[options["after_conversion"]], language))
    if options.get("session_gap"):
        parts.append(
            gettext(N_("a new journey after {duration} without events"), language).format(
                duration=_duration(float(options["session_gap"]), language)
            )
        )
    return "; ".join(parts) or None


def _column_label(column: str, language: str) -> str:
    """A breakdown column as a reader names it: the persona in the language, else the column."""
    return gettext(N_("persona"), language) if column == "persona" else column


def measurement_scope(journey_map: JourneyMap, measured: Measured) -> list[tuple[str, str]]:
    """What was measured, as (label, text) rows: unit and counts, period, settings, model.

    Rows whose figures the analysis lacks (an older summary, a hand-made pair) are left out.
    """
    language = journey_map.language
    summary = measured.summary
    found = summary.get("options")
    options: dict[str, Any] = found if isinstance(found, dict) else {}
    rows: list[tuple[str, str | None]] = []
    by = options.get("by")
    if by in ("person", "account"):
        label = N_("Journeys per account") if by == "account" else N_("Journeys per person")
        rows.append((gettext(label, language), _counts(summary, by, language)))
    rows.append((gettext(N_("Period"), language), _period(summary, language)))
    rows.append((gettext(N_("Settings"), language), _settings(options, language)))
    breakdown = [str(column) for column in options.get("breakdown") or []]
    if breakdown:
        columns = ", ".join(_column_label(column, language) for column in breakdown)
        rows.append((gettext(N_("Broken down by"), language), columns))
    if measured.attribution_model:
        model = model_name(measured.attribution_model, language)
        text = gettext(N_("{model}: the shares on the map and in the summary"), language).format(
            model=model
        )
        conversion_touch = _conversion_touch(journey_map, summary, language)
        rows.append(
            (
                gettext(N_("Attribution"), language),
                f"{text}; {conversion_touch}" if conversion_touch else text,
            )
        )
        used = summary.get("attribution_used")
        if isinstance(used, dict):
            rows.append(
                (
                    gettext(N_("Attribution parameters"), language),
                    _attribution_parameters(journey_map, used, language),
                )
            )
    return [(label, text) for label, text in rows if text]


def _attribution_parameters(journey_map: JourneyMap, used: dict[str, Any], language: str) -> str:
    """The models' parameters the analysis ran with (``attribution_used``).

    For a reader who wants to reproduce the credits: settings and defaults filled in, not only
    the parameters given.
    """
    phase_names = {phase.id: phase.name for phase in journey_map.phases}

    def names(ids: Any) -> str:
        return ", ".join(phase_names.get(str(i), str(i)) for i in ids or [])

    def weights(values: Any) -> str:
        return "/".join(format_decimal(round(float(v) * 100, 2), language) for v in values)

    parts = [
        gettext(N_("lookback {lookback}"), language).format(lookback=used["lookback"])
        if used.get("lookback")
        else gettext(N_("no lookback window"), language),
        gettext(
            N_("Markov order {order}, repeats collapsed")
            if used.get("collapse_repeats", True)
            else N_("Markov order {order}, repeats kept"),
            language,
        ).format(order=used.get("order", 1)),
    ]
    if used.get("half_life"):
        parts.append(
            gettext(N_("time-decay half-life {half_life}"), language).format(
                half_life=used["half_life"]
            )
        )
    if used.get("u_weights"):
        parts.append(
            gettext(N_("position-based {weights}"), language).format(
                weights=weights(used["u_weights"])
            )
        )
    if used.get("custom_weights"):
        parts.append(
            gettext(N_("custom weights {weights}"), language).format(
                weights=weights(used["custom_weights"])
            )
        )
    # The models by the names the heatmap gives them ("last non-direct springer over direct"
    # read English in a Danish report), the touchpoints by the map's names.
    if used.get("direct_touchpoints"):
        touchpoint_names = {
            touchpoint.id: touchpoint.name for touchpoint in journey_map.touchpoints
        }
        parts.append(
            gettext(N_("{model} skips {touchpoints}"), language).format(
                model=model_name("last_non_direct", language),
                touchpoints=", ".join(
                    touchpoint_names.get(str(t), str(t)) for t in used["direct_touchpoints"]
                ),
            )
        )
    if used.get("lead_phases") or used.get("decision_phases"):
        parts.append(
            gettext(N_("{model}: lead phases {lead}, decision phases {decision}"), language).format(
                model=model_name("w_shaped", language),
                lead=names(used.get("lead_phases")) or "-",
                decision=names(used.get("decision_phases")) or "-",
            )
        )
    if used.get("shapley_method") == "sampling":
        parts.append(
            gettext(N_("Shapley by sampling, {samples} samples"), language).format(
                samples=used.get("samples")
            )
        )
    return "; ".join(parts)


def _conversion_touch(
    journey_map: JourneyMap, summary: dict[str, Any], language: str
) -> str | None:
    """Whether the conversion events' own touchpoint took credit, when the reader must know.

    Said when it was left out, and when nearly every conversion is an event of one
    touchpoint that kept it (the summary's ``conversion_credits_itself``).
    """
    if summary.get("conversion_touch") is False:
        return gettext(
            N_("the conversion event's own touchpoint takes no credit, the touches before it do"),
            language,
        )
    itself = summary.get("conversion_credits_itself")
    if not isinstance(itself, dict):
        return None
    names = {touchpoint.id: touchpoint.name for touchpoint in journey_map.touchpoints}
    touchpoint = str(itself["touchpoint"])
    return gettext(
        N_(
            "{count} of {events} conversions are {touchpoint} events, credited for the "
            "conversion itself (attribution.conversion_touch: no leaves them out)"
        ),
        language,
    ).format(
        count=format_integer(int(itself["conversions"]), language),
        events=format_integer(int(itself["events"]), language),
        touchpoint=names.get(touchpoint, touchpoint),
    )


def _breakdown_value(column: str, value: Any, journey_map: JourneyMap, language: str) -> str:
    if value is None or value == "":
        return gettext(N_("(none)"), language)
    if column == "persona":
        personas = {persona.id: persona.display_name for persona in journey_map.personas}
        return personas.get(str(value), str(value))
    return str(value)


def _funnel_line(
    label: str, by_step: dict[int, dict[str, Any]], steps: list[int], language: str
) -> dict[str, Any]:
    """One row of a breakdown table: reached per phase (share of the first), converted, rate."""
    first = by_step.get(steps[0], {}) if steps else {}
    entered = int(first.get("reached") or 0)
    converted = int(first.get("converted") or 0)
    cells = []
    for step in steps:
        reached = int(by_step.get(step, {}).get("reached") or 0)
        # 12,292 of 12,330 is no "100 %": 38 journeys never got there.
        share = format_share(reached / entered, language) if step != steps[0] and entered else None
        cells.append(
            {"reached": reached, "text": format_integer(reached, language), "share": share}
        )
    return {
        "label": label,
        "entered": entered,
        "cells": cells,
        "converted": format_integer(converted, language),
        "rate": format_rate(converted / entered if entered else 0.0, language),
    }


def _breakdown_notes(
    hidden: list[dict[str, Any]],
    total: dict[str, Any] | None,
    summary: dict[str, Any],
    first: str,
    language: str,
) -> list[str]:
    """What the table's figures are, the values left out, the journeys no phase counts."""
    notes = [
        gettext(
            N_(
                "Reached: journeys that reached the phase (share of those that reached "
                "{phase}). Conversion rate: converted journeys of those that reached {phase}."
            ),
            language,
        ).format(phase=first)
    ]
    if hidden:
        journeys = sum(line["entered"] for line in hidden)
        notes.append(
            ngettext(
                "{count} other value is not shown ({journeys} in {phase}).",
                "{count} other values are not shown ({journeys} in {phase}).",
                len(hidden),
                language,
            ).format(
                count=format_integer(len(hidden), language),
                journeys=_counted(journeys, "{count} journey", "{count} journeys", language),
                phase=first,
            )
        )
    outside = (_whole(summary.get("journeys")) or 0) - (total["entered"] if total else 0)
    if total and outside > 0:
        notes.append(
            ngettext(
                "{count} journey never reached {phase} and counts in no row.",
                "{count} journeys never reached {phase} and count in no row.",
                outside,
                language,
            ).format(count=format_integer(outside, language), phase=first)
        )
    return notes


def _varying_notes(columns: list[str], summary: dict[str, Any], language: str) -> list[str]:
    """A column that changes along journeys: they count under their first value."""
    varies = summary.get("breakdown_varies")
    if not isinstance(varies, dict):
        return []
    notes = []
    for column in columns:
        count = _whole(varies.get(column)) or 0
        if count:
            notes.append(
                ngettext(
                    "{column} changes within {count} journey: each journey counts under its "
                    "first value.",
                    "{column} changes within {count} journeys: each journey counts under its "
                    "first value.",
                    count,
                    language,
                ).format(
                    column=_capitalised(_column_label(column, language)),
                    count=format_integer(count, language),
                )
            )
    return notes


def _capitalised(text: str) -> str:
    """``persona`` -> ``Persona`` at the start of a sentence (the rest as it is)."""
    return text[:1].upper() + text[1:]


def format_rate(value: float, language: str) -> str:
    """A rate with one decimal that reads as none or all only when it is: ``< 0.1%``, ``> 99.9%``.

    The rule of :func:`~journeymap.i18n.format_share` at one decimal: 12,292 of 12,330
    read "100 %" and 5 of 10,422 "0,0 %", while the report wrote "< 0,1 %".

    Examples:
        >>> [format_rate(v, "en") for v in (0, 0.0004, 0.1553, 0.9969, 0.9996, 1)]
        ['0.0%', '< 0.1%', '15.5%', '99.7%', '> 99.9%', '100.0%']
    """
    if 0 < value < 0.0005:
        return "< " + format_percent(0.001, language, 1)
    if 0.9995 <= value < 1:
        return "> " + format_percent(0.999, language, 1)
    return format_percent(value, language, 1)


_BAND = re.compile(r"\s*([<>])?\s*(-?\d+(?:[.,]\d+)?)")


def _band_key(value: Any) -> tuple[float, int] | None:
    """Where a number or a band sorts: ``<30`` before ``30-39`` before ``60+``; else None.

    The labels of the mapping rules' bands (``edges``), and numbers, codes and ranges that
    start with one (``18-29``, ``70+``).
    """
    match = _BAND.match(str(value))
    if match is None:
        return None
    sign = {"<": 0, None: 1, ">": 2}[match.group(1)]
    return float(match.group(2).replace(",", ".")), sign


@cache
def _calendar() -> tuple[dict[str, int], dict[str, int]]:
    """Month and weekday names (wide and abbreviated, en/da/de, lower case) -> their number."""
    months: dict[str, int] = {"sept": 9}
    days: dict[str, int] = {}
    for locale in ("en", "da", "de"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                months[str(name).lower().rstrip(".")] = int(number)
            for number, name in get_day_names(width, locale=locale).items():
                days[str(name).lower().rstrip(".")] = int(number)
    return months, days


def _natural_key(values: list[Any]) -> tuple[Callable[[Any], Any], bool] | None:
    """How a breakdown column's values sort by their own order, and whether it is bounded.

    Numbers and bands in their order, month names in calendar order, weekday names in week
    order (bounded: all of them fit a table); None for values of no such kind.
    """
    present = [value for value in values if value is not None and value != ""]
    if not present:
        return None
    months, days = _calendar()
    names = [str(value).strip().lower().rstrip(".") for value in present]
    if all(name in months for name in names):
        return (lambda value: months[str(value).strip().lower().rstrip(".")]), True
    if all(name in days for name in names):
        return (lambda value: days[str(value).strip().lower().rstrip(".")]), True
    if all(_band_key(value) is not None for value in present):
        return _band_key, False
    return None


def _ordered(
    lines: list[dict[str, Any]], columns: list[str], personas: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The lines a breakdown table shows, in their order, and the lines it leaves out.

    The :data:`BREAKDOWN_TOP` values most journeys entered with, and always the map's own
    personas (Emil, a student, the second-best segment, was cut for off-map job codes). In
    the values' own order when every column has one (bands, numbers, months, weekdays; all
    months and weekdays are shown), else the most journeys first.
    """
    lines = sorted(lines, key=lambda line: (-line["entered"], line["label"]))
    found = [_natural_key([line["value"][i] for line in lines]) for i in range(len(columns))]
    keys = [key for key in found if key is not None]
    natural = len(keys) == len(columns)
    if natural and all(bounded for _sort, bounded in keys):
        shown, hidden = lines, []
    else:
        shown, hidden = lines[:BREAKDOWN_TOP], lines[BREAKDOWN_TOP:]
    if columns == ["persona"]:
        shown += [line for line in hidden if line["value"][0] in personas]
        hidden = [line for line in hidden if line["value"][0] not in personas]
    if natural:
        sorters = [sort for sort, _bounded in keys]
        shown.sort(
            key=lambda line: tuple(
                sort(value) for sort, value in zip(sorters, line["value"], strict=True)
            )
        )
    else:
        shown.sort(key=lambda line: (-line["entered"], line["label"]))
    return shown, hidden


def breakdown_funnels(
    journey_map: JourneyMap, measured: Measured, language: str | None = None
) -> list[dict[str, Any]]:
    """The phase funnel per breakdown value (``phase_funnel`` rows with a ``breakdown``).

    One table per breakdown (the engine writes one, over the combination of its columns): the
    overall row, then the :data:`BREAKDOWN_TOP` values that most journeys entered the funnel
    with and the map's own personas (in their own order when they have one: bands, numbers,
    months, weekdays; see :func:`_ordered`), the journeys without a value, and a note
    counting the values left out. Empty without a breakdown.
    ``language`` is the report's, the map's own unless the caller (the command line) has one.
    """
    language = language or journey_map.language
    names = element_names(journey_map)
    personas = {persona.id for persona in journey_map.personas}
    rows = measured.rows("phase_funnel")
    overall = {int(r["step"]): r for r in rows if not r.get("breakdown")}
    groups: dict[str, dict[tuple[Any, ...], dict[int, dict[str, Any]]]] = {}
    for row in (r for r in rows if r.get("breakdown")):
        value = tuple(row.get(column) for column in str(row["breakdown"]).split(","))
        groups.setdefault(str(row["breakdown"]), {}).setdefault(value, {})[int(row["step"])] = row
    tables = []
    for breakdown, values in groups.items():
        columns = breakdown.split(",")
        phases = {int(r["step"]): r for by_step in values.values() for r in by_step.values()}
        steps = sorted(phases)
        phase_names = [
            names.get(str(phases[s]["phase"]), str(phases[s]["phase_name"])) for s in steps
        ]
        lines: list[dict[str, Any]] = []
        missing: list[dict[str, Any]] = []
        for value, by_step in values.items():
            parts = zip(columns, value, strict=True)
            label = " · ".join(_breakdown_value(c, v, journey_map, language) for c, v in parts)
            line = _funnel_line(label, by_step, steps, language)
            line["value"] = value
            (missing if all(v is None for v in value) else lines).append(line)
        shown, hidden = _ordered(lines, columns, personas)
        # The journeys without a value are shown whatever their number: they are no "other
        # value", and often the group that converts best or worst.
        lines = shown + missing
        total = None
        if overall:
            total = _funnel_line(gettext(N_("All journeys"), language), overall, steps, language)
        label = " × ".join(_column_label(column, language) for column in columns)
        tables.append(
            {
                "breakdown": breakdown,
                "title": gettext(N_("Phase funnel by {breakdown}"), language).format(
                    breakdown=label
                ),
                "column": gettext(N_("Persona"), language) if columns == ["persona"] else label,
                "phases": phase_names,
                "total": total,
                "lines": lines,
                "notes": _breakdown_notes(hidden, total, measured.summary, phase_names[0], language)
                + _varying_notes(columns, measured.summary, language),
            }
        )
    return tables


# Rows of the report's tables of slowest steps, repeated touchpoints and variants (the
# terminal's summary shows fewer).
FIGURES_TOP = 10


def _span(seconds: float, language: str) -> str:
    """A measured duration in the unit that reads best: ``8.5 days``, ``1.0 hour``, ``0 seconds``.

    The largest unit the duration reaches; one decimal below 100 of it (none in seconds).
    """
    unit, singular, plural = next(
        (u, one, many) for u, one, many in DURATION_UNITS if seconds >= u or u == 1
    )
    value = seconds / unit
    places = 0 if value >= 100 or unit == 1 else 1
    text = format_fixed(value, places, language)
    count = 1 if text == format_fixed(1, places, language) else 2
    return ngettext(singular, plural, count, language).format(count=text)


def _table(
    table_id: str,
    title: str,
    columns: list[tuple[str, bool]],
    rows: list[list[str]],
    notes: list[str],
    intro: str | None = None,
    groups: Sequence[str | None] | None = None,
) -> dict[str, Any]:
    """A table of figures as the report and the terminal show it.

    ``columns`` are (label, numeric); each row's first cell names the row (its header).
    ``groups`` names each row's group (a phase), shown once above its rows: a column that
    repeats it took a phone's width from the figures.
    """
    grouped: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        group = groups[index] if groups else None
        if not grouped or grouped[-1]["name"] != group:
            grouped.append({"name": group, "rows": []})
        grouped[-1]["rows"].append({"header": row[0], "cells": row[1:]})
    return {
        "id": table_id,
        "title": title,
        "intro": intro,
        "columns": [{"label": label, "numeric": numeric} for label, numeric in columns],
        "groups": grouped,
        "rows": [row for group in grouped for row in group["rows"]],
        "notes": notes,
    }


def _map_order(journey_map: JourneyMap) -> list[tuple[str, str]]:
    """(touchpoint id, phase id): every touchpoint once, at its first phase, in map order."""
    order: dict[str, str] = {}
    for phase in journey_map.ordered_phases():
        for touchpoint in journey_map.touchpoints_in(phase.id):
            order.setdefault(touchpoint.id, phase.id)
    return list(order.items())


def _touchpoint_table(
    journey_map: JourneyMap, names: dict[str, str], measured: Measured, language: str
) -> dict[str, Any] | None:
    """Journeys, conversions, conversion rate and exits per touchpoint, in phase order.

    GA4's channel report and PostHog's breakdown lead with it; the report had only the
    events and attribution shares on the map's cards.
    """
    figures = measured.touchpoint_figures(_map_order(journey_map))
    if not any(figure.journeys for figure in figures):
        return None
    exits = any(figure.ended is not None for figure in figures)
    rows, groups = [], []
    for figure in figures:
        rate = figure.conversion_rate
        groups.append(
            names.get(figure.phase, figure.phase)
            if figure.phase
            else gettext(N_("Not on the map"), language)
        )
        # The rate first: on a phone the columns after it may need a swipe.
        row = [
            names.get(figure.touchpoint, figure.touchpoint),
            "–" if rate is None else format_rate(rate, language),
            format_integer(figure.journeys, language),
            format_integer(figure.conversions, language),
        ]
        if exits:
            ended = figure.ended or 0
            row.append(format_share(ended / figure.journeys, language) if figure.journeys else "–")
        rows.append(row)
    columns = [
        (gettext(N_("Touchpoint"), language), False),
        (gettext(N_("Conversion rate"), language), True),
        (gettext(N_("Journeys"), language), True),
        (gettext(N_("Converted"), language), True),
    ]
    notes = [
        gettext(
            N_(
                "Conversion rate: of the journeys that met the touchpoint, the share that "
                "converted (before or after meeting it)."
            ),
            language,
        )
    ]
    if exits:
        columns.append((gettext(N_("Ended here without converting"), language), True))
        notes.append(
            gettext(
                N_(
                    "Ended here without converting: of the journeys that met it, the share "
                    "that did not convert and met it last (exit touchpoint), as the bar at the "
                    "foot of its card on the map shows."
                ),
                language,
            )
        )
    title = gettext(N_("Conversion rate per touchpoint"), language)
    return _table("touchpoints", title, columns, rows, notes, groups=groups)


def _checkout_table(
    names: dict[str, str], measured: Measured, language: str
) -> dict[str, Any] | None:
    """Checkout abandonment: reached, converted, abandoned and its rate per checkout touchpoint."""
    found = measured.rows("checkout_abandonment")
    if not any(int(row["reached"] or 0) for row in found):
        return None  # no checkout touchpoint, or none with events
    rows = [
        [
            names.get(str(row["touchpoint"]), str(row["touchpoint"])),
            format_integer(row["reached"] or 0, language),
            format_integer(row["converted"] or 0, language),
            format_integer(row["abandoned"] or 0, language),
            format_rate(float(row["abandonment_rate"] or 0.0), language) if row["reached"] else "–",
        ]
        for row in found
    ]
    columns = [
        (gettext(N_("Touchpoint"), language), False),
        (gettext(N_("Reached"), language), True),
        (gettext(N_("Converted"), language), True),
        (gettext(N_("Abandoned"), language), True),
        (gettext(N_("Abandonment rate"), language), True),
    ]
    note = gettext(
        N_(
            "Abandoned: journeys that reached the checkout touchpoint and did not convert; "
            "abandonment rate: abandoned of reached."
        ),
        language,
    )
    return _table("checkout", gettext(N_("Checkout abandonment"), language), columns, rows, [note])


def _time_in_phase_table(
    names: dict[str, str], measured: Measured, language: str
) -> dict[str, Any] | None:
    """Median, middle half and mean time in each phase (none when every time is 0)."""
    found = measured.rows("time_in_phase")
    if not any(float(row["mean_seconds"] or 0) > 0 for row in found):
        return None  # events without times (one row per session): nothing to read
    rows = [
        [
            names.get(str(row["phase"]), str(row["phase"])),
            format_integer(row["journeys"] or 0, language),
            _span(float(row["median_seconds"] or 0), language),
            gettext(N_("{low} to {high}"), language).format(
                low=_span(float(row["p25_seconds"] or 0), language),
                high=_span(float(row["p75_seconds"] or 0), language),
            ),
            _span(float(row["mean_seconds"] or 0), language),
        ]
        for row in found
    ]
    columns = [
        (gettext(N_("Phase"), language), False),
        (gettext(N_("Journeys"), language), True),
        (gettext(N_("Median"), language), True),
        (gettext(N_("Middle half"), language), True),
        (gettext(N_("Mean"), language), True),
    ]
    note = gettext(
        N_(
            "A journey's time in a phase: from each of its events there to its next event, "
            "added up. Middle half: from the 25th to the 75th percentile of the journeys."
        ),
        language,
    )
    return _table("time_in_phase", gettext(N_("Time in phase"), language), columns, rows, [note])


def _slowest_steps_table(
    names: dict[str, str], measured: Measured, language: str, top: int
) -> dict[str, Any] | None:
    """The steps between touchpoints that cost the journeys the most time, most first."""
    steps = [step for step in measured.slowest_steps() if step.time_lost_seconds > 0]
    if not steps:
        return None
    rows = [
        [
            f"{names.get(step.source, step.source)} → {names.get(step.target, step.target)}",
            format_integer(step.transitions, language),
            _span(step.median_seconds, language),
            _span(step.time_lost_seconds, language),
        ]
        for step in steps[:top]
    ]
    columns = [
        (gettext(N_("Step"), language), False),
        (gettext(N_("Transitions"), language), True),
        (gettext(N_("Median time"), language), True),
        (gettext(N_("Time lost"), language), True),
    ]
    note = gettext(
        N_(
            "Ranked by time lost: the step's transitions × its median time ({shown} of {total} "
            "steps). A step from a touchpoint to itself is a repeat."
        ),
        language,
    ).format(shown=format_integer(len(rows), language), total=format_integer(len(steps), language))
    return _table("slowest_steps", gettext(N_("Slowest steps"), language), columns, rows, [note])


def _repeats_table(
    journey_map: JourneyMap, names: dict[str, str], measured: Measured, language: str, top: int
) -> dict[str, Any] | None:
    """The touchpoints most journeys met more than once (rework), most first."""
    figures = [f for f in measured.touchpoint_figures(_map_order(journey_map)) if f.journeys]
    per_journey = N_("Events per journey")
    if figures and figures[0].repeated is None:
        # An analysis saved before the summary counted them: events per journey only.
        ranked = sorted(
            (f for f in figures if f.events > f.journeys),
            key=lambda f: (-f.events / f.journeys, f.touchpoint),
        )
        rows = [
            [
                names.get(f.touchpoint, f.touchpoint),
                format_integer(f.journeys, language),
                format_fixed(f.events / f.journeys, 1, language),
            ]
            for f in ranked[:top]
        ]
        columns = [
            (gettext(N_("Touchpoint"), language), False),
            (gettext(N_("Journeys"), language), True),
            (gettext(per_journey, language), True),
        ]
        note = gettext(
            N_(
                "Run journeymap analyze again to count the journeys that met each touchpoint "
                "more than once."
            ),
            language,
        )
    else:
        ranked = sorted(
            (f for f in figures if f.repeated),
            key=lambda f: (-(f.repeated or 0), f.touchpoint),
        )
        rows = [
            [
                names.get(f.touchpoint, f.touchpoint),
                format_integer(f.journeys, language),
                format_integer(f.repeated or 0, language),
                format_share((f.repeated or 0) / f.journeys, language),
                format_fixed(f.events / f.journeys, 1, language),
            ]
            for f in ranked[:top]
        ]
        columns = [
            (gettext(N_("Touchpoint"), language), False),
            (gettext(N_("Journeys"), language), True),
            (gettext(N_("Met more than once"), language), True),
            (gettext(N_("Share of journeys"), language), True),
            (gettext(per_journey, language), True),
        ]
        note = ngettext(
            "Met more than once: the journeys that met the touchpoint two or more times "
            "(rework, loops); share of journeys: of those that met it ({shown} of {total} "
            "touchpoint that some journey met more than once).",
            "Met more than once: the journeys that met the touchpoint two or more times "
            "(rework, loops); share of journeys: of those that met it ({shown} of the "
            "{total} touchpoints that some journey met more than once).",
            len(ranked),
            language,
        ).format(
            shown=format_integer(len(rows), language),
            total=format_integer(len(ranked), language),
        )
    if not rows:
        return None
    title = gettext(N_("Touchpoints met more than once"), language)
    return _table("repeats", title, columns, rows, [note])


def _variants_table(
    names: dict[str, str], measured: Measured, language: str, top: int
) -> dict[str, Any] | None:
    """How far the most frequent variants reach, and the first of them."""
    coverage = measured.variant_coverage()
    if coverage is None:
        return None
    covered = {
        "shown": format_integer(coverage.shown, language),
        "covered": format_integer(coverage.covered, language),
        "journeys": format_integer(coverage.journeys, language),
        "share": format_share(
            coverage.covered / coverage.journeys if coverage.journeys else 0.0, language
        ),
    }
    if coverage.total is None:
        intro = ngettext(
            "The {shown} most frequent variant (touchpoint sequence) covers {covered} of "
            "{journeys} journeys ({share}).",
            "The {shown} most frequent variants (touchpoint sequences) cover {covered} of "
            "{journeys} journeys ({share}).",
            coverage.shown,
            language,
        ).format(**covered)
    else:
        intro = ngettext(
            "The {shown} most frequent variant (touchpoint sequence) covers {covered} of "
            "{journeys} journeys ({share}); the journeys follow {total} variants in all.",
            "The {shown} most frequent variants (touchpoint sequences) cover {covered} of "
            "{journeys} journeys ({share}); the journeys follow {total} variants in all.",
            coverage.shown,
            language,
        ).format(**covered, total=format_integer(coverage.total, language))
    rows = [
        [
            " > ".join(names.get(step, step) for step in str(row["variant"]).split(" > ")),
            format_integer(row["journeys"] or 0, language),
            format_share(
                int(row["journeys"] or 0) / coverage.journeys if coverage.journeys else 0.0,
                language,
            ),
            format_rate(float(row["conversion_rate"] or 0.0), language),
        ]
        for row in measured.rows("variants")[:top]
    ]
    columns = [
        (gettext(N_("Variant"), language), False),
        (gettext(N_("Journeys"), language), True),
        (gettext(N_("Share of journeys"), language), True),
        (gettext(N_("Conversion rate"), language), True),
    ]
    return _table("variants", gettext(N_("Variants"), language), columns, rows, [], intro)


def figure_tables(
    journey_map: JourneyMap,
    measured: Measured,
    language: str | None = None,
    top: int = FIGURES_TOP,
    *,
    touchpoint_ids: bool = False,
) -> list[dict[str, Any]]:
    """The analysis' tables the report and ``analyze``'s summary show, as formatted rows.

    Conversion rate per touchpoint, checkout abandonment, time in phase, the slowest steps,
    the touchpoints met more than once and the variants' reach; a table whose figures the
    analysis lacks is left out. Each is a dict: ``id``, ``title``, ``intro`` (a sentence or
    None), ``columns`` (``label``, ``numeric``), ``rows`` (``header``, ``cells``: text) and
    ``notes``. ``top`` rows at most of the ranked ones (steps, repeats, variants).
    ``touchpoint_ids`` names touchpoints by id, as the command line's other tables do (the
    ids its options take); phases keep their names.
    """
    language = language or journey_map.language
    names = element_names(journey_map)
    if touchpoint_ids:
        names.update({touchpoint.id: touchpoint.id for touchpoint in journey_map.touchpoints})
    found = (
        _touchpoint_table(journey_map, names, measured, language),
        _checkout_table(names, measured, language),
        _time_in_phase_table(names, measured, language),
        _slowest_steps_table(names, measured, language, top),
        _repeats_table(journey_map, names, measured, language, top),
        _variants_table(names, measured, language, top),
    )
    return [table for table in found if table is not None]
