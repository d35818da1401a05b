"""ChannelAttribution (peer): ``markov_model`` on the path-string file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import main


def run(data: Path) -> dict[str, Any]:
    """Return ChannelAttribution's removal effects and Markov conversions per channel."""
    import pandas as pd
    from ChannelAttribution import markov_model

    paths = pd.read_csv(data / "paths.csv")
    out = markov_model(
        paths,
        "path",
        "total_conversions",
        var_null="total_null",
        order=1,
        sep=">",
        out_more=True,
        verbose=False,
    )
    result, effects = out["result"], out["removal_effects"]
    return {
        "removal_effects": dict(
            zip(effects["channel_name"].str.strip(), effects.iloc[:, 1].astype(float), strict=False)
        ),
        "conversions": dict(
            zip(
                result["channel_name"].str.strip(),
                result["total_conversions"].astype(float),
                strict=False,
            )
        ),
    }


if __name__ == "__main__":
    main(run, ("pandas", "ChannelAttribution"))
