"""Batch conversion: read the batches, map each, send every row to the events or the quarantine."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from journeymap.ingest._keys import _Keys, row_keys
from journeymap.ingest._quarantine import _malformed_rows, _raw_json
from journeymap.ingest._requarantine import Settled, choose_copies
from journeymap.ingest._rule_state import RuleState
from journeymap.ingest._same_events import FIELDS, SameEvents
from journeymap.ingest._sparse_fields import _Columns
from journeymap.ingest._transaction import COMPARED, _Writer
from journeymap.ingest.readers import LINE_FORMATS, detect_format, read_events
from journeymap.ingest.readers.csv_reader import TextEncoding
from journeymap.ingest.report import DUPLICATE, MALFORMED, SAME_EVENT, ImportReport
from journeymap.ingest.rules import MappedBatch, apply_rules
from journeymap.ingest.workspace import EVENTS_SCHEMA, QUARANTINE_SCHEMA
from journeymap.model.mapping import MappingRules

ProgressCallback = Callable[[int], None]
"""Called after each batch with the number of rows read so far."""


def _new_outcomes(mapped: MappedBatch, keys: list[str], rows: list[int]) -> pa.Table:
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
    same_events: SameEvents | None = None,
    settled: Settled | None = None,
) -> None:
    """Import the batches; ``sparse`` is the file and format of a JSON Lines or XES source.

    ``same_events`` quarantines events made again from other rows (``same event already
    imported``); ``settled`` gathers what this import settles in the quarantine.
    """
    seen: dict[str, int] = {}
    columns = _Columns(rules, sparse)
    settled = settled if settled is not None else Settled()
    numbered = rules.duplicates == "keep"
    for batch in batches:
        first_row = report.rows_read + 1
        settled.see(batch, first_row)
        keys = keys_in_workspace.resolve(batch, row_keys(batch))
        if numbered:
            keys = _number_copies(keys, seen)
        for key in keys:
            fingerprint.update(key.encode())
        mapped = apply_rules(
            columns.padded(batch), rules, source=report.source, first_row=first_row, state=state
        )
        earlier = {key: i for i, key in reversed(list(enumerate(keys))) if key not in seen}
        remapped = sorted(i for key, i in earlier.items() if key in keys_in_workspace.other_rules)
        event_rows: list[int] = []
        quarantined = _QuarantineRows(batch, keys, first_row, report)
        quarantine = quarantined.rows
        for index, key in enumerate(keys):
            if keys_in_workspace.already_imported(key, report):
                continue
            if numbered and "#" in key:
                settled.stored(key, first_row + index)
            reason = DUPLICATE if key in seen else mapped.reasons[index]
            seen.setdefault(key, 1)
            if reason is None:
                event_rows.append(index)
                continue
            if reason == DUPLICATE:
                settled.duplicate(key, first_row + index)
            quarantined.add(index, reason)
        if same_events is not None and event_rows:
            event_rows = _other_events(
                same_events, mapped, keys, event_rows, first_row, report, quarantined
            )
        if remapped:  # with the events made again as this import quarantines them
            writer.stage_outcomes(_new_outcomes(mapped, keys, remapped), report.rules_fingerprint)
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


class _QuarantineRows:
    """A batch's rows for the quarantine table, with the original row of each."""

    def __init__(
        self, batch: pa.RecordBatch, keys: list[str], first_row: int, report: ImportReport
    ) -> None:
        self.batch, self.keys, self.first_row, self.report = batch, keys, first_row, report
        self.rows: dict[str, list[Any]] = {column: [] for column in QUARANTINE_SCHEMA}
        self.names = list(batch.schema.names)
        self.raw_columns: list[list[Any]] | None = None

    def add(self, index: int, reason: str) -> None:
        """Quarantine the batch's row ``index`` for ``reason``, and count it."""
        report = self.report
        report.quarantined[reason] = report.quarantined.get(reason, 0) + 1
        if self.raw_columns is None:
            self.raw_columns = [column.to_pylist() for column in self.batch.columns]
        for column, value in (
            ("source", report.source),
            ("row_number", self.first_row + index),
            ("reason", reason),
            ("raw", _raw_json(self.names, self.raw_columns, index)),
            ("event_key", self.keys[index]),
            ("rules_fingerprint", report.rules_fingerprint),
        ):
            self.rows[column].append(value)


def _other_events(
    same_events: SameEvents,
    mapped: MappedBatch,
    keys: list[str],
    event_rows: list[int],
    first_row: int,
    report: ImportReport,
    quarantined: _QuarantineRows,
) -> list[int]:
    """``event_rows`` without the rows whose event was made already (those are quarantined).

    Their reason in ``mapped`` becomes ``same event already imported`` too.
    """
    if len(event_rows) == len(mapped.reasons):  # every row an event: nothing to take
        candidates = {name: mapped.columns[name] for name in FIELDS}
    else:
        taken = pa.array(event_rows, pa.int64())
        candidates = {name: mapped.columns[name].take(taken) for name in FIELDS}
    if same_events.owners:
        candidates["event_key"] = pa.array([keys[i] for i in event_rows], pa.string())
    rows = np.asarray(event_rows, dtype=np.int64) + first_row
    made, where = same_events.check(pa.table(candidates), rows)
    if not made.any():
        return event_rows
    kept = []
    for position, index in enumerate(event_rows):
        if not made[position]:
            kept.append(index)
            continue
        quarantined.add(index, SAME_EVENT)
        mapped.reasons[index] = SAME_EVENT
        earlier = int(where[position])
        if earlier:
            report.rows_same_event_in_input += 1
            if report.same_event_example is None:
                report.same_event_example = (first_row + index, earlier)
        else:
            report.rows_same_event_stored += 1
    return kept


def settle(writer: _Writer, settled: Settled, report: ImportReport) -> None:
    """Take out of the quarantine the rows this import settled (see :mod:`._requarantine`).

    Before the rows of ``replace`` are deleted: those deletes take duplicates of their rows
    along, unsaid.
    """
    if settled.copies:
        keys = sorted({key for key, _row in settled.copies})
        chosen = choose_copies(settled.copies, writer.quarantined(DUPLICATE, keys), report.source)
        if removed := writer.delete_quarantined(DUPLICATE, chosen):
            report.unquarantined[DUPLICATE] = removed
    if settled.cut_lines:
        complete = set(settled.cut_lines.complete())
        if complete:
            rows = [
                (key, source, row)
                for key, source, row in writer.quarantined(MALFORMED, sorted(complete))
                if source == report.source
            ]
            if removed := writer.delete_quarantined(MALFORMED, rows):
                report.unquarantined[MALFORMED] = removed
    if settled.first_duplicate is not None:
        row, key = settled.first_duplicate
        first = writer.first_row(key)
        if first is not None:
            report.duplicate_example = (row, first)


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
