"""journeymap: every measured metric of an analysis (funnels to correlation), no attribution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import bench_map, events, main


def run(data: Path) -> dict[str, Any]:
    """Run ``journeymap.analyze(..., attribution=False)``; return its summary counts."""
    from journeymap.analysis import analyze

    analysis = analyze(bench_map(), events(data), attribution=False)
    keys = ("journeys", "events", "conversions")
    return {key: analysis.summary[key] for key in keys} | {"tables": sorted(analysis.tables)}


if __name__ == "__main__":
    main(run)
