"""Small helpers of the engine: temporary tables, typed Arrow results, portable expressions."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Generator, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine._scratch import scratch_catalog
from journeymap.errors import MissingDependencyError
from journeymap.ingest.readers._common import arrow_table

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "arrow_memtable",
    "arrow_of",
    "backend_name",
    "drop_temporary",
    "exact_sum",
    "first_text",
    "in_memory",
    "is_temporary",
    "materialize",
    "number",
    "polars_frame",
    "record_batches",
    "records_table",
    "scratch",
    "seconds",
]

_PREFIX = "journeymap_tmp_"
# The engine adds floats in no fixed order (the partial sums of its threads), so their sums
# differed from run to run in the last bits (1e-10 in a credit of 1,087) and two identical
# analyses wrote different JSON. Cast to decimals, each term is rounded once and the sum is
# exact, the same in any order: weights (at most 1 a touch, times the journeys a path row
# stands for) to 18 decimals, values (money) to 10, room for totals up to 10**28.
_WEIGHT_DECIMAL = dt.Decimal(38, 18)
_VALUE_DECIMAL = dt.Decimal(38, 10)


def records_table(
    rows: Iterable[Mapping[str, Any]], columns: list[tuple[str, pa.DataType]]
) -> pa.Table:
    """An Arrow table with exactly ``columns`` (in order and type) from row dicts."""
    schema = pa.schema(columns)
    return pa.Table.from_pylist(
        [{name: row.get(name) for name, _ in columns} for row in rows], schema
    )


def arrow_of(source: Any) -> pa.Table | None:
    """An Arrow table as is, a pandas or polars DataFrame (or LazyFrame) as Arrow; else None."""
    return arrow_table(source)


def arrow_memtable(table: pa.Table) -> ir.Table:
    """``ibis.memtable(table)`` without ibis's first-call import of ``pyarrow.dataset``.

    ``ibis.memtable`` dispatches on the data's type, and its first dispatch imports every
    type it knows, ``pyarrow.dataset`` among them: 0.2 s from a cold cache, for a table the
    engine may never read. The same node is built here for an Arrow table; where ibis's
    names differ, ``ibis.memtable`` serves.
    """
    import ibis

    try:
        import ibis.expr.operations as ops
        from ibis import util
        from ibis.expr import schema as sch
        from ibis.formats.pyarrow import PyArrowTableProxy
    except ImportError:  # pragma: no cover - another ibis: its own way
        return ibis.memtable(table)
    node = ops.InMemoryTable(
        name=util.gen_name("pyarrow_memtable"),
        schema=sch.Schema.from_pyarrow(table.schema),
        data=PyArrowTableProxy(table),
    )
    expr: ir.Table = node.to_expr()
    return expr


def in_memory(source: Any) -> ir.Table | None:
    """An Ibis table as is; an Arrow table or pandas/polars DataFrame in memory; else None."""
    if isinstance(source, ir.Table):
        return source
    table = arrow_of(source)
    return arrow_memtable(table) if table is not None else None


def polars_frame(table: pa.Table, purpose: str) -> pl.DataFrame:
    """``table`` as a polars DataFrame; without polars, an error naming the extra to install.

    Args:
        table: The Arrow table.
        purpose: What the conversion is for, said in the error ("Converting ... to polars").
    """
    try:
        import polars
    except ImportError:
        raise MissingDependencyError("polars", "polars", purpose) from None
    frame = polars.from_arrow(table)
    assert isinstance(frame, polars.DataFrame)
    return frame


@ibis.udf.scalar.builtin(name="epoch")  # type: ignore[untyped-decorator]
def _duckdb_epoch(ts: datetime.datetime) -> float:  # type: ignore[empty-body]
    """DuckDB's ``epoch``: seconds since 1970 as a double, of a time with or without a zone."""


