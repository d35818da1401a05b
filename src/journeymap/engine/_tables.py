"""Small helpers to turn engine results into typed Arrow tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

__all__ = ["records_table"]


def records_table(
    rows: Iterable[Mapping[str, Any]], columns: list[tuple[str, pa.DataType]]
) -> pa.Table:
    """An Arrow table with exactly ``columns`` (in order and type) from row dicts."""
    schema = pa.schema(columns)
    return pa.Table.from_pylist(
        [{name: row.get(name) for name, _ in columns} for row in rows], schema
    )
