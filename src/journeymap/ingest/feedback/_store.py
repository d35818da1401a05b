"""Storing an import's rows in one transaction, and fixed rows in the place of quarantined ones.

``journeymap feedback quarantine --csv FILE`` writes the quarantined rows as their files had
them, after the columns of :data:`FIX_COLUMNS` (why and whence). A file imported with
``quarantine_source`` and ``quarantine_row`` is a fix: each of its rows takes the place of
the quarantined row it names (same key, source and row number), so a fixed answer leaves the
quarantine, importing the fix again stores nothing twice, and importing the original file
again does not quarantine the row again. A row the fix still gets wrong replaces the
quarantined one with its new reason; a row that names no quarantined row is a new answer.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from journeymap.errors import IngestError, from_engine
from journeymap.i18n.messages import _
from journeymap.ingest._transaction import _Writer
from journeymap.ingest.feedback._tables import (
    FEEDBACK,
    FEEDBACK_QUARANTINE,
    FEEDBACK_QUARANTINE_SCHEMA,
    FEEDBACK_SCHEMA,
    arrow_schema,
    ensure_feedback_tables,
)
from journeymap.ingest.workspace import Workspace, quiet_driver_warnings

if TYPE_CHECKING:
    from journeymap.ingest.feedback.importer import FeedbackReport

__all__ = ["FIX_COLUMNS", "fixed_row", "store"]

# The columns a quarantine written for fixing has before the rows' own (in this order).
FIX_COLUMNS = (
    "quarantine_reason",
    "quarantine_value",
    "quarantine_suggestion",
    "quarantine_source",
    "quarantine_row",
)


def fixed_row(row: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, int] | None]:
    """A row as read without :data:`FIX_COLUMNS`, and the quarantined row it fixes (if any).

    Examples:
        >>> fixed_row({"quarantine_source": "survey.csv", "quarantine_row": "6", "csat": "2"})
        ({'csat': '2'}, ('survey.csv', 6))
        >>> fixed_row({"csat": "2"})
        ({'csat': '2'}, None)
    """
    own = {name: value for name, value in row.items() if name not in FIX_COLUMNS}
    source, number = row.get("quarantine_source"), str(row.get("quarantine_row") or "").strip()
    if not source or not number.isdigit() or int(number) < 1:
        return own, None
    return own, (str(source).strip(), int(number))


def store(
    workspace: Workspace,
    report: FeedbackReport,
    rows: list[dict[str, Any]],
    rejected: list[dict[str, Any]],
    replace: bool,
) -> None:
    """Store the rows and the quarantined ones in one transaction, skipping keys stored before.

    A row with a ``fixes`` entry (source, row number) takes the place of that quarantined row.
    """
    ensure_feedback_tables(workspace)
    writer = _Writer(workspace)
    now = datetime.now(UTC)
    report.rows_read = len(rows) + len(rejected)
    try:
        writer.begin()
        try:
            if replace:
                report.rows_replaced = _delete_source(writer, report)
            replaced = _take_places(writer, report.map_id, [*rows, *rejected])
            known = _known_keys(writer, report.map_id)
            new_rows = [row for row in rows if row["feedback_key"] not in known]
            new_rejected = [row for row in rejected if row["feedback_key"] not in known]
            report.rows_already_imported = report.rows_read - len(new_rows) - len(new_rejected)
            report.rows_imported = len(new_rows)
            report.rows_fixed = sum(row["feedback_key"] in replaced for row in new_rows)
            report.rows_quarantined = len(new_rejected)
            report.reasons = dict(Counter(row["reason"] for row in new_rejected).most_common())
            report.problems = [
                (row["row_number"], row["reason"], row["value"], row["suggestion"])
                for row in new_rejected[:10]
            ]
            common = {"map_id": report.map_id, "source": report.source, "imported_at": now}
            for name, schema, chosen in (
                (FEEDBACK, FEEDBACK_SCHEMA, new_rows),
                (FEEDBACK_QUARANTINE, FEEDBACK_QUARANTINE_SCHEMA, new_rejected),
            ):
                records = [{**common, **row} for row in chosen]
                table = pa.Table.from_pylist(records, schema=arrow_schema(schema))
                writer.insert(name, _for_engine(workspace, table))
        except BaseException:
            writer.rollback()
            raise
        writer.commit()
    except IngestError:
        raise
    except Exception as exc:
        if from_engine(exc, "ibis"):
            from journeymap.errors import EngineError

            raise EngineError(
                _("the workspace rejected the import of {name}: {reason}").format(
                    name=report.source, reason=exc
                )
            ) from None
        raise


def _take_places(writer: _Writer, map_id: str, rows: list[dict[str, Any]]) -> set[str]:
    """Give each fixing row the key, source and row number of the row it fixes.

    A row whose fixed row was stored meanwhile gets its key (so it is not stored twice); one
    whose fixed row is still quarantined gets its key too, and that row is deleted, unless
    the fix left it as it was (then it is imported before). Returns the keys of the
    quarantined rows deleted.
    """
    fixing = [row for row in rows if row.get("fixes") is not None]
    if not fixing:
        return set()
    sources = sorted({row["fixes"][0] for row in fixing})
    places: dict[tuple[str, int], tuple[str, str | None]] = {}
    for name, columns in ((FEEDBACK_QUARANTINE, ("raw",)), (FEEDBACK, ())):
        table = writer.workspace.table(name)
        mine = table.filter((table.map_id == map_id) & table.source.isin(sources))
        with quiet_driver_warnings():
            read = mine.select("source", "row_number", "feedback_key", *columns).to_pyarrow()
        for found in read.to_pylist():  # a stored answer wins over a quarantined row
            places[(found["source"], found["row_number"])] = (
                found["feedback_key"],
                found.get("raw"),
            )
    deleted: set[str] = set()
    claimed: set[tuple[str, int]] = set()
    for row in fixing:
        place = places.get(row["fixes"])
        if place is None or row["fixes"] in claimed:
            continue  # names no row, or one an earlier row of the fix took: a new answer
        claimed.add(row["fixes"])
        key, raw = place
        row["feedback_key"] = key
        if raw is None or raw == row["raw"]:
            continue  # stored already, or quarantined as it was: imported before
        row["source"], row["row_number"] = row["fixes"]
        deleted.add(key)
    if deleted:
        listed = ", ".join(_literal(key) for key in sorted(deleted))
        writer.workspace.execute(
            f"DELETE FROM {FEEDBACK_QUARANTINE} "
            f"WHERE map_id = {_literal(map_id)} AND feedback_key IN ({listed})"
        )
    return deleted


def _for_engine(workspace: Workspace, rows: pa.Table) -> pa.Table:
    """``rows`` as the workspace's engine takes them.

    Ibis inserts into SQLite through pandas, where a missing time is ``NaT``, which sqlite3
    cannot bind: there the times go in as the ISO text Ibis stores for a time (a missing one
    as NULL); they read back as times.
    """
    if workspace.duckdb is not None or workspace.backend.name != "sqlite":
        return rows
    for name in ("ts", "imported_at"):
        if name not in rows.column_names:
            continue
        index = rows.schema.get_field_index(name)
        text = [None if value is None else value.isoformat() for value in rows[name].to_pylist()]
        rows = rows.set_column(index, name, pa.array(text, pa.string()))
    return rows


def _known_keys(writer: _Writer, map_id: str) -> set[str]:
    keys: set[str] = set()
    for name in (FEEDBACK, FEEDBACK_QUARANTINE):
        found = writer.workspace.table(name)
        found = found.filter(found.map_id == map_id).select("feedback_key")
        with quiet_driver_warnings():
            keys.update(found.to_pyarrow().column("feedback_key").to_pylist())
    return keys


def _delete_source(writer: _Writer, report: FeedbackReport) -> int:
    """Remove what earlier imports of this source stored for this map; how many answers."""
    table = writer.workspace.table(FEEDBACK)
    mine = (table.map_id == report.map_id) & (table.source == report.source)
    with quiet_driver_warnings():
        removed = int(table.filter(mine).count().to_pyarrow().as_py())
    condition = f"map_id = {_literal(report.map_id)} AND source = {_literal(report.source)}"
    for name in (FEEDBACK, FEEDBACK_QUARANTINE):
        writer.workspace.execute(f"DELETE FROM {name} WHERE {condition}")
    return removed


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
