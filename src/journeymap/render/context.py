"""What the report says was measured; the home of the report's context tables.

The report's "What was measured" table (:func:`measurement_scope`: the unit of a journey,
the counts, the period, the funnel settings, the breakdown and the attribution model), from an
analysis' summary. Its breakdown section (:func:`breakdown_funnels`), its figure tables
(:func:`figure_tables`) and their wording (:func:`format_rate`, :func:`element_names`) live in
private modules and are imported from here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_interval

from journeymap.i18n import N_, format_decimal, format_integer, gettext
from journeymap.i18n.numbers import utc_day
from journeymap.model import JourneyMap
from journeymap.render._breakdown import breakdown_funnels
from journeymap.render._figure_tables import figure_tables
from journeymap.render._wording import (
    DURATION_UNITS,
    _column_label,
    _counted,
    _whole,
    element_names,
    format_rate,
)
from journeymap.render.charts import model_name
from journeymap.render.measured import Measured

__all__ = [
    "breakdown_funnels",
    "element_names",
    "figure_tables",
    "format_rate",
    "measurement_scope",
]

ORDERINGS = {
    "ordered": N_("ordered funnel (phases count in the map's order)"),
    "strict": N_("strict funnel (phases count back to back, in the map's order)"),
    "any": N_("funnel in any order"),
}
AFTER_CONVERSION = {
    "continue": N_("journeys continue after a conversion"),
    "end": N_("a conversion ends the journey"),
}


def _duration(seconds: float, language: str) -> str:
    """``183 days``, ``36 hours``: the largest unit that divides the duration evenly."""
    for unit, singular, plural in DURATION_UNITS:
        if seconds >= unit and float(seconds) % unit == 0:
            return _counted(int(seconds // unit), singular, plural, language)
    return _counted(max(round(seconds), 1), "{count} second", "{count} seconds", language)


def _period(summary: dict[str, Any], language: str) -> str | None:
    """First to last event as the language writes a date range: ``5. jan.–3. jul. 2026``."""
    first, last = utc_day(summary.get("first_ts")), utc_day(summary.get("last_ts"))
    if first is None or last is None:
        return None
    locale = language if language in ("da", "de") else "en"
    text = str(format_interval(first, last, "yMMMd", locale=locale))
    chosen = _chosen_period(summary.get("period"), language)
    return f"{text} ({chosen})" if chosen else text


def _chosen_period(period: Any, language: str) -> str | None:
    """``only events from 2012-01-01 up to 2012-02-01 (not included): 6,402 of 262,200``."""
    from journeymap.engine.period import readable

    if not isinstance(period, dict):
        return None
    since, until = (
        dt.datetime.fromisoformat(period[name]) if isinstance(period.get(name), str) else None
        for name in ("since", "until")
    )
    if since and until:
        text = gettext(N_("only events from {since} up to {until} (not included)"), language)
    elif since:
        text = gettext(N_("only events from {since} on"), language)
    elif until:
        text = gettext(N_("only events before {until}"), language)
    else:
        return None
    counts = gettext(N_("{events} of {total} events"), language).format(
        events=format_integer(int(period.get("events") or 0), language),
        total=format_integer(int(period.get("events_total") or 0), language),
    )
    return f"{text.format(since=readable(since), until=readable(until))}: {counts}"


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
        columns = ", ".join(_column_label(column, language, journey_map) for column in breakdown)
        if options.get("separate_breakdowns") and len(breakdown) > 1:
            columns = gettext(N_("{columns}, each on its own"), language).format(columns=columns)
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
