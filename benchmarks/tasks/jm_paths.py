"""journeymap: top paths and the Sankey steps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import bench_map, events, main


def run(data: Path) -> dict[str, Any]:
    """Build journeys, paths and Sankey; return the path count."""
    from journeymap.engine import paths
    from journeymap.engine.journeys import JourneyOptions, build_journeys

    options = JourneyOptions()
    journeys = build_journeys(events(data), bench_map(), options)
    table = paths.paths(journeys, options)
    paths.sankey(journeys, options)
    return {"paths": table.num_rows}


if __name__ == "__main__":
    main(run)
