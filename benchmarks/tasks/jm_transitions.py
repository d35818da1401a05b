"""journeymap: touchpoint transition counts (``time_between_steps``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import bench_map, events, main


def run(data: Path) -> dict[str, Any]:
    """Return ``{"from > to": transitions}``."""
    from journeymap.engine import timing
    from journeymap.engine.journeys import JourneyOptions, build_journeys

    journeys = build_journeys(events(data), bench_map(), JourneyOptions())
    table = timing.time_between_steps(journeys)
    return {
        "transitions": {
            f"{row['from_touchpoint']} > {row['to_touchpoint']}": row["transitions"]
            for row in table.to_pylist()
        }
    }


if __name__ == "__main__":
    main(run)
