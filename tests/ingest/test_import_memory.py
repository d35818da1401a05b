"""An import holds one batch at a time, not every batch until it commits."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeymap.ingest import Workspace, import_events
from journeymap.model.mapping import MappingRules

RULES = MappingRules.model_validate(
    {
        "columns": {"person_id": "user", "timestamp": "when"},
        "touchpoints": [{"touchpoint_from": "channel"}],
    }
)
BATCH_ROWS = 5_000
BATCHES = 8


def test_the_batches_stored_are_not_held_until_the_import_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB kept each inserted batch's Arrow table to the commit: 1 GB for 4.5M rows."""
    monkeypatch.setattr("journeymap.ingest.readers.columnar.BATCH_ROWS", BATCH_ROWS)
    rows = BATCH_ROWS * BATCHES
    path = tmp_path / "events.parquet"
    pq.write_table(
        pa.table(
            {
                "user": [f"person-{i // 3:012d}" for i in range(rows)],
                "when": [f"2024-03-{1 + i % 28:02d} {i % 24:02d}:00:00" for i in range(rows)],
                "channel": [("newsletter", "search-ads", "checkout")[i % 3] for i in range(rows)],
            }
        ),
        path,
    )
    live: list[int] = []
    with Workspace(f"duckdb:///{tmp_path / 'w.duckdb'}") as workspace:
        report = import_events(
            workspace, path, RULES, progress=lambda _rows: live.append(pa.total_allocated_bytes())
        )
        assert report.rows_imported == rows
        stored = workspace.events().to_pyarrow()
    batch_bytes = stored.nbytes // BATCHES
    assert len(live) == BATCHES
    # From the second batch on, as much Arrow memory is alive after each: one batch's.
    assert max(live[1:]) - live[1] < batch_bytes // 2, [size // 1024 for size in live]
