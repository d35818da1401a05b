"""Touchpoint statistics, including unused map touchpoints and unmapped event touchpoints."""

from __future__ import annotations

import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine._tables import records_table
from journeymap.engine.journeys import journey_facts
from journeymap.model import JourneyMap

__all__ = ["touchpoint_stats"]


def touchpoint_stats(journeys: ir.Table, journey_map: JourneyMap) -> pa.Table:
    """Per touchpoint: events, journeys, persons and converted journeys that touched it.

    Map touchpoints without events appear with zeros (unused); touchpoints in the events that
    the map does not know appear with ``on_map`` false (unmapped). Map touchpoints come first
    in map order, then unmapped ones by events.
    """
    facts = journey_facts(journeys).select("journey_id", "converted")
    joined = journeys.join(facts, "journey_id")
    counts = joined.group_by("touchpoint").aggregate(
        events=joined.count(),
        journeys=joined.journey_id.nunique(),
        persons=joined.person_id.nunique(),
        conversions=joined.journey_id.nunique(where=joined.converted),
    )
    found = {row["touchpoint"]: row for row in counts.to_pyarrow().to_pylist()}
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
