"""What an analysis' tables do not say by themselves, in sentences for the command line and report.

Each function reads a finished analysis (its summary and tables, so a saved one too) and returns
a sentence in ``language``, or None when there is nothing to say:

- the journeys the phase funnel leaves out because they never reached the first phase;
- a phase no journey reached, after which every phase reads 0 although its touchpoints occur;
- a default touchpoint funnel that strings a phase's alternative touchpoints into steps;
- events of touchpoints the map does not have (measured, but no phase shows them);
- touchpoints of the map that no event shows (keeping the map current: a touchpoint nobody
  meets, or rules that never name it);
- persona values of the events that the map has no persona for;
- keeping the map current over time (:mod:`journeymap.analysis._currency_notes`): the period
  analysed and the journeys it cuts (first of all notes), off-map touchpoints that may be map
  touchpoints renamed, map touchpoints last seen long before the data's end, and events
  mapped by more than one version of the mapping rules;
- how far the measured figures hold (:func:`measurement_notes`): touchpoints that always or
  never go with converting, the correlation's count of touches before the conversion only,
  journeys that may still be open at the data's end, a breakdown column only converted
  journeys carry, and conversions at a journey's first event.

:func:`figure_notes` gives them all in reading order. ``analyze`` prints them under its
tables; the report prints them under "Notes on the figures", so the reader of the report
learns what the reader of the terminal learns.

The measurement notes live in :mod:`journeymap.analysis._measurement_notes`; this module gives
them under their public names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from journeymap.analysis._currency_notes import (
    period_note,
    rename_hints_note,
    rules_versions_note,
    stale_touchpoints_note,
)
from journeymap.analysis._measurement_notes import (
    SHOWN,
    breakdown_converters_only_notes,
    converted_at_first_event_note,
    correlation_before_conversion_note,
    measurement_notes,
    open_journeys_note,
    outcome_touchpoints_notes,
)
from journeymap.i18n import format_integer, gettext, ngettext
from journeymap.model import ID_PATTERN, UNMAPPED, JourneyMap, ascii_id

__all__ = [
    "breakdown_converters_only_notes",
    "converted_at_first_event_note",
    "correlation_before_conversion_note",
    "figure_notes",
    "first_phase_note",
    "funnel_notes",
    "map_currency_notes",
    "measurement_notes",
    "off_map_note",
    "open_journeys_note",
    "outcome_touchpoints_notes",
    "period_note",
    "personas_off_map_note",
    "rename_hints_note",
    "rules_versions_note",
    "stale_touchpoints_note",
    "touchpoint_funnel_note",
    "unreached_phase_note",
    "unused_touchpoints_note",
]


def figure_notes(
    analysis: Any, journey_map: JourneyMap, language: str, *, touchpoint_funnel: bool = True
) -> list[str]:
    """Every note on an analysis' figures, in reading order.

    Which period was read (when one was given), the funnel's, then how far the measured
    figures hold, then where the map and the events disagree. ``touchpoint_funnel=False``
    leaves out the note on the touchpoint funnel (for a reader who is not shown that table,
    as the report's).
    """
    funnel = funnel_notes(analysis, journey_map, language)
    if not touchpoint_funnel:
        skipped = touchpoint_funnel_note(analysis, journey_map, language)
        funnel = [note for note in funnel if note != skipped]
    period = period_note(analysis.summary, language)
    return [
        *([period] if period else []),
        *funnel,
        *measurement_notes(analysis, journey_map, language),
        *map_currency_notes(analysis, journey_map, language),
    ]


def funnel_notes(analysis: Any, journey_map: JourneyMap, language: str) -> list[str]:
    """The notes that belong under the phase funnel, in the order they are read."""
    found = (
        first_phase_note(analysis, language),
        unreached_phase_note(analysis, journey_map, language),
        touchpoint_funnel_note(analysis, journey_map, language),
    )
    return [note for note in found if note]


def touchpoint_funnel_note(analysis: Any, journey_map: JourneyMap, language: str) -> str | None:
    """A note when the default touchpoint funnel strings a phase's alternatives into steps.

    Without ``--funnel-step`` the touchpoint funnel takes every touchpoint of the map as one
    step after another. A phase with several touchpoints holds alternatives (the channels a
    lead comes from), so the funnel asks for all of them in a row: an Olist map with nine
    awareness channels read 2,296 for organic search and 0 for every step after it, paid
    search too (touched by 1,586 journeys). Said when the funnel falls to 0 at a step whose
    touchpoint, or a later step's, occurs in the events.
    """
    if (analysis.summary.get("options") or {}).get("funnel_touchpoints"):
        return None
    crowded = [
        (phase, len(journey_map.touchpoints_in(phase.id)))
        for phase in journey_map.ordered_phases()
        if len(journey_map.touchpoints_in(phase.id)) > 1
    ]
    if not crowded or "touchpoint_funnel" not in analysis.tables:
        return None
    steps = analysis.table("touchpoint_funnel").to_pylist()
    first_zero = next((i for i, row in enumerate(steps) if not int(row["reached"] or 0)), None)
    if first_zero is None:
        return None
    met = {
        str(r["touchpoint"])
        for r in analysis.table("touchpoint_stats").to_pylist()
        if int(r["journeys"] or 0) > 0
    }
    if not any(str(row["touchpoint"]) in met for row in steps[first_zero:]):
        return None
    # The crowded phase the funnel passes before it falls to 0: the one that stops it.
    passed = {row["phase"] for row in steps[: first_zero + 1]}
    phase, count = max(
        [(p, n) for p, n in crowded if p.id in passed] or crowded, key=lambda item: item[1]
    )
    return gettext(
        "Note: the touchpoint funnel (touchpoint_funnel in the output) takes the map's "
        "{touchpoints} touchpoints as steps one after another, but {phase} alone holds "
        "{count}: alternatives, not steps, so it reads 0 from {step} on although later "
        "steps' touchpoints occur in the events. Name the steps a journey should take with "
        "--funnel-step a,b,c (setting funnel.touchpoints).",
        language,
    ).format(
        touchpoints=format_integer(len(journey_map.touchpoints), language),
        phase=phase.name,
        count=format_integer(count, language),
        step=steps[first_zero]["touchpoint"],
    )


def map_currency_notes(analysis: Any, journey_map: JourneyMap, language: str) -> list[str]:
    """What the events and the map disagree on: touchpoints and personas only one side has.

    Then what changed over time: off-map touchpoints that may be renamed map touchpoints,
    map touchpoints no longer seen, and events mapped by several versions of the rules.
    """
    found = (
        off_map_note(_off_map(analysis), language),
        unused_touchpoints_note(analysis, journey_map, language),
        rename_hints_note(analysis, journey_map, language),
        stale_touchpoints_note(analysis, journey_map, language),
        personas_off_map_note(analysis.summary, language),
        rules_versions_note(analysis.summary, language),
    )
    return [note for note in found if note]


def _funnel_rows(analysis: Any) -> list[dict[str, Any]]:
    return [r for r in analysis.table("phase_funnel").to_pylist() if not r.get("breakdown")]


def first_phase_note(analysis: Any, language: str) -> str | None:
    """A note on the journeys (and conversions) that never reached the first phase.

    Every ordering counts a journey from the first phase on (``any`` asks for phases 1..k
    too), so one without an event there counts in no phase, and the funnel's converted falls
    short of the conversions above it without a word. Read off the tables: the funnel's
    first row (the totals) against the summary.
    """
    rows = _funnel_rows(analysis)
    if not rows:
        return None
    summary = analysis.summary
    journeys, conversions = int(summary["journeys"]), int(summary["conversions"])
    left_out = journeys - int(rows[0]["reached"] or 0)
    if left_out <= 0:
        return None
    converted_left_out = conversions - int(rows[0]["converted"] or 0)
    including = ""
    if converted_left_out > 0:
        including = ngettext(
            " (including {count} of {total} conversion)",
            " (including {count} of {total} conversions)",
            conversions,
            language,
        ).format(
            count=format_integer(converted_left_out, language),
            total=format_integer(conversions, language),
        )
    return ngettext(
        "Note: the phase funnel above leaves out {count} of {total} journey{conversions}, "
        "which never reached the first phase, {phase}. Every ordering counts from the first "
        "phase (--ordering any too); check that the touchpoints of {phase} occur in the "
        "events, and whether the events start mid-journey.",
        "Note: the phase funnel above leaves out {count} of {total} journeys{conversions}, "
        "which never reached the first phase, {phase}. Every ordering counts from the first "
        "phase (--ordering any too); check that the touchpoints of {phase} occur in the "
        "events, and whether the events start mid-journey.",
        journeys,
        language,
    ).format(
        count=format_integer(left_out, language),
        total=format_integer(journeys, language),
        conversions=including,
        phase=rows[0]["phase_name"],
    )


def unreached_phase_note(analysis: Any, journey_map: JourneyMap, language: str) -> str | None:
    """A note when the funnel stops at a phase no journey reached.

    Only when later phases are met in the data: the map's phase lacks events, and every
    later phase shows 0.
    """
    from journeymap.engine.journeys import phase_lookup

    rows = _funnel_rows(analysis)
    reached = [int(r["reached"] or 0) for r in rows]
    if not reached or reached[0] == 0:
        return None
    first_zero = next((i for i, n in enumerate(reached) if n == 0), None)
    if first_zero is None or first_zero == len(rows) - 1:
        return None
    phase_of = phase_lookup(journey_map)
    later = {r["phase"] for r in rows[first_zero + 1 :]}
    met = any(
        phase_of.get(r["touchpoint"]) in later and int(r["events"] or 0) > 0
        for r in analysis.table("touchpoint_stats").to_pylist()
    )
    if not met:
        return None
    return gettext(
        "Note: no journey reached {phase}. Every ordering counts a phase only after the ones "
        "before it (--ordering any too), so the phases after it read 0 although their "
        "touchpoints occur in the events. Check whether the touchpoints of {phase} occur in "
        "the events, or take the phase out of the map.",
        language,
    ).format(phase=rows[first_zero]["phase_name"])


def _off_map(analysis: Any) -> dict[str, int]:
    return {
        str(r["touchpoint"]): int(r["events"])
        for r in analysis.table("touchpoint_stats").to_pylist()
        if not r["on_map"] and int(r["events"] or 0) > 0
    }


def _listed(counts: Mapping[str, int], language: str) -> str:
    """``a (12), b (3) and 4 more``: the names with the most events first."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    shown = ", ".join(f"{name} ({format_integer(n, language)})" for name, n in ranked[:SHOWN])
    rest = len(ranked) - SHOWN
    if rest > 0:
        shown = gettext("{first} and {more} more", language).format(first=shown, more=rest)
    return shown


def off_map_note(off_map: Mapping[str, int], language: str) -> str | None:
    """Which touchpoints events were filed under that the map does not have (import, analyze).

    Rows kept as ``unmapped`` (no rule matched, ``unmatched: keep``) get their own advice: no
    rule names them.
    """
    unmapped = off_map.get(UNMAPPED, 0)
    others = {touchpoint: n for touchpoint, n in off_map.items() if touchpoint != UNMAPPED}
    kept = (
        gettext(
            "Note: {events} events are kept as {unmapped}: no rule matched them. Add rules "
            "that do, or quarantine them (unmatched: quarantine).",
            language,
        ).format(events=format_integer(unmapped, language), unmapped=UNMAPPED)
        if unmapped
        else ""
    )
    if not others:
        return kept or None
    note = gettext(
        "Note: {events} events have touchpoints the map does not have: {touchpoints}. They are "
        "measured, but no phase of the map shows them; add them to the map, or change the "
        "rules that name them.",
        language,
    ).format(
        events=format_integer(sum(others.values()), language),
        touchpoints=_listed(others, language),
    )
    # Ids read from the data may hold what a map id cannot (BPIC: 'W_Completeren aanvraag'):
    # such a touchpoint cannot be added as it is, only named by a rule of its own.
    unfit = sorted(name for name in others if not ID_PATTERN.match(name))
    if unfit:
        first = unfit[0]
        note += " " + gettext(
            "{count} of them cannot be a map's ids as they are (spaces or other signs): give "
            "each a rule that names an id, e.g. touchpoint: {suggested} when the field equals "
            "{first}.",
            language,
        ).format(
            count=format_integer(len(unfit), language),
            suggested=ascii_id(first) or "my-touchpoint",
            first=repr(first),
        )
    return f"{note}\n{kept}" if kept else note


def unused_touchpoints_note(analysis: Any, journey_map: JourneyMap, language: str) -> str | None:
    """The map's touchpoints that no event shows, by name (step 7: keep the map current).

    Either customers do not meet them (a channel to drop or to fix), or no mapping rule names
    them (the data are there but filed elsewhere): the note says both.
    """
    names = {touchpoint.id: touchpoint.name for touchpoint in journey_map.touchpoints}
    unused = [
        str(r["touchpoint"])
        for r in analysis.table("touchpoint_stats").to_pylist()
        if r["on_map"] and not int(r["events"] or 0) and str(r["touchpoint"]) in names
    ]
    if not unused:
        return None
    listed = ", ".join(f"{names[tp]} ({tp})" for tp in unused[:SHOWN])
    if len(unused) > SHOWN:
        listed = gettext("{first} and {more} more", language).format(
            first=listed, more=len(unused) - SHOWN
        )
    return ngettext(
        "Note: {count} touchpoint of the map has no events: {touchpoints}. Either customers "
        "do not meet it, or no mapping rule names it; check the rules, or take it off the "
        "map.",
        "Note: {count} touchpoints of the map have no events: {touchpoints}. Either customers "
        "do not meet them, or no mapping rule names them; check the rules, or take them off "
        "the map.",
        len(unused),
        language,
    ).format(count=format_integer(len(unused), language), touchpoints=listed)


def personas_off_map_note(summary: Mapping[str, Any], language: str) -> str | None:
    """Persona values of the events that the map has no persona for (``personas_off_map``).

    A persona the map lacks is measured under its raw value (a breakdown row ``Other``) and
    credited at the persona level, but no persona of the map speaks for it; a typo in the
    rules' persona ids reads the same way.
    """
    found = {str(k): int(v) for k, v in (summary.get("personas_off_map") or {}).items()}
    if not found:
        return None
    events = sum(found.values())
    return ngettext(
        "Note: {events} event carries a persona the map does not have: {personas}. It is "
        "measured under this value; add the persona to the map, or change the rules that "
        "set it.",
        "Note: {events} events carry personas the map does not have: {personas}. They are "
        "measured under these values; add the personas to the map, or change the rules that "
        "set them.",
        events,
        language,
    ).format(events=format_integer(events, language), personas=_listed(found, language))
