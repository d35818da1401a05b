"""Parquet files, JSON Lines files, pandas/polars DataFrames and Arrow tables."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from journeymap.errors import ReaderError
from journeymap.ingest.readers._common import (
    BATCH_ROWS,
    arrow_table,
    as_text_batch,
    table_batches,
)


def read_parquet(path: str | Path) -> Iterator[pa.RecordBatch]:
    """Stream a Parquet file as batches of text columns."""
    file = Path(path)
    if not file.is_file():
        raise ReaderError("file not found", file)
    try:
        parquet = pq.ParquetFile(file)
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            yield as_text_batch(batch)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ReaderError(f"not a readable Parquet file: {exc}", file) from None


def read_jsonl(
    path: str | Path, on_malformed: Callable[[str], None] | None = None
) -> Iterator[pa.RecordBatch]:
    """Stream a JSON Lines file (one object per line) as batches of text columns.

    Nested values are kept as their JSON text. A line that is not a JSON object goes to
    ``on_malformed`` (its text, without the line break), as the CSV reader passes a line with
    the wrong number of fields; without it, it raises a :class:`ReaderError` naming the line.
    """
    file = Path(path)
    if not file.is_file():
        raise ReaderError("file not found", file)
    names: list[str] = []
    rows: list[dict[str, Any]] = []
    objects = malformed = 0
    first_problem = ""
    with file.open("r", encoding="utf-8-sig") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                problem = None if isinstance(record, dict) else "expected a JSON object"
            except json.JSONDecodeError as exc:
                problem = f"not JSON ({exc.msg})"
            if problem is not None:
                if on_malformed is None:
                    raise ReaderError(f"line {line_number}: {problem}", file)
                malformed += 1
                first_problem = first_problem or f"line {line_number}: {problem}"
                on_malformed(line.rstrip("\r\n"))
                continue
            objects += 1
            for key in record:
                if key not in names:
                    names.append(key)
            rows.append(record)
            if len(rows) >= BATCH_ROWS:
                yield _rows_batch(rows, names)
                rows = []
    if rows:
        yield _rows_batch(rows, names)
    if not objects and malformed:
        raise ReaderError(
            f"no line is a JSON object: all {malformed:,} lines are malformed ({first_problem}). "
            "Is this a JSON Lines file?",
            file,
        )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _rows_batch(rows: list[dict[str, Any]], names: list[str]) -> pa.RecordBatch:
    arrays = [pa.array([_text(row.get(name)) for row in rows], pa.string()) for name in names]
    return pa.RecordBatch.from_arrays(arrays, names=names)


def read_frame(frame: Any) -> Iterator[pa.RecordBatch]:
    """Read a pandas or polars DataFrame, an Arrow table or record batch.

    Raises:
        ReaderError: The object is none of those.
    """
    table = arrow_table(frame)
    if table is not None:
        return table_batches(table)
    raise ReaderError(
        f"cannot read events from a {type(frame).__name__}; give a file path, a pandas or "
        "polars DataFrame, or a pyarrow Table"
    )
