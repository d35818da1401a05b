"""How far an analysis' measured figures hold, in sentences for the command line and report.

Each function reads a finished analysis (its summary and tables, so a saved one too) and returns
a sentence in ``language``, or None when there is nothing to say: touchpoints that always or
never go with converting, the correlation's count of touches before the conversion only,
journeys that may still be open at the data's end, a breakdown column only converted journeys
carry, and conversions at a journey's first event. :func:`measurement_notes` gives them all in
reading order; :mod:`journeymap.analysis.notes` re-exports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from journeymap.engine._funnel_steps import outcome_steps
from journeymap.i18n import format_duration, format_integer, gettext, ngettext
from journeymap.i18n.numbers import format_day
from journeymap.model import JourneyMap
from journeymap.model.labels import column_label
from journeymap.model.touchpoints import outcome_ids

__all__ = [
    "EXAMPLES",
    "SHOWN",
    "breakdown_converters_only_notes",
    "converted_at_first_event_note",
    "correlation_before_conversion_note",
    "measurement_notes",
    "open_journeys_note",
    "outcome_funnel_steps_note",
    "outcome_touchpoints_notes",
]


# How many names a note lists; the rest are counted.
SHOWN = 10
# How many touchpoints the note on the correlation's counts gives as examples.
EXAMPLES = 3


def measurement_notes(analysis: Any, journey_map: JourneyMap, language: str) -> list[str]:
    """How far the measured figures hold, in the order the figures are read.

    Journeys that may still be open (every figure), conversions at a journey's first event
    (time to convert), a breakdown column only converted journeys carry (the breakdown), then
    the drop-off correlation's touchpoints that always or never go with converting, outcomes
    given as touchpoint funnel steps, and what the correlation's counts leave out.
    ``journey_map`` tells which touchpoints are declared outcomes.
    """
    found = (
        open_journeys_note(analysis.summary, language),
        converted_at_first_event_note(analysis.summary, language),
        *breakdown_converters_only_notes(analysis.summary, language, journey_map),
        *outcome_touchpoints_notes(analysis, language, journey_map),
        outcome_funnel_steps_note(analysis.summary, journey_map, language),
        correlation_before_conversion_note(analysis, language),
    )
    return [note for note in found if note]


def _rows(analysis: Any, name: str) -> list[dict[str, Any]]:
    """The rows of a table, none when the analysis lacks it (a saved one may)."""
    table = analysis.tables.get(name)
    return [] if table is None else list(table.to_pylist())


def _correlation_rows(analysis: Any) -> list[dict[str, Any]]:
    """The correlation's rows over all journeys (not per breakdown value)."""
    return [r for r in _rows(analysis, "correlation") if r.get("breakdown") is None]


def _names(touchpoints: list[str], language: str) -> str:
    shown = ", ".join(touchpoints[:SHOWN])
    if len(touchpoints) > SHOWN:
        shown = gettext("{first} and {more} more", language).format(
            first=shown, more=format_integer(len(touchpoints) - SHOWN, language)
        )
    return shown


def outcome_touchpoints_notes(
    analysis: Any, language: str, journey_map: JourneyMap | None = None
) -> list[str]:
    """Touchpoints of the correlation with a direction whose journeys all, or none, converted.

    Complete separation: BPIC's registered and activated (logged in the same millisecond as
    the approval) read odds ratios in the tens of thousands, its declined and cancelled near 0.
    They are more likely steps or outcomes of (not) converting than causes of it. Touchpoints
    ``journey_map`` declares outcomes (``outcome: true``) are not named (the correlation leaves
    them out; a saved analysis from before may not); for those on the map, the note says how
    to declare them.
    """
    declared = set(outcome_ids(journey_map.touchpoints)) if journey_map is not None else set()
    on_map = {t.id for t in journey_map.touchpoints} if journey_map is not None else set()
    rows = [
        r
        for r in _correlation_rows(analysis)
        if r.get("direction") in ("positive", "negative") and r["touchpoint"] not in declared
    ]
    always = [
        str(r["touchpoint"])
        for r in rows
        if int(r["journeys_with"] or 0) and r["converted_with"] == r["journeys_with"]
    ]
    never = [
        str(r["touchpoint"])
        for r in sorted(rows, key=lambda r: float(r["odds_ratio"]))
        if int(r["journeys_with"] or 0) and not int(r["converted_with"] or 0)
    ]
    notes = []
    if always:
        notes.append(
            ngettext(
                "Note: every journey that met this touchpoint converted: {touchpoints}. It may "
                "be a step of converting (an outcome) rather than a cause; its odds ratio in the "
                "drop-off correlation says little.",
                "Note: every journey that met one of these touchpoints converted: {touchpoints}. "
                "They may be steps of converting (outcomes) rather than causes; their odds "
                "ratios in the drop-off correlation say little.",
                len(always),
                language,
            ).format(touchpoints=_names(always, language))
            + _declare_hint([t for t in always if t in on_map], language)
        )
    if never:
        notes.append(
            ngettext(
                "Note: no journey that met this touchpoint converted: {touchpoints}. It may be "
                "an outcome of not converting (a rejection, a cancellation) rather than a cause; "
                "its odds ratio in the drop-off correlation says little.",
                "Note: no journey that met one of these touchpoints converted: {touchpoints}. "
                "They may be outcomes of not converting (a rejection, a cancellation) rather "
                "than causes; their odds ratios in the drop-off correlation say little.",
                len(never),
                language,
            ).format(touchpoints=_names(never, language))
            + _declare_hint([t for t in never if t in on_map], language)
        )
    return notes


