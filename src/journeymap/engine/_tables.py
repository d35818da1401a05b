"""Small helpers to turn engine results into typed Arrow tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

__all__ = ["drop_temporary", "materialize", "records_table"]

_PREFIX = "journeymap_tmp_"


def records_table(
    rows: Iterable[Mapping[str, Any]], columns: list[tuple[str, pa.DataType]]
) -> pa.Table:
    """An Arrow table with exactly ``columns`` (in order and type) from row dicts."""
    schema = pa.schema(columns)
    return pa.Table.from_pylist(
        [{name: row.get(name) for name, _ in columns} for row in rows], schema
    )


def materialize(expr: ir.Table) -> ir.Table:
    """Compute ``expr`` once into a temporary table when the backend can; else keep it lazy."""
    import uuid

    import ibis

    try:
        backend = ibis.get_backend(expr)
        return backend.create_table(f"{_PREFIX}{uuid.uuid4().hex}", expr, temp=True)
    except Exception:  # pragma: no cover - backends without temporary tables
        return expr


def drop_temporary(*tables: ir.Table | None) -> None:
    """Drop the temporary tables :func:`materialize` made; anything else is left alone."""
    import ibis.expr.operations as ops

    for table in tables:
        op = table.op() if table is not None else None
        if isinstance(op, ops.DatabaseTable) and op.name.startswith(_PREFIX):
            try:
                op.source.drop_table(op.name, force=True)
            except Exception:
                continue
