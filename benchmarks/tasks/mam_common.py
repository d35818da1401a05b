"""marketing-attribution-models (peer, module ``mam``): load the events into ``MAM``."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def load(data: Path) -> Any:
    """A ``MAM`` over the events in its session format, one journey per person."""
    import polars as pl
    from mam import MAM

    frame = pl.read_parquet(
        data / "events.parquet", columns=["person_id", "ts", "touchpoint", "conversion"]
    )
    return MAM(
        frame,
        format_type="session",
        channels_colname="touchpoint",
        journey_with_conv_colname="conversion",
        datetime_colname="ts",
        user_id_colname="person_id",
        create_journey_id_based_on_conversion=True,
    )


def totals(result: Any) -> dict[str, float]:
    """A MAM result's per-channel credits (first column the channel, last the credit)."""
    table = result.to_pandas()
    columns = list(table.columns)
    return dict(zip(table[columns[0]].astype(str), table[columns[-1]].astype(float), strict=False))