def outcome_funnel_steps_note(
    summary: Mapping[str, Any], journey_map: JourneyMap, language: str
) -> str | None:
    """Outcome touchpoints (``outcome: true``) given as touchpoint funnel steps.

    A legitimate step ("reached approval"), said because it is no contact like the other
    steps: the funnel counts the journeys that reached the outcome, while the drop-off
    correlation and the attribution leave it out. The steps are ``--funnel-step`` (or the
    ``funnel.touchpoints`` setting, the ``funnel_touchpoints`` option); the map declares no
    funnel of its own.
    """
    options = summary.get("options")
    steps = options.get("funnel_touchpoints") if isinstance(options, Mapping) else None
    outcomes = outcome_steps(journey_map, steps or [])
    if not outcomes:
        return None
    return ngettext(
        "Note: the touchpoint funnel step {touchpoints} is an outcome (outcome: true in the "
        "map), an end state rather than a contact: the funnel counts the journeys that reached "
        "it as reaching that outcome, while the drop-off correlation leaves it out of the "
        "drivers and the attribution gives it no credit.",
        "Note: the touchpoint funnel steps {touchpoints} are outcomes (outcome: true in the "
        "map), end states rather than contacts: the funnel counts the journeys that reached "
        "them as reaching those outcomes, while the drop-off correlation leaves them out of the "
        "drivers and the attribution gives them no credit.",
        len(outcomes),
        language,
    ).format(touchpoints=_names(outcomes, language))


def _declare_hint(touchpoints: list[str], language: str) -> str:
    """How to declare the map's touchpoints among ``touchpoints`` outcomes; empty if none."""
    if not touchpoints:
        return ""
    return " " + ngettext(
        "If {touchpoints} is an outcome, mark it in the map with outcome: true: the drop-off, "
        "the correlation and the attribution then treat it as an end state, not a touch.",
        "If {touchpoints} are outcomes, mark them in the map with outcome: true: the "
        "drop-off, the correlation and the attribution then treat them as end states, not "
        "touches.",
        len(touchpoints),
        language,
    ).format(touchpoints=_names(touchpoints, language))


def correlation_before_conversion_note(analysis: Any, language: str) -> str | None:
    """A note when the correlation counts fewer journeys with a touchpoint than met it at all.

    The correlation counts touches before a journey's first conversion (those after it cannot
    have caused it), touchpoint statistics every touch: BPIC's registered reads 1,662 journeys
    in the one and 2,246 in the other. Said once, with the touchpoints that differ most.
    """
    met = {
        str(r["touchpoint"]): int(r["journeys"] or 0) for r in _rows(analysis, "touchpoint_stats")
    }
    fewer = [
        (str(r["touchpoint"]), int(r["journeys_with"]), met[str(r["touchpoint"])])
        for r in _correlation_rows(analysis)
        if int(r["journeys_with"]) < met.get(str(r["touchpoint"]), 0)
    ]
    if not fewer:
        return None
    fewer.sort(key=lambda item: (item[1] - item[2], item[0]))
    examples = ", ".join(
        gettext("{touchpoint} ({counted} of {journeys})", language).format(
            touchpoint=touchpoint,
            counted=format_integer(counted, language),
            journeys=format_integer(journeys, language),
        )
        for touchpoint, counted, journeys in fewer[:EXAMPLES]
    )
    if len(fewer) > EXAMPLES:
        examples = gettext("{first} and {more} more", language).format(
            first=examples, more=format_integer(len(fewer) - EXAMPLES, language)
        )
    return gettext(
        "Note: the drop-off correlation counts a touchpoint only where a journey met it "
        "before its first conversion (a touch after it cannot have caused it), so it counts "
        "fewer journeys with some touchpoints than met them at all: {examples} (journeys_with "
        "in the correlation table, journeys in touchpoint_stats).",
        language,
    ).format(examples=examples)


def _day(text: Any, language: str) -> str | None:
    """The UTC date of the summary's ISO time as the language writes it: ``Mar 14, 2012``."""
    return format_day(text, language)


