"""The workspace's feedback tables: their columns, creating them, and reading them back.

``feedback`` holds one row per survey answer, its score normalised to -2..+2 beside the
score as read; ``feedback_quarantine`` the rows that were not taken, each with its reason.
Both carry the id of the map the feedback was imported for: one workspace can hold the
feedback of several maps.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from journeymap.errors import WorkspaceError
from journeymap.i18n.messages import _
from journeymap.ingest._workspace_tables import _ibis_types
from journeymap.ingest.workspace import Workspace, quiet_driver_warnings

__all__ = [
    "FEEDBACK",
    "FEEDBACK_QUARANTINE",
    "FEEDBACK_QUARANTINE_SCHEMA",
    "FEEDBACK_SCHEMA",
    "ensure_feedback_tables",
    "read_feedback",
    "read_feedback_quarantine",
]

FEEDBACK = "feedback"
FEEDBACK_QUARANTINE = "feedback_quarantine"

FEEDBACK_SCHEMA: dict[str, str] = {
    "map_id": "VARCHAR NOT NULL",
    "source": "VARCHAR NOT NULL",
    "row_number": "BIGINT NOT NULL",
    "feedback_key": "VARCHAR NOT NULL",
    "touchpoint": "VARCHAR",
    "phase": "VARCHAR",
    "persona": "VARCHAR",
    "person_id": "VARCHAR",
    "ts": "TIMESTAMPTZ",
    "raw_score": "VARCHAR NOT NULL",
    "scale": "VARCHAR NOT NULL",
    "score": "DOUBLE NOT NULL",
    "imported_at": "TIMESTAMPTZ NOT NULL",
}
FEEDBACK_QUARANTINE_SCHEMA: dict[str, str] = {
    "map_id": "VARCHAR NOT NULL",
    "source": "VARCHAR NOT NULL",
    "row_number": "BIGINT NOT NULL",
    "reason": "VARCHAR NOT NULL",
    "value": "VARCHAR NOT NULL",
    "suggestion": "VARCHAR",
    "raw": "VARCHAR NOT NULL",
    "feedback_key": "VARCHAR NOT NULL",
    "imported_at": "TIMESTAMPTZ NOT NULL",
}
_TABLES = {FEEDBACK: FEEDBACK_SCHEMA, FEEDBACK_QUARANTINE: FEEDBACK_QUARANTINE_SCHEMA}
_ARROW = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
}


def arrow_schema(schema: dict[str, str]) -> pa.Schema:
    """The Arrow schema of one of the feedback tables."""
    return pa.schema([(name, _ARROW[kind.split()[0]]) for name, kind in schema.items()])


def ensure_feedback_tables(workspace: Workspace) -> None:
    """Create the feedback tables a workspace lacks (the event tables are left alone).

    Raises:
        WorkspaceError: The workspace cannot hold them.
    """
    workspace.check_open()
    for name, schema in _TABLES.items():
        if workspace.has_table(name):
            continue
        try:
            _create(workspace, name, schema)
        except WorkspaceError:
            raise
        except Exception as exc:  # duckdb and every Ibis driver raise their own types
            if workspace.has_table(name):
                continue  # another import of a new PostgreSQL workspace made it meanwhile
            raise WorkspaceError(
                _("the workspace {url} cannot hold the feedback tables: {reason}").format(
                    url=workspace.display_url, reason=exc
                )
            ) from None


def _create(workspace: Workspace, name: str, schema: dict[str, str]) -> None:
    if workspace.duckdb is not None:
        columns = ", ".join(f"{column} {kind}" for column, kind in schema.items())
        workspace.duckdb.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
        return
    import ibis

    with quiet_driver_warnings():
        workspace.backend.create_table(name, schema=ibis.schema(_ibis_types(schema)))


def _read(workspace: Workspace, name: str, map_id: str | None) -> pa.Table:
    schema = arrow_schema(_TABLES[name])
    if not workspace.has_table(name):
        return schema.empty_table()
    table: Any = workspace.table(name)
    if map_id is not None:
        table = table.filter(table.map_id == map_id)
    with quiet_driver_warnings():
        read: pa.Table = table.order_by(["source", "row_number"]).to_pyarrow()
    return read


def read_feedback(workspace: Workspace, map_id: str | None = None) -> pa.Table:
    """The feedback stored in ``workspace`` (for the map ``map_id``, or all), by source and row.

    Examples:
        >>> with Workspace("duckdb://") as workspace:
        ...     read_feedback(workspace, "demo").num_rows
        0
    """
    return _read(workspace, FEEDBACK, map_id)


def read_feedback_quarantine(workspace: Workspace, map_id: str | None = None) -> pa.Table:
    """The rows not taken: ``reason``, the ``value`` at fault, a ``suggestion``, ``raw``."""
    return _read(workspace, FEEDBACK_QUARANTINE, map_id)
