"""The import of rules with ``events_per_row``: each row read makes its entries' events.

:func:`run_events_per_row` takes the place of ``_convert._run`` (same arguments) and keeps its
promises: every row read is accounted for, once, and importing again stores nothing twice.

- A row is known by its row key, as in any import (``_keys.row_keys``; ``<key>#n`` for the
  n-th copy with ``duplicates: keep``). Each event a row makes is stored under
  ``<row key>/<entry number>``, two digits (``.../01``, ``.../02``): the engine breaks ties in
  time by ``row_number`` and then by ``event_key``, so a row's events at one time keep the
  order of the entries. A row that makes no event is quarantined under its row key.
- A row is already imported when any key of it is in the workspace (its row key, or one of
  its events' keys): the import that stored it made all its events. With ``replace`` every
  stored key of such a row is replaced.
- A row refused whole (``filtered out``, ``missing person id``, ``exact duplicate``, no entry
  holds) is counted in ``ImportReport.quarantined``; an event refused alone (its own
  timestamp unparseable, ...) in ``events_quarantined``, with the original row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from journeymap.ingest._convert import ProgressCallback, _number_copies
from journeymap.ingest._keys import _Keys, row_keys
from journeymap.ingest._quarantine import _malformed_rows, _raw_json
from journeymap.ingest._requarantine import Settled
from journeymap.ingest._rule_entries import RowEvents, map_row_events
from journeymap.ingest._rule_state import RuleState
from journeymap.ingest._same_events import FIELDS, DigestLoader, SameEvents, digest_sql
from journeymap.ingest._sparse_fields import _Columns
from journeymap.ingest._transaction import COMPARED, _Writer
from journeymap.ingest.report import DUPLICATE, SAME_EVENT, ImportReport
from journeymap.ingest.workspace import EVENTS_SCHEMA, QUARANTINE_SCHEMA, quiet_driver_warnings
from journeymap.model.mapping import MappingRules

__all__ = ["event_key", "row_key_of", "row_owned_digests", "run_events_per_row"]


def event_key(row_key: str, entry: int) -> str:
    """The key of the event entry ``entry`` (from 1) makes of a row; 0: the row's own key.

    Examples:
        >>> event_key("9f2c", 2), event_key("9f2c#3", 12), event_key("9f2c", 0)
        ('9f2c/02', '9f2c#3/12', '9f2c')
    """
    return f"{row_key}/{entry:02d}" if entry else row_key


def row_key_of(key: str) -> str:
    """The row key of a stored event or quarantine key (itself when it is one).

    Examples:
        >>> row_key_of("9f2c#3/12"), row_key_of("9f2c")
        ('9f2c#3', '9f2c')
    """
    return key.split("/", 1)[0]


def row_owned_digests(writer: _Writer) -> DigestLoader:
    """The stored events' digests, each owned by its row (``writer.event_digests`` by event).

    With ``replace`` an event is no copy of one its own row made before: a row mapped again
    meets the events it is about to replace. Its events now have other keys (``<key>/01``
    where an import without ``events_per_row`` stored ``<key>``; entries added or moved), so
    they are owned by the row key: by the event key, the row's first contact, stored before,
    read as another row's, was quarantined and then deleted with the row's old events.
    """

    def load(same_events: SameEvents) -> dict[str, np.ndarray] | None:
        if not same_events.owners:
            return writer.event_digests(same_events)
        if writer.con is not None:
            stored = writer.con.execute("SELECT count(*) FROM events").fetchall()
            if not stored or not stored[0][0]:
                return None
            by_row = "(SELECT * REPLACE (split_part(event_key, '/', 1) AS event_key) FROM events)"
            found = writer.con.execute(digest_sql(by_row)).fetchnumpy()
            return {name: np.asarray(found[name], dtype=np.uint64) for name in found}
        events = writer.workspace.events()
        with quiet_driver_warnings():
            if not int(events.count().execute()):
                return None
            table = events.select(*FIELDS, "event_key").to_pyarrow()
        split = pc.split_pattern(table.column("event_key"), "/", max_splits=1)
        index = table.schema.get_field_index("event_key")
        return same_events.digests(table.set_column(index, "event_key", pc.list_element(split, 0)))

    return load


def _by_row(keys: _Keys) -> dict[str, list[str]]:
    """Make ``keys`` know rows by their row keys; the stored keys of each row."""
    stored: dict[str, list[str]] = defaultdict(list)
    for key in keys.existing:
        stored[row_key_of(key)].append(key)
    keys.existing = set(stored)
    keys.other_rules = {row_key_of(key) for key in keys.other_rules}
    if keys.legacy:
        keys.stored = frozenset(keys.existing)
    return stored


class _Quarantine:
    """A batch's quarantine rows: whole rows and single events, each with the original row."""

    def __init__(self, batch: pa.RecordBatch, first_row: int, report: ImportReport) -> None:
        self.batch, self.first_row, self.report = batch, first_row, report
        self.rows: dict[str, list[Any]] = {column: [] for column in QUARANTINE_SCHEMA}
        self.names = list(batch.schema.names)
        self.raw_columns: list[list[Any]] | None = None

    def add(self, index: int, reason: str, key: str, *, event: bool = False) -> None:
        """Quarantine row ``index`` (or one ``event`` of it) under ``key``, and count it."""
        counts = self.report.events_quarantined if event else self.report.quarantined
        counts[reason] = counts.get(reason, 0) + 1
        if self.raw_columns is None:
            self.raw_columns = [column.to_pylist() for column in self.batch.columns]
        for column, value in (
            ("source", self.report.source),
            ("row_number", self.first_row + index),
            ("reason", reason),
            ("raw", _raw_json(self.names, self.raw_columns, index)),
            ("event_key", key),
            ("rules_fingerprint", self.report.rules_fingerprint),
        ):
            self.rows[column].append(value)


