"""journeymap: the full analysis (every metric, attribution when available)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import bench_map, events, main


def run(data: Path) -> dict[str, Any]:
    """Run ``journeymap.analyze`` and return its summary counts."""
    from journeymap.analysis import analyze

    analysis = analyze(bench_map(), events(data))
    keys = ("journeys", "events", "conversions")
    return {key: analysis.summary[key] for key in keys} | {"tables": sorted(analysis.tables)}


if __name__ == "__main__":
    main(run)
