"""marketing-attribution-models (peer): the heuristic models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import main
from benchmarks.tasks.mam_common import load, totals


def run(data: Path) -> dict[str, Any]:
    """Return first/last click, linear, position-based and time-decay credits."""
    model = load(data)
    credits = {
        "first_touch": totals(model.run_first_click()),
        "last_touch": totals(model.run_last_click()),
        "linear": totals(model.run_linear()),
        "position_based": totals(model.run_position_based()),
        "time_decay": totals(model.run_time_decay()),
    }
    return {"credits": credits}


if __name__ == "__main__":
    main(run, ("polars", "mam"))
