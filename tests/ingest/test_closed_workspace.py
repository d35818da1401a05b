"""A closed workspace is said to be closed, not "has no readable table" or "rejected"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from journeymap.errors import WorkspaceError
from journeymap.ingest import Workspace, import_events
from journeymap.model.mapping import MappingRules

RULES = MappingRules.model_validate(
    {
        "columns": {"person_id": "person", "timestamp": "ts"},
        "touchpoints": [{"touchpoint_from": "channel"}],
    }
)
ROWS = pa.table(
    {
        "person": ["p1", "p2"],
        "ts": pa.array([dt.datetime(2024, 1, 1, tzinfo=dt.UTC)] * 2, pa.timestamp("us", "UTC")),
        "channel": ["ad", "blog"],
    }
)


def test_reading_or_importing_after_the_block_says_so(tmp_path: Path) -> None:
    path = tmp_path / "shop.duckdb"
    with Workspace(str(path)) as workspace:
        assert not workspace.closed
        assert import_events(workspace, ROWS, RULES).rows_imported == 2
    assert workspace.closed
    said = r"shop\.duckdb was closed \(at the end of its 'with Workspace\(\.\.\.\)' block"
    with pytest.raises(WorkspaceError, match=said):
        workspace.events()
    with pytest.raises(WorkspaceError, match=said):
        import_events(workspace, ROWS, RULES)
    workspace.close()  # still safe twice
    with Workspace(str(path)) as again:  # the advice works
        assert again.events().count().to_pyarrow().as_py() == 2


def test_analyze_of_a_closed_workspace_says_so(tmp_path: Path) -> None:
    from journeymap.analysis import analyze
    from journeymap.model import JourneyMap, Phase, Touchpoint

    journey_map = JourneyMap(
        id="m",
        name="m",
        phases=[Phase(id="a", name="A", order=1)],
        touchpoints=[Touchpoint(id=t, name=t, phases=["a"]) for t in ("ad", "blog")],
    )
    with Workspace(str(tmp_path / "shop.duckdb")) as workspace:
        import_events(workspace, ROWS, RULES)
    with pytest.raises(WorkspaceError, match="was closed"):
        analyze(journey_map, workspace)
