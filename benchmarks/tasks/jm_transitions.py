"""journeymap: touchpoint transition counts (``time_between_steps``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import journeys as common_journeys
from benchmarks.tasks._common import main


def run(data: Path) -> dict[str, Any]:
    """Return ``{"from > to": transitions}``."""
    from journeymap.engine import timing

    _map, _options, journeys = common_journeys(data)
    table = timing.time_between_steps(journeys)
    return {
        "transitions": {
            f"{row['from_touchpoint']} > {row['to_touchpoint']}": row["transitions"]
            for row in table.to_pylist()
        }
    }


if __name__ == "__main__":
    main(run)
