"""Turn whatever the user hands to ``analyze`` into an Ibis events table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from journeymap.engine._tables import in_memory
from journeymap.errors import AnalysisError, WorkspaceError

__all__ = ["events_table"]


def events_table(source: Any) -> ir.Table:
    """An Ibis events table from a table, a Workspace, a database path/URL or a DataFrame.

    Raises:
        AnalysisError: if the source is of an unknown kind.
        WorkspaceError: if a database path does not exist or has no events table.
    """
    if isinstance(source, ir.Table):
        return source
    events = getattr(source, "events", None)
    if callable(events):
        result = events()
        if isinstance(result, ir.Table):
            return result
    if isinstance(source, str | Path):
        return _from_location(str(source))
    table = in_memory(source)
    if table is not None:
        return table
    raise AnalysisError(
        f"cannot analyze a {type(source).__name__}; pass an Ibis table, a Workspace, a "
        "workspace path or URL, or a pandas/polars DataFrame or Arrow table of events"
    )


def _from_location(location: str) -> ir.Table:
    url = location if "://" in location else f"duckdb:///{Path(location).resolve()}"
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
        raise WorkspaceError(f"cannot open the events of {location}: {exc}") from None
    return table
