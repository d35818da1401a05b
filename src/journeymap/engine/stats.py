"""Touchpoint statistics, including unused map touchpoints and unmapped event touchpoints."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine._pair_counts import touch_pair_counts
from journeymap.engine._tables import records_table
from journeymap.model import JourneyMap

__all__ = ["touchpoint_stats"]


def touchpoint_stats(
    journeys: ir.Table,
    journey_map: JourneyMap,
    facts: ir.Table | None = None,
    pair_counts: ir.Table | None = None,
) -> pa.Table:
    """Per touchpoint: events, journeys, persons and converted journeys that touched it.

    And ``repeat_journeys``, the journeys that met it more than once (rework and loops, which
    its events against its journeys cannot tell).

    And when it was met first and last (``first_seen``, ``last_seen``, UTC; null for a map
    touchpoint without events): a touchpoint whose events stop long before the data's end,
    or start late, is one a journey no longer meets, or one the rules now name otherwise.

    Map touchpoints without events appear with zeros (unused); touchpoints in the events that
    the map does not know appear with ``on_map`` false (unmapped). Map touchpoints come first
    in map order, then unmapped ones by events. ``pair_counts`` is
    :func:`~journeymap.engine._pair_counts.touch_pair_counts` of the journeys, if computed.
    """
    counts = pair_counts if pair_counts is not None else touch_pair_counts(journeys, facts)
    per_journey = counts.group_by("touchpoint").aggregate(
        events=counts.events.sum(),
        journeys=counts.journeys.sum(),
        conversions=counts.journeys.sum(where=counts.converted).fill_null(0),
        repeat_journeys=counts.journeys.sum(where=counts.repeat).fill_null(0),
    )
    # Distinct pairs first, then plain counts: cheaper than COUNT(DISTINCT) per touchpoint.
    people = journeys.select("touchpoint", "person_id").distinct()
    per_person = people.group_by("touchpoint").aggregate(persons=people.person_id.count())
    seen = journeys.group_by("touchpoint").aggregate(
        first_seen=journeys.ts.min(), last_seen=journeys.ts.max()
    )
    found: dict[str | None, dict[str, Any]] = {}
    for part in (per_journey, per_person, seen):
        for row in part.to_pyarrow().to_pylist():
            found.setdefault(row.pop("touchpoint"), {}).update(_in_utc(row))
    return touchpoint_stats_table(found, journey_map)


def touchpoint_stats_table(
    found: dict[str | None, dict[str, Any]], journey_map: JourneyMap
) -> pa.Table:
    """The ``touchpoint_stats`` table of the counts per touchpoint met in the journeys.

    ``found`` maps each touchpoint of the events (None: a missing one) to its ``events``,
    ``journeys``, ``persons``, ``conversions``, ``first_seen``, ``last_seen`` (UTC) and
    ``repeat_journeys``; the map's touchpoints it lacks are added with zeros. Both the Ibis
    path and :mod:`journeymap.engine._local_stats` build the table here.
    """
    found = dict(found)
    rows = []
    for touchpoint in journey_map.touchpoints:
        row = found.pop(touchpoint.id, None) or {
            "events": 0,
            "journeys": 0,
            "persons": 0,
            "conversions": 0,
            "first_seen": None,
            "last_seen": None,
            "repeat_journeys": 0,
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
            ("first_seen", pa.timestamp("us", tz="UTC")),
            ("last_seen", pa.timestamp("us", tz="UTC")),
            ("repeat_journeys", pa.int64()),
        ],
    )


def _in_utc(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its times in UTC (a time without a zone is UTC, as analyze reads it)."""
    for name in ("first_seen", "last_seen"):
        value = row.get(name)
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            row[name] = value.replace(tzinfo=dt.UTC)
    return row
