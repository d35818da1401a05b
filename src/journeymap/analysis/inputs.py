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
from journeymap.i18n.messages import _, count

__all__ = ["events_table", "no_events_in_period_reason", "no_events_reason", "opened"]


def opened(source: Any) -> Any:
    """``source``, a workspace path or URL opened as its ``Workspace`` (to read only).

    The workspace, not only its events, is what ``analyze`` reads when the events are
    missing: its quarantine says why.

    Raises:
        WorkspaceError: if the path is a folder, no DuckDB file, or no workspace.
    """
    if isinstance(source, str | Path):
        return _workspace_at(str(source))
    return source


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
        return _on_capable_engine(_workspace_at(str(source)).events())
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


def _workspace_at(location: str) -> Any:
    """The workspace at ``location``, opened to read only (its events checked readable)."""
    from journeymap.ingest.workspace import Workspace

    url = location if "://" in location else f"duckdb:///{Path(location).resolve()}"
    _check_duckdb_file(location, url)
    # A missing DuckDB file is refused by the read-only Workspace, with the same message.
    try:
        workspace = Workspace(url, read_only=True)
        workspace.events()
    except WorkspaceError:
        raise
    except Exception as exc:  # driver errors are translated at this boundary
        raise WorkspaceError(
            _("cannot open the events of {location}: {reason}").format(
                location=location, reason=exc
            )
        ) from None
    return workspace


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


def no_events_reason(source: Any) -> str:
    """Why events that hold no row cannot be analysed, said as the command line says it.

    An analysis of nothing came back as funnels of zeros and a 0 % conversion rate: a filter
    that matched nothing looked like a result. A workspace whose every imported row was
    quarantined says so, with where the reasons are. ``analyze`` raises these words in an
    :class:`AnalysisError`; the command line can say the same of the workspace it opened.

    Args:
        source: What was handed to ``analyze``: a ``Workspace`` (a location was opened as
            one), an Ibis table, or a DataFrame or Arrow table.
    """
    if callable(getattr(source, "has_table", None)) and callable(
        getattr(source, "quarantine", None)
    ):
        where = str(source.display_url)
        quarantined = _count(source.quarantine()) if source.has_table("quarantine") else 0
        return _workspace_without_events(where, quarantined)
    if isinstance(source, ir.Table):
        tables = _workspace_tables(source)
        if tables is not None:
            stored = _count(tables["events"])
            if stored:
                return _(
                    "none of the workspace's {count} events are in the events table given "
                    "(a filter that matched nothing?): there is nothing to analyse"
                ).format(count=count(stored))
            return _workspace_without_events(_location(source), _count(tables["quarantine"]))
    return _(
        "the events given hold no rows (an empty DataFrame, or a filter that matched nothing): "
        "there is nothing to analyse"
    )


def _count(table: ir.Table) -> int:
    return int(table.count().to_pyarrow().as_py() or 0)


def _workspace_tables(events: ir.Table) -> dict[str, ir.Table] | None:
    """The events and quarantine tables of the workspace ``events`` come from, if it is one."""
    try:
        backend = ibis.get_backend(events)
        # Asked table by table: Ibis 12 cannot list DuckDB 2's tables.
        return {name: backend.table(name) for name in ("events", "quarantine")}
    except Exception:  # no such table, or a backend that cannot say: say what is known
        return None


def _location(events: ir.Table) -> str:
    """Where the workspace of ``events`` is: its DuckDB file, else the engine's name."""
    backend = ibis.get_backend(events)
    connection = getattr(backend, "con", None)
    if backend.name == "duckdb" and connection is not None:
        found = connection.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()  # all: DuckDB 2 refuses the next query while a result is unfinished
        if found and found[0][0]:
            return str(found[0][0])
    return str(backend.name)


def _workspace_without_events(where: str, quarantined: int) -> str:
    """The command line's words for a workspace without events; ``where`` names it."""
    why = (
        _(
            "; all {count} rows imported so far were quarantined (their reasons are in the "
            "import's report and the workspace's quarantine table)"
        ).format(count=count(quarantined))
        if quarantined
        else ""
    )
    return _(
        "the workspace {where} holds no events{why}; import events first with "
        "`journeymap import EVENTS --map MAP`"
    ).format(where=where, why=why)


def no_events_in_period_reason(period: Any) -> str:
    """Why a period without events cannot be analysed, with the range the events do cover.

    ``period`` is the :class:`~journeymap.engine.period.Period` that
    :func:`~journeymap.engine.period.in_period` found empty.
    """
    from journeymap.engine.period import readable

    start = readable(period.since) or _("the first event")
    end = readable(period.until) or _("the last event")
    first, last = readable(period.data_first), readable(period.data_last)
    return _(
        "no event falls in the period from {since} up to {until} (since is included, until "
        "left out): the {count} events given run from {first} to {last}; choose a period "
        "within that"
    ).format(since=start, until=end, count=count(period.events_total), first=first, last=last)