def record_batches(expr: ir.Table, rows: int = 1 << 18) -> Generator[pa.RecordBatch, None, None]:
    """The result of ``expr`` in batches of at most ``rows``; at least one, empty if need be.

    Streamed from DuckDB, so only one batch is in the process' memory at a time; other
    backends return the result whole, then sliced. Run no other query on the connection until
    the iterator is exhausted or closed.
    """
    import ibis

    backend = ibis.get_backend(expr)
    # Ibis 12's own to_pyarrow_batches calls a method DuckDB 2 removed; its relation streams.
    relation = getattr(backend, "_to_duckdb_relation", None)
    if relation is None:
        table = expr.to_pyarrow()
        reader: pa.RecordBatchReader = pa.RecordBatchReader.from_batches(
            table.schema, table.to_batches(rows)
        )
    else:
        found = relation(expr)
        reader = (getattr(found, "to_arrow_reader", None) or found.fetch_arrow_reader)(rows)
    empty = True
    try:
        for batch in reader:
            empty = False
            yield batch
    finally:  # read to the end or left early: DuckDB takes no query while a result is open
        reader.close()
    if empty:
        yield pa.RecordBatch.from_pylist([], schema=reader.schema)


def exact_sum(
    x: ir.NumericValue, *, value: bool = False, where: ir.BooleanValue | None = None
) -> ir.FloatingScalar:
    """The sum of ``x`` as a float, the same whatever order the engine adds the terms in.

    ``value``: ``x`` is money, kept to 10 decimals (a weight to 18); a value that is no
    finite number, or beyond 10**28, adds nothing (as a null does) instead of failing.
    """
    total: ir.FloatingScalar = exact_total(x, value=value, where=where).cast(dt.float64)
    return total


def exact_total(
    x: ir.NumericValue, *, value: bool = False, where: ir.BooleanValue | None = None
) -> ir.NumericScalar:
    """The sum of :func:`exact_sum` as an exact decimal, for partial sums added up later.

    Partial sums added as decimals (in the engine, or as :class:`decimal.Decimal`) give the
    same total as one sum of every term.
    """
    exact = x.try_cast(_VALUE_DECIMAL) if value else x.cast(_WEIGHT_DECIMAL)
    total: ir.NumericScalar = exact.sum(where=where)
    return total


def number(flag: ir.BooleanValue, dtype: dt.DataType = dt.int64) -> ir.NumericValue:
    """1 where ``flag`` holds, else 0 (a null counts as 0), as ``dtype``.

    A CASE of integers, cast: PostgreSQL casts a boolean to no number wider than an integer,
    and reads a float literal as ``numeric`` (whose sums come back as decimals).
    """
    import ibis

    return ibis.ifelse(flag, 1, 0).cast(dtype)


def seconds(ts: ir.TimestampValue) -> ir.FloatingValue:
    """Seconds since 1970 as a float: sub-second parts kept, any year.

    Ibis types ``epoch_seconds()`` as a 32-bit integer, so a table that stored it (or a cast
    of it) failed for times after 2038-01-19 or before 1901-12-13, and dropped fractions.
    On DuckDB it is the engine's own ``epoch``: Ibis's ``epoch_seconds`` first casts a time
    with a zone to one without, through the time-zone library, which took eight times as
    long per row (the ages and gaps of every event pay it).
    """
    if backend_name(ts) == "duckdb":
        return _duckdb_epoch(ts)
    return ts.epoch_seconds().cast(dt.float64)


@ibis.udf.agg.builtin(name="arg_min")  # type: ignore[untyped-decorator]
def _duckdb_arg_min(value: str, key: int) -> str:  # type: ignore[empty-body]
    """DuckDB's ``arg_min``: ``value`` on the row with the smallest ``key``, no sort."""


