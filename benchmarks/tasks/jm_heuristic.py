"""journeymap: every heuristic attribution model, from the raw events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import credits_by_model, journeys, main

# The custom model's position weights: a share per position, the last for every later one.
CUSTOM_WEIGHTS = (0.5, 0.3, 0.2)


def run(data: Path) -> dict[str, Any]:
    """Return ``{model: {touchpoint: conversions}}`` for all twelve heuristic models."""
    from journeymap.attribution import compare_models
    from journeymap.attribution.heuristic import HEURISTICS

    journey_map, _options, table = journeys(data)
    return credits_by_model(
        compare_models(
            table,
            journey_map,
            level="touchpoint",
            models=list(HEURISTICS),
            custom_weights=CUSTOM_WEIGHTS,
        )
    )


if __name__ == "__main__":
    main(run)
