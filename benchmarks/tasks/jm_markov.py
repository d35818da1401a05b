"""journeymap: Markov attribution (first order) with removal effects, from raw events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import journeys, main

ORDER = 1


def run(data: Path, order: int = ORDER) -> dict[str, Any]:
    """Return ``{"removal_effects": {touchpoint: effect}, "conversions": {...}}``."""
    from journeymap.attribution import attribute

    journey_map, _options, table = journeys(data)
    rows = attribute(table, journey_map, model="markov", order=order).table.to_pylist()
    return {
        "removal_effects": {row["key"]: row.get("removal_effect") for row in rows},
        "conversions": {row["key"]: row["conversions"] for row in rows},
    }


if __name__ == "__main__":
    main(run)
