"""Drop-off: where journeys end without converting, and checkout abandonment."""

from __future__ import annotations

import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine._tables import records_table
from journeymap.engine.journeys import (
    JourneyOptions,
    check_touchpoints,
    journey_facts,
    touch_pairs,
)
from journeymap.model import JourneyMap

__all__ = ["checkout_abandonment", "checkout_touchpoints", "dropoff"]


def dropoff(journeys: ir.Table, top: int | None = None, facts: ir.Table | None = None) -> pa.Table:
    """Non-converted journeys by their last phase and touchpoint (contract table ``dropoff``).

    ``share`` is of all journeys that did not convert; rows are sorted by ``journeys`` desc.
    """
    if facts is None:
        facts = journey_facts(journeys)
    ends = facts.filter(~facts.converted)
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
    pairs: ir.Table | None = None,
) -> pa.Table:
    """Journeys that reached a checkout touchpoint and did not convert (contract table).

    ``pairs`` is :func:`~journeymap.engine.journeys.touch_pairs` of the journeys, if computed.
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
    if pairs is None:
        pairs = touch_pairs(journeys, facts)
    touched = pairs.filter(pairs.touchpoint.isin(targets))
    counts = touched.group_by("touchpoint").aggregate(
        reached=touched.count(), converted=touched.converted.sum()
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
