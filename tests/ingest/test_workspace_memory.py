"""The workspace.memory_limit setting caps a DuckDB workspace's memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeymap.errors import WorkspaceError
from journeymap.ingest import Workspace


def _limit(workspace: Workspace) -> str:
    assert workspace.duckdb is not None
    row = workspace.duckdb.execute("SELECT current_setting('memory_limit')").fetchone()
    assert row is not None
    return str(row[0])


def test_memory_limit_setting_reaches_duckdb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    with Workspace(url) as workspace:
        default = _limit(workspace)
    monkeypatch.setenv("JOURNEYMAP_WORKSPACE_MEMORY_LIMIT", "512MB")
    with Workspace(url) as workspace:
        assert _limit(workspace) == "488.2 MiB"  # DuckDB shows 512 MB in MiB
    assert default != "488.2 MiB"


def test_a_bad_memory_limit_is_refused_when_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNEYMAP_WORKSPACE_MEMORY_LIMIT", "lots")
    with pytest.raises(
        WorkspaceError, match=r"JOURNEYMAP_WORKSPACE_MEMORY_LIMIT=.lots. is not a size"
    ):
        Workspace(f"duckdb:///{tmp_path / 'w.duckdb'}")


@pytest.mark.parametrize("read_only", [False, True])
def test_a_workspace_hands_freed_memory_back(tmp_path: Path, read_only: bool) -> None:
    # DuckDB's allocator keeps what a query freed unless its background threads purge it:
    # at 10M generated journeys 1.6 GB more stayed resident beside the metrics' arrays.
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    Workspace(url).close()  # create it
    with Workspace(url, read_only=read_only) as workspace:
        assert workspace.duckdb is not None
        row = workspace.duckdb.execute(
            "SELECT current_setting('allocator_background_threads')"
        ).fetchone()
        assert row == (True,)
