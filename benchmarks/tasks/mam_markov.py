"""marketing-attribution-models (peer): Markov attribution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import main
from benchmarks.tasks.mam_common import load, totals


def run(data: Path) -> dict[str, Any]:
    """Return MAM's Markov conversions and removal effects per channel."""
    model = load(data)
    result = model.run_markov(transition_to_same_state=False)
    effects = result.metadata["removal_effect"]["removal_effect"]
    return {
        "conversions": totals(result),
        "removal_effects": {str(k): float(v) for k, v in effects.items()},
    }


if __name__ == "__main__":
    main(run, ("polars", "mam"))