def _span_seconds(summary: Mapping[str, Any]) -> float | None:
    try:
        first = dt.datetime.fromisoformat(str(summary["first_ts"]))
        last = dt.datetime.fromisoformat(str(summary["last_ts"]))
    except (KeyError, ValueError):
        return None
    return (last - first).total_seconds()


def open_journeys_note(summary: Mapping[str, Any], language: str) -> str | None:
    """The journeys that did not convert but may still (``open_journeys``: right-censoring).

    Their last event is within the horizon (the conversion window, else the time in which 90 %
    of the converted journeys converted) of the data's last event: BPIC ends on 14 Mar 2012
    with cases still being worked on, which the funnel, the exits and the correlation count as
    drop-offs.
    """
    found = summary.get("open_journeys")
    if not found or not int(found.get("journeys") or 0):
        return None
    count = int(found["journeys"])
    horizon = float(found["horizon_seconds"])
    if found.get("horizon") == "conversion_window":
        basis = gettext("the conversion window", language)
    else:
        basis = gettext(
            "the time in which 90% of the converted journeys converted; no conversion window "
            "is set",
            language,
        )
    not_converted = int(summary["journeys"]) - int(summary["conversions"])
    note = ngettext(
        "Note: {count} of {total} journeys that did not convert had events within {horizon} "
        "({basis}) of the data's last event on {date}: it may still be under way and convert "
        "later, yet every figure counts it as not converted (funnel drop-off, exits, "
        "correlation).",
        "Note: {count} of {total} journeys that did not convert had events within {horizon} "
        "({basis}) of the data's last event on {date}: they may still be under way and "
        "convert later, yet every figure counts them as not converted (funnel drop-off, "
        "exits, correlation).",
        count,
        language,
    ).format(
        count=format_integer(count, language),
        total=format_integer(not_converted, language),
        horizon=format_duration(horizon, language),
        basis=basis,
        date=_day(summary.get("last_ts"), language) or "-",
    )
    if found.get("outcomes"):
        ended = int(found.get("ended_in_outcome") or 0)
        note += " " + gettext(
            "Journeys that reached an outcome ({outcomes}) have ended and are not counted "
            "({ended} more within that time).",
            language,
        ).format(
            outcomes=_names([str(name) for name in found["outcomes"]], language),
            ended=format_integer(ended, language),
        )
    else:
        note += " " + gettext(
            "If some touchpoint ends a journey without a conversion (declined, cancelled, "
            "lost), mark it with outcome: true in the map: journeys that reached it have "
            "ended and are no longer counted here.",
            language,
        )
    span = _span_seconds(summary)
    if found.get("horizon") == "conversion_window" and span is not None and horizon >= span:
        note += " " + gettext(
            "The conversion window is longer than the whole period of the data, so no journey "
            "has been followed for a whole window.",
            language,
        )
    return note


def converted_at_first_event_note(summary: Mapping[str, Any], language: str) -> str | None:
    """Converted journeys whose conversion is at the time of their first event (0 s to convert).

    Olist: 15 journeys that are only the won deal (their lead was quarantined, or won before
    its first contact) pulled the 10th percentile of the time to convert from 2.67 to 1.87
    days.
    """
    count = int(summary.get("converted_at_first_event") or 0)
    if not count:
        return None
    return ngettext(
        "Note: {count} of {total} converted journeys converted at the time of its first "
        "event (the conversion is its first event, or shares its time): it counts as 0 s in "
        "the time to convert and pulls its percentiles down.",
        "Note: {count} of {total} converted journeys converted at the time of their first "
        "event (the conversion is their first event, or shares its time): they count as 0 s "
        "in the time to convert and pull its percentiles down.",
        count,
        language,
    ).format(
        count=format_integer(count, language),
        total=format_integer(int(summary["conversions"]), language),
    )


def breakdown_converters_only_notes(
    summary: Mapping[str, Any], language: str, journey_map: JourneyMap | None = None
) -> list[str]:
    """Breakdown columns set only on converted journeys (``breakdown_converters_only``).

    Olist's ``lead_type`` comes from the won deals: every journey with a value converted
    (100 % per value), every one without is a lead that did not (6 of 7,119 converted). A
    column is named as ``journey_map``'s labels name it (``(column)``), if they do.
    """
    labels = journey_map.labels if journey_map is not None else {}
    found = summary.get("breakdown_converters_only") or {}
    if not found:
        return []
    conversions = int(summary["conversions"])
    others = int(summary["journeys"]) - conversions
    return [
        gettext(
            "Note: {column} is set only on journeys that converted ({count} of {conversions}; "
            "none of the {others} that did not): it likely comes with the conversion itself, "
            "so its conversion rates say nothing about who converts.",
            language,
        ).format(
            column=column_label(labels, column) or column,
            count=format_integer(int(count), language),
            conversions=format_integer(conversions, language),
            others=format_integer(others, language),
        )
        for column, count in found.items()
    ]
