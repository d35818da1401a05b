"""journeymap: the heuristic attribution models (first/last touch, linear, ...)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import bench_map, events, main, not_available

MODELS = ["first_touch", "last_touch", "linear", "position_based", "time_decay"]


def run(data: Path) -> dict[str, Any]:
    """Return ``{model: {touchpoint: conversions}}``."""
    from journeymap.engine.journeys import JourneyOptions, build_journeys

    try:
        from journeymap.attribution import compare_models
    except ImportError as exc:
        raise not_available(f"journeymap.attribution.compare_models: {exc}") from exc
    journey_map = bench_map()
    journeys = build_journeys(events(data), journey_map, JourneyOptions())
    table = compare_models(journeys, journey_map, level="touchpoint", models=MODELS)
    credits: dict[str, dict[str, float]] = {}
    for row in table.to_pylist():
        credits.setdefault(row["model"], {})[row["key"]] = row["conversions"]
    return {"credits": credits}


if __name__ == "__main__":
    main(run)
