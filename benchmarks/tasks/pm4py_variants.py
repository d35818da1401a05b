"""pm4py (peer): ``get_variants``, every distinct trace with its count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import main
from benchmarks.tasks.digest import variants_digest


def run(data: Path) -> dict[str, Any]:
    """Return the variants digest (count, journeys, hash)."""
    import pandas as pd
    import pm4py

    frame = pd.read_parquet(data / "events.parquet", columns=["person_id", "ts", "touchpoint"])
    found = pm4py.get_variants(
        frame, case_id_key="person_id", activity_key="touchpoint", timestamp_key="ts"
    )
    pairs = (
        (variant, count if isinstance(count, int) else len(count))
        for variant, count in found.items()
    )
    return variants_digest(pairs)


if __name__ == "__main__":
    main(run, ("pandas", "pm4py"))
