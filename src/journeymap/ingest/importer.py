"""Import events into a workspace: every row becomes an event or a quarantine row, atomically."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from ibis.common.exceptions import IbisError

from journeymap.errors import EngineError, IngestError
from journeymap.ingest.readers import LINE_FORMATS, detect_format, read_events
from journeymap.ingest.report import DUPLICATE, ImportReport
from journeymap.ingest.rules import RuleState, apply_rules
from journeymap.ingest.workspace import (
    EVENTS_SCHEMA,
    QUARANTINE_SCHEMA,
    Workspace,
    quiet_driver_warnings,
)
from journeymap.model.mapping import MappingRules

__all__ = ["ProgressCallback", "import_events", "row_keys"]

MALFORMED = "malformed row"

ProgressCallback = Callable[[int], None]
"""Called after each batch with the number of rows read so far."""


def row_keys(batch: pa.RecordBatch) -> list[str]:
    """A hash per row over column names and raw values: equal rows get equal keys.

    A missing value and an empty one hash differently.
    """
    if batch.num_rows == 0:
        return []
    marked = [
        pc.fill_null(pc.binary_join_element_wise("\x01", column, ""), "\x00")
        for column in batch.columns
    ]
    joined = pc.binary_join_element_wise(*marked, "\x1f") if len(marked) > 1 else marked[0]
    prefix = "\x1e".join(batch.schema.names).encode() + b"\x1d"
    return [
        hashlib.blake2b(prefix + text.encode(), digest_size=16).hexdigest()
        for text in joined.to_pylist()
    ]


def _raw_json(names: list[str], columns: list[list[Any]], index: int) -> str:
    return json.dumps(
        {name: column[index] for name, column in zip(names, columns, strict=True)},
        ensure_ascii=False,
    )


def _default_name(source: Any) -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    return type(source).__name__


class _Writer:
    """Inserts into the workspace inside one transaction (DuckDB) or table by table (others)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.con = workspace.duckdb

    def existing_keys(self) -> set[str]:
        if self.con is not None:
            rows = self.con.execute(
                "SELECT event_key FROM events UNION SELECT event_key FROM quarantine"
            ).fetchall()
            return {row[0] for row in rows}
        keys: set[str] = set()
        for name in ("events", "quarantine"):
            with quiet_driver_warnings():
                table = self.workspace.table(name).select("event_key").to_pyarrow()
            keys.update(table.column("event_key").to_pylist())
        return keys

    def known_fingerprint(self, fingerprint: str) -> bool:
        imports = self.workspace.imports()
        with quiet_driver_warnings():
            found = imports.filter(imports.fingerprint == fingerprint).count().execute()
        return bool(found > 0)

    def begin(self) -> None:
        if self.con is not None:
            self.con.begin()

    def insert(self, table_name: str, rows: pa.Table) -> None:
        if rows.num_rows == 0:
            return
        if self.con is not None:
            self.con.register("_journeymap_staged", rows)
            try:
                self.con.execute(
                    f"INSERT INTO {table_name} BY NAME SELECT * FROM _journeymap_staged"
                )
            finally:
                self.con.unregister("_journeymap_staged")
        else:
            self.workspace.backend.insert(table_name, rows)

    def commit(self) -> None:
        if self.con is not None:
            self.con.commit()

    def rollback(self) -> None:
        if self.con is not None:
            self.con.rollback()


def import_events(
    workspace: Workspace,
    source: Any,
    rules: MappingRules,
    *,
    source_name: str | None = None,
    format: str | None = None,
    progress: ProgressCallback | None = None,
    unmatched: str | None = None,
    **reader_options: Any,
) -> ImportReport:
    """Read ``source``, map it with ``rules`` and store events and quarantine rows.

    The import is atomic on DuckDB (one transaction: a failure leaves the workspace as it was)
    and idempotent everywhere: rows already in the workspace (same event key) are counted as
    already imported and not stored again; exact duplicate rows inside the input are kept once
    and the rest quarantined as ``exact duplicate``.

    Args:
        workspace: Where to store the events.
        source: A file path or an in-memory table (see :func:`read_events`).
        rules: The mapping rules.
        source_name: Stored in ``source``; the file name by default.
        format: The file format when the name does not tell it.
        progress: Called with the rows read so far after every batch.
        unmatched: ``quarantine`` or ``keep``; overrides ``rules.unmatched`` when given.
        **reader_options: Passed to the reader (``delimiter``, ``encoding`` for CSV).

    Returns:
        The counts; ``rows_read`` equals imported + quarantined + already imported.

    Raises:
        ReaderError: The input cannot be read.
        RulesError: The rules do not fit the data.
        EngineError: The workspace rejected the data.
    """
    if unmatched is not None:
        rules = rules.model_copy(update={"unmatched": unmatched})
    name = source_name or _default_name(source)
    report = ImportReport(source=name)
    writer = _Writer(workspace)
    state = RuleState()
    fingerprint = hashlib.sha256()
    malformed: list[str] = []
    try:
        existing = writer.existing_keys()
        writer.begin()
        try:
            _run(
                writer,
                _batches(source, format, reader_options, malformed),
                rules,
                report,
                state,
                existing,
                fingerprint,
                progress,
                malformed,
            )
            report.fingerprint = fingerprint.hexdigest()
            report.file_already_imported = writer.known_fingerprint(report.fingerprint)
            report.timestamp_format = state.timestamp_format
            report.timestamp_type = state.timestamp_type
            report.repaired_values = state.repaired
            report.suspect_values = dict(state.suspect)
            writer.insert("imports", _imports_row(report))
        except BaseException:
            writer.rollback()
            raise
        writer.commit()
    except IngestError:
        raise
    except (duckdb.Error, IbisError) as exc:
        raise EngineError(f"the workspace rejected the import of {name}: {exc}") from None
    return report


