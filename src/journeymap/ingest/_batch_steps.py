"""The steps of the import's batch loop (``_convert.BatchLoop``) that both shapes of rows share.

A row makes one event (``_convert``) or, with the rules' ``events_per_row``, one event per
entry that holds (``_unpivot``). Either way a mapped batch is a list of candidate events
(:class:`Candidates`), each knowing its row and key; the rows and events refused go to the
batch's :class:`Quarantine`, the events made already are left out (:func:`other_events`),
the chosen ones stored and counted (:func:`store_events`), and the rows mapped with other
rules staged as :func:`new_outcomes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from journeymap.ingest._key_digests import KeyRuns
from journeymap.ingest._quarantine import _raw_json
from journeymap.ingest._same_events import FIELDS, SameEvents
from journeymap.ingest._transaction import COMPARED, _Writer
from journeymap.ingest.report import SAME_EVENT, ImportReport
from journeymap.ingest.workspace import EVENTS_SCHEMA, QUARANTINE_SCHEMA

__all__ = [
    "Candidates",
    "ProgressCallback",
    "Quarantine",
    "event_key",
    "new_outcomes",
    "number_copies",
    "other_events",
    "store_events",
]

ProgressCallback = Callable[[int], None]
"""Called after each batch with the number of rows read so far."""


def event_key(row_key: str, entry: int) -> str:
    """The key of the event entry ``entry`` (from 1) makes of a row; 0: the row's own key.

    Examples:
        >>> event_key("9f2c", 2), event_key("9f2c#3", 12), event_key("9f2c", 0)
        ('9f2c/02', '9f2c#3/12', '9f2c')
    """
    return f"{row_key}/{entry:02d}" if entry else row_key


@dataclass
class Candidates:
    """A mapped batch: its candidate events, each with its quarantine reason (or None).

    Attributes:
        columns: The contract columns of the candidate events.
        reasons: Per candidate event, the reason it is quarantined, or None.
        rows: Per candidate event, its row's index in the batch; None: one event per row,
            the row's own, stored under the row key, and an event refused is its row
            refused. Otherwise an event refused alone is counted apart from the rows
            (``ImportReport.events_quarantined``).
        entries: Per candidate event, the number of the entry that made it (its key is
            :func:`event_key`); None with ``rows``.
        row_reasons: Per row, the reason it makes no event at all, or None; None with
            ``rows`` (a row's reason is then its event's).
    """

    columns: dict[str, pa.Array]
    reasons: list[str | None]
    rows: list[int] | None = None
    entries: list[int] | None = None
    row_reasons: list[str | None] | None = None

    @property
    def apart(self) -> bool:
        """Whether an event refused alone is counted apart from the rows refused whole."""
        return self.rows is not None

    def rows_of(self, positions: list[int]) -> list[int]:
        """The batch row of each candidate event at ``positions``."""
        if self.rows is None:
            return list(positions)
        return [self.rows[i] for i in positions]

    def keys_of(self, keys: list[str], positions: list[int]) -> list[str]:
        """The event key of each candidate event at ``positions`` (``keys``: the row keys)."""
        if self.rows is None or self.entries is None:
            return [keys[i] for i in positions]
        return [event_key(keys[self.rows[i]], self.entries[i]) for i in positions]


class Quarantine:
    """A batch's quarantine rows: whole rows and single events, each with the original row."""

    def __init__(
        self, batch: pa.RecordBatch, keys: list[str], first_row: int, report: ImportReport
    ) -> None:
        self.batch, self.keys, self.first_row, self.report = batch, keys, first_row, report
        self.rows: dict[str, list[Any]] = {column: [] for column in QUARANTINE_SCHEMA}
        self.names = list(batch.schema.names)
        self.raw_columns: list[list[Any]] | None = None

    def add(self, index: int, reason: str, key: str | None = None, *, event: bool = False) -> None:
        """Quarantine row ``index`` (or one ``event`` of it) under ``key``, and count it.

        ``key`` is the row's own key unless given.
        """
        counts = self.report.events_quarantined if event else self.report.quarantined
        counts[reason] = counts.get(reason, 0) + 1
        if self.raw_columns is None:
            self.raw_columns = [column.to_pylist() for column in self.batch.columns]
        for column, value in (
            ("source", self.report.source),
            ("row_number", self.first_row + index),
            ("reason", reason),
            ("raw", _raw_json(self.names, self.raw_columns, index)),
            ("event_key", self.keys[index] if key is None else key),
            ("rules_fingerprint", self.report.rules_fingerprint),
        ):
            self.rows[column].append(value)


