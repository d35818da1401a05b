"""journeymap: Markov attribution (first order) with removal effects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import bench_map, events, main, not_available


def run(data: Path) -> dict[str, Any]:
    """Return ``{"removal_effects": {touchpoint: effect}, "conversions": {...}}``."""
    from journeymap.engine.journeys import JourneyOptions, build_journeys

    try:
        from journeymap.attribution import attribute
    except ImportError as exc:
        raise not_available(f"journeymap.attribution.attribute: {exc}") from exc
    journey_map = bench_map()
    journeys = build_journeys(events(data), journey_map, JourneyOptions())
    table = attribute(journeys, journey_map, model="markov", order=1).table
    rows = table.to_pylist()
    return {
        "removal_effects": {row["key"]: row.get("removal_effect") for row in rows},
        "conversions": {row["key"]: row["conversions"] for row in rows},
    }


if __name__ == "__main__":
    main(run)
