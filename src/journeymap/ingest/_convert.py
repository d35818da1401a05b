"""Batch conversion: read the batches, map each, send every row to the events or the quarantine."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from journeymap.ingest._keys import _Keys, row_keys
from journeymap.ingest._quarantine import _malformed_rows, _raw_json
from journeymap.ingest._rule_state import RuleState
from journeymap.ingest._sparse_fields import _Columns
from journeymap.ingest._transaction import COMPARED, _Writer
from journeymap.ingest.readers import LINE_FORMATS, detect_format, read_events
from journeymap.ingest.readers.csv_reader import TextEncoding
from journeymap.ingest.report import DUPLICATE, ImportReport
from journeymap.ingest.rules import apply_rules
from journeymap.ingest.workspace import EVENTS_SCHEMA, QUARANTINE_SCHEMA
from journeymap.model.mapping import MappingRules

ProgressCallback = Callable[[int], None]
"""Called after each batch with the number of rows read so far."""


def _new_outcomes(mapped: Any, keys: list[str], rows: list[int]) -> pa.Table:
    """The event (or quarantine reason) these rules make of the batch's ``rows``."""
    reasons = pa.array([mapped.reasons[i] for i in rows], pa.string())
    taken = pa.array(rows, pa.int64())
    is_event = pc.is_null(reasons)
    new = {"event_key": pa.array([keys[i] for i in rows], pa.string())}
    for column in COMPARED:
        values = mapped.columns[column].take(taken)
        new[column] = pc.if_else(is_event, values, pa.scalar(None, values.type))
    new["reason"] = reasons
    return pa.table(new)


def _run(
    writer: _Writer,
    batches: Iterable[pa.RecordBatch],
    rules: MappingRules,
    report: ImportReport,
    state: RuleState,
    keys_in_workspace: _Keys,
    fingerprint: Any,
    progress: ProgressCallback | None,
    malformed: list[str] | None = None,
    sparse: tuple[Path, str, str | None] | None = None,
) -> None:
    """Import the batches; ``sparse`` is the file and format of a JSON Lines or XES source."""
    seen: dict[str, int] = {}
    columns = _Columns(rules, sparse)
    for batch in batches:
        first_row = report.rows_read + 1
        keys = keys_in_workspace.resolve(batch, row_keys(batch))
        if rules.duplicates == "keep":
            keys = _number_copies(keys, seen)
        for key in keys:
            fingerprint.update(key.encode())
        mapped = apply_rules(
            columns.padded(batch), rules, source=report.source, first_row=first_row, state=state
        )
        earlier = {key: i for i, key in reversed(list(enumerate(keys))) if key not in seen}
        remapped = sorted(i for key, i in earlier.items() if key in keys_in_workspace.other_rules)
        if remapped:
            writer.stage_outcomes(_new_outcomes(mapped, keys, remapped), report.rules_fingerprint)
        names = list(batch.schema.names)
        raw_columns: list[list[Any]] | None = None
        event_rows: list[int] = []
        quarantine: dict[str, list[Any]] = {column: [] for column in QUARANTINE_SCHEMA}
        for index, key in enumerate(keys):
            if keys_in_workspace.already_imported(key, report):
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
                ("rules_fingerprint", report.rules_fingerprint),
            ):
                quarantine[column].append(value)
        report.rows_read += batch.num_rows
        indices = pa.array(event_rows, pa.int64())
        events = {column: array.take(indices) for column, array in mapped.columns.items()}
        events["event_key"] = pa.array([keys[i] for i in event_rows], pa.string())
        events["row_number"] = pa.array([first_row + i for i in event_rows], pa.int64())
        events["rules_fingerprint"] = pa.array(
            [report.rules_fingerprint] * len(event_rows), pa.string()
        )
        table = pa.table({column: events[column] for column in EVENTS_SCHEMA})
        report.rows_imported += table.num_rows
        report.conversions += int(pc.sum(table.column("conversion")).as_py() or 0)
        for found in pc.value_counts(table.column("touchpoint")).to_pylist():
            touchpoint, count = found["values"], found["counts"]
            report.touchpoints[touchpoint] = report.touchpoints.get(touchpoint, 0) + count
        writer.insert("events", table)
        if malformed:
            _malformed_rows(malformed, report, quarantine, keys_in_workspace, seen, fingerprint)
        writer.insert("quarantine", pa.table({c: quarantine[c] for c in QUARANTINE_SCHEMA}))
        if progress is not None:
            progress(report.rows_read)
    if malformed:  # lines after the last row (a reader yields no batch for them alone)
        quarantine = {column: [] for column in QUARANTINE_SCHEMA}
        _malformed_rows(malformed, report, quarantine, keys_in_workspace, seen, fingerprint)
        writer.insert("quarantine", pa.table({c: quarantine[c] for c in QUARANTINE_SCHEMA}))
        if progress is not None:
            progress(report.rows_read)
    columns.check()


def _batches(
    source: Any,
    format: str | None,
    options: dict[str, Any],
    malformed: list[str],
    encodings: list[TextEncoding],
) -> Iterable[pa.RecordBatch]:
    """The reader's batches; lines that are no row go to ``malformed``.

    A CSV line with the wrong number of fields, a JSON Lines line that is no JSON object. A
    CSV file's text encoding (and its stray bytes) goes to ``encodings``.
    """
    if isinstance(source, str | Path):
        found = (format or detect_format(source)).lower()
        if found in LINE_FORMATS:
            options = {"on_malformed": malformed.append, **options}
        if found in {"csv", "tsv"}:
            options = {"on_encoding": encodings.append, **options}
    return read_events(source, format, **options)


def _number_copies(keys: list[str], seen: dict[str, int]) -> list[str]:
    """Give the n-th copy of an equal row the key ``<hash>#n``: kept, and still idempotent."""
    numbered = []
    for key in keys:
        copy = seen.get(key + "#", 0) + 1
        seen[key + "#"] = copy
        numbered.append(key if copy == 1 else f"{key}#{copy}")
    return numbered