def new_outcomes(mapped: Candidates, keys: list[str], rows: Iterable[int]) -> pa.Table:
    """The events (or quarantine reasons) these rules make of the batch's ``rows``."""
    wanted = set(rows)
    if mapped.rows is None:
        positions = sorted(wanted)
    else:
        positions = [i for i, row in enumerate(mapped.rows) if row in wanted]
    # Rows refused whole (events_per_row) have no event: only their reason.
    refused: list[int] = []
    refusals: list[str | None] = []
    if mapped.row_reasons is not None:
        refused = sorted(i for i in wanted if mapped.row_reasons[i] is not None)
        refusals = [mapped.row_reasons[i] for i in refused]
    reasons = pa.array([mapped.reasons[i] for i in positions] + refusals, pa.string())
    taken = pa.array(positions, pa.int64())
    is_event = pc.is_null(reasons)
    new = {
        "event_key": pa.array(
            mapped.keys_of(keys, positions) + [keys[i] for i in refused], pa.string()
        )
    }
    for column in COMPARED:
        values = mapped.columns[column].take(taken)
        if refused:
            values = pa.concat_arrays([values, pa.nulls(len(refused), values.type)])
        new[column] = pc.if_else(is_event, values, pa.scalar(None, values.type))
    new["reason"] = reasons
    return pa.table(new)


def other_events(
    same_events: SameEvents,
    mapped: Candidates,
    keys: list[str],
    chosen: list[int],
    quarantine: Quarantine,
) -> list[int]:
    """``chosen`` without the events made already (those are quarantined, event by event).

    Their reason in ``mapped`` becomes ``same event already imported`` too.
    """
    if len(chosen) == len(mapped.reasons):  # every candidate an event: nothing to take
        candidates = {name: mapped.columns[name] for name in FIELDS}
    else:
        taken = pa.array(chosen, pa.int64())
        candidates = {name: mapped.columns[name].take(taken) for name in FIELDS}
    rows = mapped.rows_of(chosen)
    if same_events.owners:  # a row's own events are known by its row key (row_owned_digests)
        candidates["event_key"] = pa.array([keys[row] for row in rows], pa.string())
    first_row, report = quarantine.first_row, quarantine.report
    made, where = same_events.check(
        pa.table(candidates), np.asarray(rows, dtype=np.int64) + first_row
    )
    if not made.any():
        return chosen
    kept = []
    for position, index in enumerate(chosen):
        if not made[position]:
            kept.append(index)
            continue
        row = rows[position]
        quarantine.add(row, SAME_EVENT, mapped.keys_of(keys, [index])[0], event=mapped.apart)
        mapped.reasons[index] = SAME_EVENT
        earlier = int(where[position])
        if earlier:
            report.rows_same_event_in_input += 1
            if report.same_event_example is None:
                report.same_event_example = (first_row + row, earlier)
        else:
            report.rows_same_event_stored += 1
    return kept


def store_events(
    writer: _Writer,
    mapped: Candidates,
    keys: list[str],
    chosen: list[int],
    first_row: int,
    report: ImportReport,
) -> None:
    """Insert the chosen events, each under its key, and count them."""
    indices = pa.array(chosen, pa.int64())
    events = {column: array.take(indices) for column, array in mapped.columns.items()}
    if "source" not in events:
        events["source"] = pa.array([report.source] * len(chosen), pa.string())
    events["event_key"] = pa.array(mapped.keys_of(keys, chosen), pa.string())
    events["row_number"] = pa.array([first_row + row for row in mapped.rows_of(chosen)], pa.int64())
    events["rules_fingerprint"] = pa.array([report.rules_fingerprint] * len(chosen), pa.string())
    table = pa.table({column: events[column] for column in EVENTS_SCHEMA})
    report.rows_imported += table.num_rows
    report.conversions += int(pc.sum(table.column("conversion")).as_py() or 0)
    for found in pc.value_counts(table.column("touchpoint")).to_pylist():
        touchpoint, count = found["values"], found["counts"]
        report.touchpoints[touchpoint] = report.touchpoints.get(touchpoint, 0) + count
    writer.insert("events", table)


def number_copies(keys: list[str], copies: KeyRuns) -> list[str]:
    """Give the n-th copy of an equal row the key ``<hash>#n``: kept, and still idempotent.

    ``copies`` counts the copies of each row read so far.
    """
    numbers = copies.count(keys).tolist()
    return [key if copy == 1 else f"{key}#{copy}" for key, copy in zip(keys, numbers, strict=True)]
