"""What the report says was measured, and its phase funnel per breakdown value.

The report's "What was measured" table (:func:`measurement_scope`: the unit of a journey,
the counts, the period, the funnel settings, the breakdown and the attribution model) and its
breakdown section (:func:`breakdown_funnels`), from an analysis' summary and tables.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from babel.dates import format_interval

from journeymap.i18n import N_, format_decimal, format_integer, format_percent, gettext, ngettext
from journeymap.model import JourneyMap
from journeymap.render.charts import model_name
from journeymap.render.measured import Measured

__all__ = ["breakdown_funnels", "element_names", "measurement_scope"]

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
    if used.get("direct_touchpoints"):
        parts.append(
            gettext(N_("last non-direct skips {touchpoints}"), language).format(
                touchpoints=", ".join(str(t) for t in used["direct_touchpoints"])
            )
        )
    if used.get("lead_phases") or used.get("decision_phases"):
        parts.append(
            gettext(N_("W-shaped lead phases {lead}, decision phases {decision}"), language).format(
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
        share = (
            format_percent(reached / entered, language) if step != steps[0] and entered else None
        )
        cells.append(
            {"reached": reached, "text": format_integer(reached, language), "share": share}
        )
    return {
        "label": label,
        "entered": entered,
        "cells": cells,
        "converted": format_integer(converted, language),
        "rate": format_percent(converted / entered if entered else 0.0, language, 1),
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


def _leading_number(value: Any) -> float | None:
    """The number a breakdown value starts with (``18-29`` -> 18, ``70+`` -> 70), else None."""
    match = re.match(r"\s*(\d+(?:\.\d+)?)", str(value)) if value is not None else None
    return float(match.group(1)) if match else None


def breakdown_funnels(
    journey_map: JourneyMap, measured: Measured, language: str | None = None
) -> list[dict[str, Any]]:
    """The phase funnel per breakdown value (``phase_funnel`` rows with a ``breakdown``).

    One table per breakdown (the engine writes one, over the combination of its columns): the
    overall row, then the :data:`BREAKDOWN_TOP` values that most journeys entered the funnel
    with (in their own order when all start with a number: age bands, codes), the journeys
    without a value, and a note counting the values left out. Empty without a breakdown.
    ``language`` is the report's, the map's own unless the caller (the command line) has one.
    """
    language = language or journey_map.language
    names = element_names(journey_map)
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
            line["order"] = _leading_number(value[0])
            (missing if all(v is None for v in value) else lines).append(line)
        lines.sort(key=lambda line: (-line["entered"], line["label"]))
        shown = lines[:BREAKDOWN_TOP]
        if all(line["order"] is not None for line in shown):  # age bands, numeric codes
            shown.sort(key=lambda line: line["order"])
        # The journeys without a value are shown whatever their number: they are no "other
        # value", and often the group that converts best or worst.
        hidden = lines[BREAKDOWN_TOP:]
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
