"""pm4py (peer): ``discover_dfg``, the directly-follows counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import main


def run(data: Path) -> dict[str, Any]:
    """Return ``{"from > to": count}``."""
    import pandas as pd
    import pm4py

    frame = pd.read_parquet(data / "events.parquet", columns=["person_id", "ts", "touchpoint"])
    dfg, _start, _end = pm4py.discover_dfg(
        frame, case_id_key="person_id", activity_key="touchpoint", timestamp_key="ts"
    )
    return {"transitions": {f"{a} > {b}": int(n) for (a, b), n in dfg.items()}}


if __name__ == "__main__":
    main(run, ("pandas", "pm4py"))