def run_events_per_row(
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
    """Import the batches with ``events_per_row`` (the arguments of ``_convert._run``).

    Afterwards ``keys_in_workspace.replaced`` lists every stored key of the rows mapped again.
    """
    report.events_per_row = True
    stored_keys = _by_row(keys_in_workspace)
    seen: dict[str, int] = {}  # row key -> the row it was first read at
    copies: dict[str, int] = {}
    columns = _Columns(rules, sparse)
    settled = settled if settled is not None else Settled()
    numbered = rules.duplicates == "keep"
    for batch in batches:
        first_row = report.rows_read + 1
        settled.see(batch, first_row)
        keys = keys_in_workspace.resolve(batch, row_keys(batch))
        if numbered:
            keys = _number_copies(keys, copies)
        for key in keys:
            fingerprint.update(key.encode())
        mapped = map_row_events(
            columns.padded(batch), rules, source=report.source, first_row=first_row, state=state
        )
        remapped = {
            i
            for key, i in {
                k: i for i, k in reversed(list(enumerate(keys))) if k not in seen
            }.items()
            if key in keys_in_workspace.other_rules
        }
        quarantine = _Quarantine(batch, first_row, report)
        open_rows = _open_rows(keys, mapped, keys_in_workspace, seen, settled, quarantine)
        for index in open_rows:
            if numbered and "#" in keys[index]:
                settled.stored(keys[index], first_row + index)
        report.rows_with_events += len(open_rows)
        chosen = _chosen_events(mapped, set(open_rows), keys, quarantine)
        if same_events is not None and chosen:
            chosen = _other_events(same_events, mapped, keys, chosen, first_row, report, quarantine)
        if remapped:
            _stage_remapped(writer, mapped, keys, remapped, stored_keys, report)
        report.rows_read += batch.num_rows
        _store_events(writer, mapped, keys, chosen, first_row, report)
        if malformed:
            _malformed_rows(
                malformed, report, quarantine.rows, keys_in_workspace, seen, fingerprint
            )
        writer.insert("quarantine", pa.table({c: quarantine.rows[c] for c in QUARANTINE_SCHEMA}))
        if progress is not None:
            progress(report.rows_read)
    if malformed:  # lines after the last row (a reader yields no batch for them alone)
        rows: dict[str, list[Any]] = {column: [] for column in QUARANTINE_SCHEMA}
        _malformed_rows(malformed, report, rows, keys_in_workspace, seen, fingerprint)
        writer.insert("quarantine", pa.table({c: rows[c] for c in QUARANTINE_SCHEMA}))
        if progress is not None:
            progress(report.rows_read)
    columns.check()
    keys_in_workspace.replaced = sorted(
        {key for row in keys_in_workspace.replaced for key in stored_keys.get(row, [row])}
    )


def _open_rows(
    keys: list[str],
    mapped: RowEvents,
    keys_in_workspace: _Keys,
    seen: dict[str, int],
    settled: Settled,
    quarantine: _Quarantine,
) -> list[int]:
    """The rows whose events this import makes; the others are skipped or quarantined whole."""
    report, first_row = quarantine.report, quarantine.first_row
    open_rows: list[int] = []
    for index, key in enumerate(keys):
        if keys_in_workspace.already_imported(key, report):
            continue
        if key in seen:
            if report.duplicate_example is None:
                report.duplicate_example = (first_row + index, seen[key])
            quarantine.add(index, DUPLICATE, key)
            continue
        seen[key] = first_row + index
        reason = mapped.row_reasons[index]
        if reason is not None:
            quarantine.add(index, reason, key)
            continue
        open_rows.append(index)
    return open_rows


def _chosen_events(
    mapped: RowEvents, open_rows: set[int], keys: list[str], quarantine: _Quarantine
) -> list[int]:
    """The candidate events of the open rows that become events; the others are quarantined."""
    chosen: list[int] = []
    for position, (row, entry) in enumerate(zip(mapped.rows, mapped.entries, strict=True)):
        if row not in open_rows:
            continue
        reason = mapped.reasons[position]
        if reason is None:
            chosen.append(position)
        else:
            quarantine.add(row, reason, event_key(keys[row], entry), event=True)
    return chosen


def _other_events(
    same_events: SameEvents,
    mapped: RowEvents,
    keys: list[str],
    chosen: list[int],
    first_row: int,
    report: ImportReport,
    quarantine: _Quarantine,
) -> list[int]:
    """``chosen`` without the events made already (those are quarantined, event by event)."""
    taken = pa.array(chosen, pa.int64())
    candidates = {name: mapped.columns[name].take(taken) for name in FIELDS}
    if same_events.owners:  # a row's own events are known by its row key (row_owned_digests)
        candidates["event_key"] = pa.array([keys[mapped.rows[i]] for i in chosen], pa.string())
    rows = np.asarray([mapped.rows[i] for i in chosen], dtype=np.int64) + first_row
    made, where = same_events.check(pa.table(candidates), rows)
    if not made.any():
        return chosen
    kept = []
    for position, index in enumerate(chosen):
        if not made[position]:
            kept.append(index)
            continue
        row = mapped.rows[index]
        quarantine.add(row, SAME_EVENT, event_key(keys[row], mapped.entries[index]), event=True)
        mapped.reasons[index] = SAME_EVENT
        earlier = int(where[position])
        if earlier:
            report.rows_same_event_in_input += 1
            if report.same_event_example is None:
                report.same_event_example = (first_row + row, earlier)
        else:
            report.rows_same_event_stored += 1
    return kept


def _stage_remapped(
    writer: _Writer,
    mapped: RowEvents,
    keys: list[str],
    rows: set[int],
    stored_keys: dict[str, list[str]],
    report: ImportReport,
) -> None:
    """Count the rows mapped with other rules that these rules map differently.

    A row whose keys differ from the stored ones (an entry more or less holds, or the row
    was imported without ``events_per_row``) is mapped differently; the others are staged,
    event by event, for the writer to compare with the stored events and quarantine rows.
    """
    made: dict[int, set[str]] = defaultdict(set)
    for row, entry in zip(mapped.rows, mapped.entries, strict=True):
        if row in rows:
            made[row].add(event_key(keys[row], entry))
    same = set()
    for row in rows:
        stored = set(stored_keys.get(keys[row], ()))
        if any("/" in key for key in stored):
            # Beside its events, the row key is an exact duplicate's (quarantined under the
            # key of the row it repeats), which no comparison reads.
            stored.discard(keys[row])
        if (made.get(row) or {keys[row]}) == stored:
            same.add(row)
        else:
            writer.changed += 1
    if same:  # with the events made again as this import quarantines them
        writer.stage_outcomes(_new_outcomes(mapped, keys, same), report.rules_fingerprint)


def _new_outcomes(mapped: RowEvents, keys: list[str], rows: set[int]) -> pa.Table:
    """The events (or quarantine reasons) these rules make of the rows mapped with others."""
    positions = [i for i, row in enumerate(mapped.rows) if row in rows]
    refused = sorted(i for i in rows if mapped.row_reasons[i] is not None)
    reasons = pa.array(
        [mapped.reasons[i] for i in positions] + [mapped.row_reasons[i] for i in refused],
        pa.string(),
    )
    taken = pa.array(positions, pa.int64())
    is_event = pc.is_null(reasons)
    new = {
        "event_key": pa.array(
            [event_key(keys[mapped.rows[i]], mapped.entries[i]) for i in positions]
            + [keys[i] for i in refused],
            pa.string(),
        )
    }
    for column in COMPARED:
        values = mapped.columns[column].take(taken)
        values = pa.concat_arrays([values, pa.nulls(len(refused), values.type)])
        new[column] = pc.if_else(is_event, values, pa.scalar(None, values.type))
    new["reason"] = reasons
    return pa.table(new)


def _store_events(
    writer: _Writer,
    mapped: RowEvents,
    keys: list[str],
    chosen: list[int],
    first_row: int,
    report: ImportReport,
) -> None:
    """Insert the chosen events, each under its row's key and its entry's number."""
    indices = pa.array(chosen, pa.int64())
    events = {column: array.take(indices) for column, array in mapped.columns.items()}
    events["source"] = pa.array([report.source] * len(chosen), pa.string())
    events["event_key"] = pa.array(
        [event_key(keys[mapped.rows[i]], mapped.entries[i]) for i in chosen], pa.string()
    )
    events["row_number"] = pa.array([first_row + mapped.rows[i] for i in chosen], pa.int64())
    events["rules_fingerprint"] = pa.array([report.rules_fingerprint] * len(chosen), pa.string())
    table = pa.table({column: events[column] for column in EVENTS_SCHEMA})
    report.rows_imported += table.num_rows
    report.conversions += int(pc.sum(table.column("conversion")).as_py() or 0)
    for found in pc.value_counts(table.column("touchpoint")).to_pylist():
        touchpoint, count = found["values"], found["counts"]
        report.touchpoints[touchpoint] = report.touchpoints.get(touchpoint, 0) + count
    writer.insert("events", table)
