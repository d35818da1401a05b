"""ChannelAttribution (peer): ``heuristic_models`` on the path-string file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import main


def run(data: Path) -> dict[str, Any]:
    """Return first/last touch and linear credits per channel."""
    import pandas as pd
    from ChannelAttribution import heuristic_models

    paths = pd.read_csv(data / "paths.csv")
    result = heuristic_models(paths, "path", "total_conversions", sep=">")
    names = result["channel_name"].str.strip()
    return {
        "credits": {
            model: dict(zip(names, result[column].astype(float), strict=False))
            for model, column in (
                ("first_touch", "first_touch"),
                ("last_touch", "last_touch"),
                ("linear", "linear_touch"),
            )
            if column in result
        }
    }


if __name__ == "__main__":
    main(run, ("pandas", "ChannelAttribution"))
