"""Attribution on an analysis whose workspace is gone says what to do instead of a driver error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from journeymap.analysis import analyze
from journeymap.errors import AnalysisError
from journeymap.ingest import Workspace
from journeymap.model import JourneyMap, Phase, Touchpoint


def test_attribution_after_the_workspace_closed_is_a_user_error(
    tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    journey_map = JourneyMap(
        id="m",
        name="M",
        phases=[Phase(id="a", name="A", order=1)],
        touchpoints=[
            Touchpoint(id="ad", name="Ad", phases=["a"]),
            Touchpoint(id="shop", name="Shop", phases=["a"]),
        ],
    )
    events = pd.DataFrame(
        {
            "person_id": ["p1", "p1", "p2"],
            "account_id": [None, None, None],
            "ts": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-01"], utc=True),
            "touchpoint": ["ad", "shop", "ad"],
            "phase": [None, None, None],
            "persona": [None, None, None],
            "conversion": [False, True, False],
            "value": [None, 10.0, None],
        }
    )
    path = fill_workspace(tmp_path / "w.duckdb", pa.Table.from_pandas(events))
    with Workspace(f"duckdb:///{path}") as workspace:
        analysis = analyze(journey_map, workspace)
        inside = analysis.attribution(model="last_touch")
        assert {r["key"]: r["conversions"] for r in inside.table.to_pylist()}["shop"] == 1.0
    with pytest.raises(AnalysisError, match="inside the 'with Workspace"):
        analysis.attribution(model="last_touch")
