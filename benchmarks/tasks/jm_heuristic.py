"""journeymap: the heuristic attribution models (first/last touch, linear, ...)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import credits_by_model, journeys, main

MODELS = ["first_touch", "last_touch", "linear", "position_based", "time_decay"]


def run(data: Path) -> dict[str, Any]:
    """Return ``{model: {touchpoint: conversions}}``."""
    from journeymap.attribution import compare_models

    journey_map, _options, table = journeys(data)
    return credits_by_model(compare_models(table, journey_map, level="touchpoint", models=MODELS))


if __name__ == "__main__":
    main(run)
