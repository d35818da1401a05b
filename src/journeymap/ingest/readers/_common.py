"""Helpers every reader shares: turning any Arrow data into batches of text columns."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

BATCH_ROWS = 50_000
# Schema metadata of a text batch: the types its columns had before they became text.
SOURCE_TYPES = b"journeymap.source_types"


def as_text_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Cast every column to text so the original row can be stored and hashed as read.

    The types the columns had (those that were not text) are kept in the schema's
    :data:`SOURCE_TYPES` metadata, so the import can say a timestamp was the source's own.
    """
    columns = []
    for column in batch.columns:
        if pa.types.is_string(column.type):
            columns.append(column)
        elif pa.types.is_large_string(column.type):
            columns.append(pc.cast(column, pa.string()))
        elif pa.types.is_boolean(column.type):
            columns.append(pc.if_else(column, "TRUE", "FALSE"))
        elif pa.types.is_nested(column.type) or pa.types.is_dictionary(column.type):
            columns.append(
                pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string())
            )
        else:
            columns.append(pc.cast(column, pa.string()))
    names = [str(name) for name in batch.schema.names]
    types = {
        name: str(column.type)
        for name, column in zip(names, batch.columns, strict=True)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type))
    }
    metadata = {SOURCE_TYPES: json.dumps(types).encode()} if types else None
    schema = pa.schema([pa.field(name, pa.string()) for name in names], metadata=metadata)
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def source_type(batch: pa.RecordBatch, name: str) -> str | None:
    """The type column ``name`` had before :func:`as_text_batch` made it text (None: text)."""
    metadata = batch.schema.metadata or {}
    if SOURCE_TYPES not in metadata:
        return None
    found = json.loads(metadata[SOURCE_TYPES]).get(name)
    return str(found) if found is not None else None


def table_batches(table: pa.Table) -> Iterator[pa.RecordBatch]:
    """Yield a table as text batches of at most :data:`BATCH_ROWS` rows."""
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        if batch.num_rows:
            yield as_text_batch(batch)


def arrow_table(frame: Any) -> pa.Table | None:
    """An Arrow table of a pandas or polars DataFrame, an Arrow table or batch; else None.

    A polars LazyFrame is collected first; anything else that hands out an Arrow stream (a
    ``RecordBatchReader``, a DuckDB relation: the Arrow PyCapsule interface) is read whole.
    """
    if isinstance(frame, pa.RecordBatch):
        return pa.Table.from_batches([frame])
    if isinstance(frame, pa.Table):
        return frame
    module = type(frame).__module__.split(".")[0]
    if module == "polars":
        collected = frame.collect() if hasattr(frame, "collect") else frame
        return collected.to_arrow()
    if module == "pandas":
        return pa.Table.from_pandas(frame, preserve_index=False)
    if hasattr(frame, "__arrow_c_stream__"):
        return pa.table(frame)
    return None
