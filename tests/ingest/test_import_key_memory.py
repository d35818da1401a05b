"""The row keys an import keeps take a few bytes a row, not a hundred.

An import keeps every row key it reads, to know an exact duplicate, and every key stored
before, to know a row imported already. As Python strings in a dict and a set, that took
about 115 bytes a row read and as much a row stored: 468 MB for the 4,541,470 rows of a
1M-journey export, several GB for a 50M-row one. Measured with tracemalloc (numpy arrays
included); the DuckDB workspace's own memory is not Python's and not counted.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
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
BATCH_ROWS = 2_500
ROWS = 30_000
COPIES = 1_500  # rows that repeat an earlier row exactly, as many in each batch
# Bytes of Python memory the import may hold on to per row read (or stored): the keys as
# digests take 16 (24 with the row number), the events' digests (same event already
# imported, ``_same_events``) 24.
BYTES_A_ROW = 64


@pytest.fixture
def events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file of ROWS rows in batches of BATCH_ROWS; every 20th repeats a row 7 rows up."""
    monkeypatch.setattr("journeymap.ingest.readers.columnar.BATCH_ROWS", BATCH_ROWS)
    numbers: list[int] = []
    for position in range(ROWS):
        copy = position % (ROWS // COPIES) == ROWS // COPIES - 1
        numbers.append(numbers[position - 7] if copy else position)
    path = tmp_path / "events.parquet"
    pq.write_table(
        pa.table(
            {
                "user": [f"person-{i // 3:09d}" for i in numbers],
                "when": [f"2024-03-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00" for i in numbers],
                "channel": [("newsletter", "search-ads", "checkout")[i % 3] for i in numbers],
            }
        ),
        path,
    )
    return path


@contextmanager
def traced() -> Iterator[None]:
    """Python's allocations traced in the block (tracing left as it was after it)."""
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    try:
        yield
    finally:
        if not tracing:
            tracemalloc.stop()


def test_the_keys_of_the_rows_read_take_a_few_bytes_a_row(events: Path) -> None:
    """From the first batch to the last, the memory held grows by less than 64 bytes a row."""
    held: list[tuple[int, int]] = []

    def progress(rows: int) -> None:
        held.append((rows, tracemalloc.get_traced_memory()[0]))

    with Workspace("duckdb://") as workspace, traced():
        report = import_events(workspace, events, RULES, progress=progress)
    assert report.rows_read == ROWS
    assert report.quarantined == {"exact duplicate": COPIES}
    assert report.rows_imported == ROWS - COPIES
    (first_rows, first_held), (last_rows, last_held) = held[0], held[-1]
    assert last_rows - first_rows == ROWS - BATCH_ROWS
    per_row = (last_held - first_held) / (last_rows - first_rows)
    assert per_row < BYTES_A_ROW, f"{per_row:.0f} bytes a row held by the import"


def test_a_reimport_keeps_the_stored_keys_in_a_few_bytes_each(events: Path) -> None:
    """Held at the first batch, the stored keys read: less than 64 bytes a stored row."""
    held: list[int] = []

    def progress(_rows: int) -> None:
        held.append(tracemalloc.get_traced_memory()[0])

    with Workspace("duckdb://") as workspace:
        import_events(workspace, events, RULES)
        with traced():
            before = tracemalloc.get_traced_memory()[0]
            report = import_events(workspace, events, RULES, progress=progress)
    assert report.rows_already_imported == ROWS
    assert report.rows_imported == 0
    # The stored keys, and the first batch's own Python objects.
    per_row = (held[0] - before) / (ROWS - COPIES)
    assert per_row < BYTES_A_ROW, f"{per_row:.0f} bytes a stored row held by the import"
