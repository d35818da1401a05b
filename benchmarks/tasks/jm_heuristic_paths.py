"""journeymap: every heuristic model path data allow, on the peers' path-string file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import credits_by_model, main, paths
from benchmarks.tasks.jm_heuristic import CUSTOM_WEIGHTS


def run(data: Path) -> dict[str, Any]:
    """Return ``{model: {touchpoint: conversions}}`` for the eleven heuristic models.

    Path data carry no times, so time decay is left out; custom reads the raw-event task's
    weights.
    """
    from journeymap.attribution import compare_models
    from journeymap.attribution.heuristic import HEURISTICS

    models = [m for m in HEURISTICS if m != "time_decay"]
    with paths(data) as source:
        return credits_by_model(
            compare_models(source, level="touchpoint", models=models, custom_weights=CUSTOM_WEIGHTS)
        )


if __name__ == "__main__":
    main(run)
