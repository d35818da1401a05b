"""Drop-off: where journeys end without converting, the outcomes they end in, and checkout.

A map's ``outcome`` touchpoints (a declined application, a lost deal, a closed ticket) are
end states, not places a journey drops off at: the drop-off counts a journey's exit at its last
touchpoint before its first outcome, and :func:`outcomes` counts the journeys per outcome.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine._facts import outcome_facts
from journeymap.engine._pair_counts import touch_pair_counts
from journeymap.engine._tables import nulls_last, records_table
from journeymap.engine.journeys import (
    JourneyOptions,
    check_touchpoints,
    journey_facts,
)
from journeymap.model import JourneyMap

__all__ = ["checkout_abandonment", "checkout_touchpoints", "dropoff", "outcomes"]


_OUTCOME_COLUMNS = [
    ("touchpoint", pa.string()),
    ("journeys", pa.int64()),
    ("converted", pa.int64()),
    ("share", pa.float64()),
    ("reached", pa.int64()),
]


def dropoff(
    journeys: ir.Table,
    top: int | None = None,
    facts: ir.Table | None = None,
    outcomes: Collection[str] = (),
) -> pa.Table:
    """Non-converted journeys by their last phase and touchpoint (contract table ``dropoff``).

    ``share`` is of all journeys that did not convert; rows are sorted by ``journeys`` desc.
    With ``outcomes`` (the map's outcome touchpoints) the last phase and touchpoint are those
    before the journey's first outcome (:func:`~journeymap.engine._facts.outcome_facts`): a
    declined application exits where it was before the decline, never at "declined"; a
    journey that is only outcomes has none (null).
    """
    if facts is None:
        facts = journey_facts(journeys)
    ends = facts.filter(~facts.converted)
    if outcomes:
        exits = outcome_facts(journeys, outcomes)
        ends = ends.select("journey_id").join(exits, "journey_id")
        ends = ends.select(last_phase=ends.exit_phase, last_touchpoint=ends.exit_touchpoint)
    counts = ends.group_by(["last_phase", "last_touchpoint"]).aggregate(journeys=ends.count())
    return dropoff_table(counts.to_pyarrow().to_pylist(), top)


def dropoff_table(counts: list[dict[str, Any]], top: int | None = None) -> pa.Table:
    """The ``dropoff`` table of the journeys counted per ``last_phase`` and ``last_touchpoint``.

    Rows by ``journeys`` desc, then by touchpoint and phase (a missing one last); ``share``
    of the counts' total; the first ``top`` rows if given. Both the Ibis path and
    :mod:`journeymap.engine._local_stats` build the table here.
    """
    records = sorted(
        counts,
        key=lambda row: (
            -row["journeys"],
            *nulls_last(row["last_touchpoint"]),
            *nulls_last(row["last_phase"]),
        ),
    )
    total = sum(int(row["journeys"]) for row in records)
    rows = [{**row, "share": row["journeys"] / total if total else 0.0} for row in records]
    if top is not None:
        rows = rows[:top]
    return records_table(
        rows,
        [
            ("last_phase", pa.string()),
            ("last_touchpoint", pa.string()),
            ("journeys", pa.int64()),
            ("share", pa.float64()),
        ],
    )


def outcomes(
    journeys: ir.Table, outcomes: Collection[str], facts: ir.Table | None = None
) -> pa.Table:
    """Journeys per outcome touchpoint they ended in (contract table ``outcomes``).

    One row per outcome of ``outcomes`` (the map's order), then one with a null touchpoint:
    the journeys that reached no outcome. ``journeys`` counts a journey under its first
    outcome (so the rows add up to all journeys), ``converted`` those of them that converted,
    ``share`` is of all journeys, and ``reached`` the journeys that met the outcome at all
    (more than ``journeys`` when journeys reach several: approved, then registered). No
    outcomes: no rows.
    """
    names = list(dict.fromkeys(outcomes))
    if not names:
        return outcomes_table(names, {}, {})
    if facts is None:
        facts = journey_facts(journeys)
    ended = outcome_facts(journeys, names)
    both = facts.select("journey_id", "converted").join(ended, "journey_id")
    counts = both.group_by("outcome").aggregate(
        journeys=both.count(), converted=both.converted.sum()
    )
    found = {row["outcome"]: row for row in counts.to_pyarrow().to_pylist()}
    touched = journeys.filter(journeys.touchpoint.isin(names))
    met = touched.group_by("touchpoint").aggregate(reached=touched.journey_id.nunique())
    reached = {row["touchpoint"]: int(row["reached"]) for row in met.to_pyarrow().to_pylist()}
    return outcomes_table(names, found, reached)


def outcomes_table(
    outcomes: Collection[str],
    found: Mapping[str | None, Mapping[str, Any]],
    reached: Mapping[str, int],
) -> pa.Table:
    """The ``outcomes`` table of the journeys counted per first outcome (None: none).

    ``found`` holds per first outcome the ``journeys`` and those ``converted``; ``reached``
    per outcome the journeys that met it. Both the Ibis path and
    :mod:`journeymap.engine._local_stats` build the table here.
    """
    names = list(dict.fromkeys(outcomes))
    if not names:
        return records_table([], _OUTCOME_COLUMNS)
    total = sum(int(row["journeys"]) for row in found.values())
    rows = []
    for name in [*names, None]:
        row = found.get(name, {"journeys": 0, "converted": 0})
        count = int(row["journeys"] or 0)
        rows.append(
            {
                "touchpoint": name,
                "journeys": count,
                "converted": int(row["converted"] or 0),
                "share": count / total if total else 0.0,
                "reached": reached.get(name, 0) if name is not None else count,
            }
        )
    return records_table(rows, _OUTCOME_COLUMNS)


def checkout_touchpoints(journey_map: JourneyMap, options: JourneyOptions) -> list[str]:
    """The checkout touchpoints: the option, else those whose id or catalog is ``checkout``."""
    if options.checkout_touchpoints:
        check_touchpoints(journey_map, options)
        return list(options.checkout_touchpoints)
    return [
        tp.id
        for tp in journey_map.touchpoints
        if tp.id == "checkout" or tp.catalog == "checkout" or "checkout" in tp.id
    ]


def checkout_abandonment(
    journeys: ir.Table,
    journey_map: JourneyMap,
    options: JourneyOptions,
    facts: ir.Table | None = None,
    pair_counts: ir.Table | None = None,
) -> pa.Table:
    """Journeys that reached a checkout touchpoint and did not convert (contract table).

    ``pair_counts`` is :func:`~journeymap.engine._pair_counts.touch_pair_counts` of the
    journeys, if computed.
    """
    targets = checkout_touchpoints(journey_map, options)
    if not targets:
        return checkout_table(targets, {})
    if pair_counts is None:
        pair_counts = touch_pair_counts(journeys, facts)
    touched = pair_counts.filter(pair_counts.touchpoint.isin(targets))
    counts = touched.group_by("touchpoint").aggregate(
        reached=touched.journeys.sum(), converted=touched.journeys.sum(where=touched.converted)
    )
    found = {row["touchpoint"]: row for row in counts.to_pyarrow().to_pylist()}
    return checkout_table(targets, found)


def checkout_table(targets: list[str], found: Mapping[str, Mapping[str, Any]]) -> pa.Table:
    """The ``checkout_abandonment`` table, one row per checkout touchpoint of ``targets``.

    ``found`` holds per touchpoint the journeys that ``reached`` it and those of them
    ``converted``. Both the Ibis path and :mod:`journeymap.engine._local_stats` build the
    table here.
    """
    rows = []
    for touchpoint in targets:
        row = found.get(touchpoint, {"reached": 0, "converted": 0})
        reached = int(row["reached"] or 0)
        converted = int(row["converted"] or 0)
        rows.append(
            {
                "touchpoint": touchpoint,
                "reached": reached,
                "converted": converted,
                "abandoned": reached - converted,
                "abandonment_rate": (reached - converted) / reached if reached else 0.0,
            }
        )
    return records_table(
        rows,
        [
            ("touchpoint", pa.string()),
            ("reached", pa.int64()),
            ("converted", pa.int64()),
            ("abandoned", pa.int64()),
            ("abandonment_rate", pa.float64()),
        ],
    )