def first_text(values: ir.StringColumn, order: ir.IntegerColumn) -> ir.StringScalar:
    """The first text of ``values`` that is there (not null), by ``order``: a per-group value.

    Ibis writes ``argmin`` on DuckDB as ``first(value ORDER BY key)``, an ordered aggregate,
    which makes the engine sort each group's rows; DuckDB's own ``arg_min`` keeps the row with
    the smallest key it has seen. With nulls left out the two agree. In the per-journey facts
    of 1M generated journeys (whose sequences need no sort either) that was 1.0 s -> 0.67 s.
    """
    where = values.notnull()
    if values.type().is_string() and order.type().is_integer() and backend_name(values) == "duckdb":
        return _duckdb_arg_min(values, order, where=where)
    return values.argmin(order, where=where)


def nulls_last(value: str | None) -> tuple[bool, str]:
    """A sort key for a text that puts a missing one last, as the engine orders them."""
    return (value is None, value or "")


def backend_name(expr: ir.Expr) -> str | None:
    """The name of the backend ``expr`` runs on, or None when it has none of its own."""
    import ibis.common.exceptions as exc

    try:
        return str(ibis.get_backend(expr).name)
    except exc.IbisError:
        return None


def materialize(expr: ir.Table) -> ir.Table:
    """Compute ``expr`` once into a temporary table when the backend can; else keep it lazy."""
    import uuid

    import ibis
    import ibis.expr.operations as ops
    from ibis.common.exceptions import IbisError

    if isinstance(expr.op(), ops.InMemoryTable):
        return expr  # already in memory (and ibis 12 cannot copy one on DuckDB 2)
    try:
        backend = ibis.get_backend(expr)
        # Every column nullable: ibis types some aggregates of NOT NULL columns (a filtered
        # min, say) as NOT NULL, and the table would then refuse their NULLs.
        nullable = ibis.schema({n: t.copy(nullable=True) for n, t in expr.schema().items()})
        name = f"{_PREFIX}{uuid.uuid4().hex}"
        catalog = scratch_catalog(backend)
        if catalog is None:
            table = backend.create_table(name, schema=nullable, temp=True)
            backend.insert(name, expr)
            return table
        # Compressed on disk (see engine._scratch): the same table, dropped the same way.
        table = backend.create_table(name, schema=nullable, database=(catalog, "main"))
        backend.insert(name, expr, database=(catalog, "main"))
        return table
    except (IbisError, NotImplementedError):  # no temporary tables there, or a NULL-typed column
        return expr


def is_temporary(table: ir.Table) -> bool:
    """Whether ``table`` is a temporary table :func:`materialize` made."""
    import ibis.expr.operations as ops

    op = table.op()
    return isinstance(op, ops.DatabaseTable) and op.name.startswith(_PREFIX)


def drop_temporary(*tables: ir.Table | None) -> None:
    """Drop the temporary tables :func:`materialize` made; anything else is left alone."""
    import ibis.expr.operations as ops

    for table in tables:
        if table is None or not is_temporary(table):
            continue
        op = table.op()
        assert isinstance(op, ops.DatabaseTable)  # is_temporary says so
        try:
            # Raw SQL: the name is our own hex, and ibis 12's drop_table trips DuckDB 2.
            where = op.namespace.catalog
            on_disk = where is not None and where == scratch_catalog(op.source)
            qualified = f'"{where}"."main"."{op.name}"' if on_disk else f'"{op.name}"'
            result = op.source.raw_sql(f"DROP TABLE IF EXISTS {qualified}")
            if op.source.name == "duckdb":
                result.fetchall()  # DuckDB 2 holds the connection until the result is read
            elif hasattr(result, "close"):
                result.close()
        except Exception as exc:
            if "closed" not in str(exc).lower():
                raise  # only a closed connection (its tables went with it) is expected


@contextlib.contextmanager
def scratch(expr: ir.Table, own: bool = True) -> Iterator[ir.Table]:
    """``expr`` computed once for the block (when ``own``), its temporary table dropped after.

    A metric that derives its input itself (no ``facts=`` given) reads it more than once;
    this spares recomputing it, and the journeys under it, for every read.
    """
    if not own:
        yield expr
        return
    table = materialize(expr)
    try:
        yield table
    finally:
        drop_temporary(table)
