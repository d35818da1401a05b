"""The report's tables of figures to act on (``figure_tables``), also ``analyze``'s summary.

Conversion rate per touchpoint, checkout abandonment, the journeys per outcome, time in phase,
the slowest steps, the touchpoints met more than once and the variants' reach, as formatted
rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from journeymap.i18n import N_, format_fixed, format_integer, format_share, gettext, ngettext
from journeymap.model import JourneyMap
from journeymap.render._wording import DURATION_UNITS, element_names, format_rate
from journeymap.render.measured import Measured

__all__ = ["FIGURES_TOP", "figure_tables"]

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


def _outcomes_table(
    names: dict[str, str], measured: Measured, language: str
) -> dict[str, Any] | None:
    """The journeys per outcome touchpoint they ended in, and those with none (``outcomes``)."""
    found = measured.rows("outcomes")
    if not any(row["touchpoint"] is not None and row["reached"] for row in found):
        return None  # the map declares no outcome, or no journey reached one
    rows = [
        [
            gettext(N_("(no outcome)"), language)
            if row["touchpoint"] is None
            else names.get(str(row["touchpoint"]), str(row["touchpoint"])),
            format_integer(row["journeys"] or 0, language),
            format_share(float(row["share"] or 0.0), language),
            format_integer(row["reached"] or 0, language),
        ]
        for row in found
    ]
    columns = [
        (gettext(N_("Outcome"), language), False),
        (gettext(N_("Journeys"), language), True),
        (gettext(N_("Share"), language), True),
        (gettext(N_("Reached"), language), True),
    ]
    note = gettext(
        N_(
            "Journeys: those that ended in the outcome (their first, so the rows add up to all "
            "journeys); reached: those that met it at all. (no outcome): journeys that reached "
            "none, still open or left without a decision."
        ),
        language,
    )
    title = gettext(N_("Journeys by outcome"), language)
    return _table("outcomes", title, columns, rows, [note])


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

    Conversion rate per touchpoint, checkout abandonment, the journeys per outcome, time in
    phase, the slowest steps, the touchpoints met more than once and the variants' reach; a
    table whose figures the
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
        _outcomes_table(names, measured, language),
        _time_in_phase_table(names, measured, language),
        _slowest_steps_table(names, measured, language, top),
        _repeats_table(journey_map, names, measured, language, top),
        _variants_table(names, measured, language, top),
    )
    return [table for table in found if table is not None]
