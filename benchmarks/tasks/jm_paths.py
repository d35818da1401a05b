"""journeymap: top paths and the Sankey steps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import journeys as common_journeys
from benchmarks.tasks._common import main


def run(data: Path) -> dict[str, Any]:
    """Build journeys, paths and Sankey; return the path count."""
    from journeymap.engine import paths

    _map, options, journeys = common_journeys(data)
    table = paths.paths(journeys, options)
    paths.sankey(journeys, options)
    return {"paths": table.num_rows}


if __name__ == "__main__":
    main(run)
