"""Touchpoint statistics, including unused map touchpoints and unmapped event touchpoints."""

from __future__ import annotations

import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine._tables import records_table
from journeymap.engine.journeys import touch_pairs
from journeymap.model import JourneyMap

__all__ = ["touchpoint_stats"]


def touchpoint_stats(
    journeys: ir.Table,
    journey_map: JourneyMap,
    facts: ir.Table | None = None,
    pairs: ir.Table | None = None,
) -> pa.Table:
    """Per touchpoint: events, journeys, persons and converted journeys that touched it.

    Map touchpoints without events appear with zeros (unused); touchpoints in the events that
    the map does not know appear with ``on_map`` false (unmapped). Map touchpoints come first
    in map order, then unmapped ones by events. ``pairs`` is
    :func:`~journeymap.engine.journeys.touch_pairs` of the journeys, if already computed.
    """
    if pairs is None:
        pairs = touch_pairs(journeys, facts)
    per_journey = pairs.group_by("touchpoint").aggregate(
        events=pairs.events.sum(), journeys=pairs.count(), conversions=pairs.converted.sum()
    )
    # Distinct pairs first, then plain counts: cheaper than COUNT(DISTINCT) per touchpoint.
    people = journeys.select("touchpoint", "person_id").distinct()
    per_person = people.group_by("touchpoint").aggregate(persons=people.person_id.count())
    found: dict[str, dict[str, int]] = {}
    for part in (per_journey, per_person):
        for row in part.to_pyarrow().to_pylist():
            found.setdefault(row.pop("touchpoint"), {}).update(row)
    rows = []
    for touchpoint in journey_map.touchpoints:
        row = found.pop(touchpoint.id, None) or {
            "events": 0,
            "journeys": 0,
            "persons": 0,
            "conversions": 0,
        }
        rows.append({**row, "touchpoint": touchpoint.id, "on_map": True})
    for name, row in sorted(found.items(), key=lambda item: (-item[1]["events"], str(item[0]))):
        rows.append({**row, "touchpoint": name, "on_map": False})
    return records_table(
        rows,
        [
            ("touchpoint", pa.string()),
            ("on_map", pa.bool_()),
            ("events", pa.int64()),
            ("journeys", pa.int64()),
            ("persons", pa.int64()),
            ("conversions", pa.int64()),
        ],
    )