def _run(
    writer: _Writer,
    batches: Iterable[pa.RecordBatch],
    rules: MappingRules,
    report: ImportReport,
    state: RuleState,
    existing: set[str],
    fingerprint: Any,
    progress: ProgressCallback | None,
    malformed: list[str] | None = None,
) -> None:
    seen: dict[str, int] = {}
    for batch in batches:
        first_row = report.rows_read + 1
        keys = row_keys(batch)
        if rules.duplicates == "keep":
            keys = _number_copies(keys, seen)
        for key in keys:
            fingerprint.update(key.encode())
        mapped = apply_rules(batch, rules, source=report.source, first_row=first_row, state=state)
        names = list(batch.schema.names)
        raw_columns: list[list[Any]] | None = None
        event_rows: list[int] = []
        quarantine: dict[str, list[Any]] = {column: [] for column in QUARANTINE_SCHEMA}
        for index, key in enumerate(keys):
            if key in existing:
                report.rows_already_imported += 1
                continue
            reason = DUPLICATE if key in seen else mapped.reasons[index]
            seen.setdefault(key, 1)
            if reason is None:
                event_rows.append(index)
                continue
            report.quarantined[reason] = report.quarantined.get(reason, 0) + 1
            if raw_columns is None:
                raw_columns = [column.to_pylist() for column in batch.columns]
            for column, value in (
                ("source", report.source),
                ("row_number", first_row + index),
                ("reason", reason),
                ("raw", _raw_json(names, raw_columns, index)),
                ("event_key", key),
            ):
                quarantine[column].append(value)
        report.rows_read += batch.num_rows
        indices = pa.array(event_rows, pa.int64())
        events = {column: array.take(indices) for column, array in mapped.columns.items()}
        events["event_key"] = pa.array([keys[i] for i in event_rows], pa.string())
        events["row_number"] = pa.array([first_row + i for i in event_rows], pa.int64())
        table = pa.table({column: events[column] for column in EVENTS_SCHEMA})
        report.rows_imported += table.num_rows
        for found in pc.value_counts(table.column("touchpoint")).to_pylist():
            touchpoint, count = found["values"], found["counts"]
            report.touchpoints[touchpoint] = report.touchpoints.get(touchpoint, 0) + count
        writer.insert("events", table)
        if malformed:
            _malformed_rows(malformed, report, quarantine, existing, seen, fingerprint)
        writer.insert("quarantine", pa.table({c: quarantine[c] for c in QUARANTINE_SCHEMA}))
        if progress is not None:
            progress(report.rows_read)


def _batches(
    source: Any, format: str | None, options: dict[str, Any], malformed: list[str]
) -> Iterable[pa.RecordBatch]:
    """The reader's batches; lines that are no row go to ``malformed``.

    A CSV line with the wrong number of fields, a JSON Lines line that is no JSON object.
    """
    if isinstance(source, str | Path) and (format or detect_format(source)) in LINE_FORMATS:
        options = {"on_malformed": malformed.append, **options}
    return read_events(source, format, **options)


def _malformed_rows(
    lines: list[str],
    report: ImportReport,
    quarantine: dict[str, list[Any]],
    existing: set[str],
    seen: dict[str, int],
    fingerprint: Any,
) -> None:
    """Quarantine lines the reader could not read as a row."""
    for text in lines:
        report.rows_read += 1
        key = hashlib.blake2b(b"malformed\x1d" + text.encode(), digest_size=16).hexdigest()
        fingerprint.update(key.encode())
        if key in existing:
            report.rows_already_imported += 1
            continue
        reason = DUPLICATE if key in seen else MALFORMED
        seen.setdefault(key, 1)
        report.quarantined[reason] = report.quarantined.get(reason, 0) + 1
        quarantine["source"].append(report.source)
        quarantine["row_number"].append(report.rows_read)
        quarantine["reason"].append(reason)
        quarantine["raw"].append(json.dumps({"line": text}, ensure_ascii=False))
        quarantine["event_key"].append(key)
    lines.clear()


def _number_copies(keys: list[str], seen: dict[str, int]) -> list[str]:
    """Give the n-th copy of an equal row the key ``<hash>#n``: kept, and still idempotent."""
    numbered = []
    for key in keys:
        copy = seen.get(key + "#", 0) + 1
        seen[key + "#"] = copy
        numbered.append(key if copy == 1 else f"{key}#{copy}")
    return numbered


def _imports_row(report: ImportReport) -> pa.Table:
    return pa.table(
        {
            "source": [report.source],
            "fingerprint": [report.fingerprint],
            "imported_at": pa.array([datetime.now(UTC)], pa.timestamp("us", tz="UTC")),
            "rows_read": [report.rows_read],
            "rows_imported": [report.rows_imported],
            "rows_quarantined": [report.rows_quarantined],
            "rows_duplicate": [report.rows_duplicate],
        }
    )
