"""Turn whatever the user hands to ``analyze`` into an Ibis events table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from journeymap.engine._tables import arrow_of, in_memory
from journeymap.errors import AnalysisError, WorkspaceError
from journeymap.i18n.messages import _

__all__ = ["events_table"]


def events_table(source: Any) -> ir.Table:
    """An Ibis events table from a table, a Workspace, a database path/URL or a DataFrame.

    Raises:
        AnalysisError: if the source is of an unknown kind.
        WorkspaceError: if a database path does not exist or has no events table.
    """
    if isinstance(source, ir.Table):
        return _on_capable_engine(source)
    events = getattr(source, "events", None)
    if callable(events):
        result = events()
        if isinstance(result, ir.Table):
            return _on_capable_engine(result)
    if isinstance(source, str | Path):
        return _on_capable_engine(_from_location(str(source)))
    arrow = arrow_of(source)
    if arrow is not None:
        if "row_number" not in arrow.column_names:
            # Events at the same time keep the frame's order, as an import keeps the file's
            # (BPIC 2012 has 25,365 events that share a case and a time): without it they
            # fell back to touchpoint order, and drop-offs differed from the imported file's.
            numbers = pa.array(np.arange(1, arrow.num_rows + 1, dtype=np.int64))
            arrow = arrow.append_column("row_number", numbers)
        return ibis.memtable(arrow)
    raise AnalysisError(
        _(
            "cannot analyze a {type}; pass an Ibis table, a Workspace, a workspace path or URL, "
            "or a pandas/polars DataFrame, Arrow table or Arrow stream of events"
        ).format(type=type(source).__name__)
    )


def _on_capable_engine(events: ir.Table) -> ir.Table:
    """``events`` where its engine runs the metrics, else a copy in memory.

    The metrics read each journey's touchpoints in order (ordered array and text
    aggregates). SQLite has no arrays and Ibis cannot order its aggregates, so the events of
    a SQLite workspace (a small one, as a rule) are analysed as a DataFrame would be, on
    DuckDB in memory. Whether an engine can is asked of Ibis's compiler, which refuses what
    the engine lacks.
    """
    from ibis.common.exceptions import TranslationError

    ordered = events.aggregate(
        _sequence=events.touchpoint.collect(order_by=events.ts),
        _text=events.touchpoint.group_concat("|", order_by=events.ts),
    )
    try:
        ibis.to_sql(ordered)
    except TranslationError:
        pass
    else:
        return events
    copy = in_memory(events.to_pyarrow())
    assert copy is not None  # an Arrow table always has a copy
    return copy


def _from_location(location: str) -> ir.Table:
    url = location if "://" in location else f"duckdb:///{Path(location).resolve()}"
    _check_duckdb_file(location, url)
    # A missing DuckDB file is refused by the read-only Workspace, with the same message.
    try:
        from journeymap.ingest.workspace import Workspace
    except ImportError:  # pragma: no cover - the ingest layer ships with journeymap
        Workspace = None  # type: ignore[assignment,misc]
    try:
        if Workspace is not None:
            table = Workspace(url, read_only=True).events()
        else:  # pragma: no cover
            table = ibis.connect(url).table("events")
    except WorkspaceError:
        raise
    except Exception as exc:  # driver errors are translated at this boundary
        raise WorkspaceError(
            _("cannot open the events of {location}: {reason}").format(
                location=location, reason=exc
            )
        ) from None
    return table


# Every DuckDB database file has these bytes at offset 8 (its storage header's magic).
DUCKDB_MAGIC = b"DUCK"


def _check_duckdb_file(location: str, url: str) -> None:
    """Refuse a folder or a file that is no DuckDB database, saying what to hand over instead.

    DuckDB's own words for them were "does not exist" (a folder that does) and "Cannot launch
    in-memory database in read-only mode!" (the CSV file the events came in).
    """
    if not url.startswith("duckdb://"):
        return
    rest = url[len("duckdb://") :]
    if rest in ("", "/", "/:memory:", ":memory:"):
        return
    path = Path(rest[1:] if rest.startswith("/") else rest)
    if path.is_dir():
        raise WorkspaceError(
            _(
                "{location} is a folder, not a workspace: give the workspace's DuckDB file "
                "(journeymap.duckdb unless the import named another)"
            ).format(location=location)
        )
    if not path.is_file():
        return  # the read-only Workspace says it does not exist
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError as exc:
        raise WorkspaceError(
            _("cannot read {location}: {reason}").format(location=location, reason=exc)
        ) from None
    if head[8:12] != DUCKDB_MAGIC:
        raise WorkspaceError(
            _(
                "{location} is not a journeymap workspace (a DuckDB database file): import the "
                "events into one first (journeymap.import_events(workspace, path, rules) or "
                "`journeymap import`) and analyze the workspace, or hand analyze() a DataFrame "
                "or Arrow table with the events contract's columns"
            ).format(location=location)
        )
