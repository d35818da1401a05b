"""journeymap: phase and touchpoint funnels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import journeys as common_journeys
from benchmarks.tasks._common import main


def run(data: Path) -> dict[str, Any]:
    """Build journeys and both funnels; return the phase funnel's reached counts."""
    from journeymap.engine import funnel

    journey_map, options, journeys = common_journeys(data)
    phases = funnel.phase_funnel(journeys, journey_map, options)
    funnel.touchpoint_funnel(journeys, journey_map, options)
    return {"reached": phases.column("reached").to_pylist()}


if __name__ == "__main__":
    main(run)
