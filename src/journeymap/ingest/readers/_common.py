"""Helpers every reader shares: turning any Arrow data into batches of text columns."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

BATCH_ROWS = 50_000


def as_text_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Cast every column to text so the original row can be stored and hashed as read."""
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
    return pa.RecordBatch.from_arrays(columns, names=names)


def table_batches(table: pa.Table) -> Iterator[pa.RecordBatch]:
    """Yield a table as text batches of at most :data:`BATCH_ROWS` rows."""
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        if batch.num_rows:
            yield as_text_batch(batch)
