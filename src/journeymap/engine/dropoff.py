"""Drop-off: where journeys end without converting, the outcomes they end in, and checkout.

A map's ``outcome`` touchpoints (a declined application, a lost deal, a closed ticket) are
end states, not places a journey drops off at: the drop-off counts a journey's exit at its last
touchpoint before its first outcome, and :func:`outcomes` counts the journeys per outcome.
"""

from __future__ import annotations

from collections.abc import Collection

import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine._facts import outcome_facts
from journeymap.engine._pair_counts import touch_pair_counts
from journeymap.engine._tables import records_table
from journeymap.engine.journeys import (
    JourneyOptions,
    check_touchpoints,
    journey_facts,
)
from journeymap.model import JourneyMap

__all__ = ["checkout_abandonment", "checkout_touchpoints", "dropoff", "outcomes"]


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
    rows = counts.order_by([counts.journeys.desc(), counts.last_touchpoint]).to_pyarrow()
    records = rows.to_pylist()
    total = sum(int(row["journeys"]) for row in records)
    for row in records:
        row["share"] = row["journeys"] / total if total else 0.0
    if top is not None:
        records = records[:top]
    return records_table(
        records,
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
    columns = [
        ("touchpoint", pa.string()),
        ("journeys", pa.int64()),
        ("converted", pa.int64()),
        ("share", pa.float64()),
        ("reached", pa.int64()),
    ]
    names = list(dict.fromkeys(outcomes))
    if not names:
        return records_table([], columns)
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
    return records_table(rows, columns)


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
    columns = [
        ("touchpoint", pa.string()),
        ("reached", pa.int64()),
        ("converted", pa.int64()),
        ("abandoned", pa.int64()),
        ("abandonment_rate", pa.float64()),
    ]
    targets = checkout_touchpoints(journey_map, options)
    if not targets:
        return records_table([], columns)
    if pair_counts is None:
        pair_counts = touch_pair_counts(journeys, facts)
    touched = pair_counts.filter(pair_counts.touchpoint.isin(targets))
    counts = touched.group_by("touchpoint").aggregate(
        reached=touched.journeys.sum(), converted=touched.journeys.sum(where=touched.converted)
    )
    found = {row["touchpoint"]: row for row in counts.to_pyarrow().to_pylist()}
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
    return records_table(rows, columns)
