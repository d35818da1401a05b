"""journeymap: every heuristic model path data allow, on the peers' path-string file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import credits_by_model, main, paths


def run(data: Path) -> dict[str, Any]:
    """Return ``{model: {touchpoint: conversions}}`` for the ten heuristic models.

    Path data carry no times, so time decay is left out; custom needs weights of its own.
    """
    from journeymap.attribution import compare_models
    from journeymap.attribution.heuristic import HEURISTICS

    models = [m for m in HEURISTICS if m not in {"time_decay", "custom"}]
    with paths(data) as source:
        return credits_by_model(compare_models(source, level="touchpoint", models=models))


if __name__ == "__main__":
    main(run)
