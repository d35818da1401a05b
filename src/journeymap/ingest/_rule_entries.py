"""``events_per_row``: the events each raw row makes, one per entry whose conditions hold.

Vectorised per entry with pyarrow.compute, as :mod:`journeymap.ingest.rules` maps a row to one
event; rule values are only ever passed as arguments to compute kernels. The candidate events
come in row order and, within a row, in the order of the entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from journeymap.ingest._matching import _field, _touchpoints, all_of
from journeymap.ingest._reasons import (
    BAD_TIMESTAMP,
    BAD_VALUE,
    FILTERED,
    MISSING_ID,
    NO_ENTRY,
    NO_RULE,
)
from journeymap.ingest._rule_extras import _extras
from journeymap.ingest._rule_state import RuleState, _note_quarantined
from journeymap.ingest._rule_timestamps import _timestamps_by_source
from journeymap.ingest._rule_values import _values
from journeymap.ingest.rules import _optional, prepared
from journeymap.ingest.timestamps import TS_TYPE
from journeymap.model import UNMAPPED
from journeymap.model._unpivot import RowEvent
from journeymap.model.mapping import MappingRules

__all__ = ["RowEvents", "map_row_events"]


@dataclass
class RowEvents:
    """A batch mapped with ``events_per_row``.

    Attributes:
        row_reasons: Per row of the batch, the reason it makes no event at all (``filtered
            out``, ``missing person id``, ``no entry of events_per_row matched``), or None.
        columns: The contract columns of the candidate events (no ``source``), in row order
            and, within a row, in the entries' order.
        rows: Per candidate event, its row's index in the batch.
        entries: Per candidate event, its entry's number (from 1); 0 for the ``unmapped``
            event of a row no entry holds on (``unmatched: keep``).
        reasons: Per candidate event, the reason it is quarantined (``unparseable
            timestamp``, ``unparseable value``, ``no rule matched``), or None.
    """

    row_reasons: list[str | None]
    columns: dict[str, pa.Array] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)
    entries: list[int] = field(default_factory=list)
    reasons: list[str | None] = field(default_factory=list)


def _holds(batch: pa.RecordBatch, entry: RowEvent, decimal: str | None) -> np.ndarray:
    """Where the entry makes an event: its conditions hold and its own timestamp is filled."""
    mask = _bools(all_of(batch, entry.when, decimal))
    if entry.timestamp_columns:
        filled = np.zeros(batch.num_rows, dtype=bool)
        for name in entry.timestamp_columns:
            filled |= _bools(pc.not_equal(pc.utf8_trim_whitespace(_field(batch, name)), ""))
        mask &= filled
    return mask


def _bools(array: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


@dataclass
class _Part:
    """The candidate events of one entry (or of the rows kept ``unmapped``)."""

    number: int
    rows: np.ndarray
    ts: pa.Array
    text: pa.Array
    touchpoints: list[str | None]
    phases: list[str | None]
    conversion: pa.Array
    values: list[float | None]
    bad_values: list[bool]


def map_row_events(
    batch: pa.RecordBatch,
    rules: MappingRules,
    *,
    source: str,
    first_row: int,
    state: RuleState,
) -> RowEvents:
    """The events of ``events_per_row`` that each row of the batch makes.

    Args:
        batch: Raw text columns as a reader yields them.
        rules: The mapping rules, with ``events_per_row``.
        source: The import's source name (goes into row-based person ids).
        first_row: The 1-based number of the batch's first row in the whole input.
        state: Carries the detected timestamp format from batch to batch.

    Raises:
        RulesError: The rules name columns the data does not have, or cannot run on it.
    """
    batch, persons = prepared(batch, rules, source, first_row)
    count = batch.num_rows
    included = _bools(all_of(batch, rules.only, rules.columns.decimal))
    row_reasons: list[str | None] = [
        FILTERED if not included[i] else None if persons[i] else MISSING_ID for i in range(count)
    ]
    open_rows = np.array([reason is None for reason in row_reasons], dtype=bool)
    keep = rules.unmatched == "keep"
    entries = rules.events_per_row
    sources = [tuple(entry.timestamp_columns) for entry in entries] + ([()] if keep else [])
    stamps = _timestamps_by_source(batch, list(dict.fromkeys(sources)), rules, state, first_row)
    ruled = _touchpoints(batch, rules) if any(e.touchpoint_rules for e in entries) else None
    explicit_phases = _optional(batch, rules.columns.phase)
    decimal = rules.columns.decimal
    values_by_column: dict[str | None, tuple[list[float | None], set[int]]] = {}

    def values_of(column: str | None) -> tuple[list[float | None], set[int]]:
        if column not in values_by_column:
            columns = rules.columns.model_copy(update={"value": column})
            values_by_column[column] = _values(batch, columns, state, first_row)
        return values_by_column[column]

    parts: list[_Part] = []
    made = np.zeros(count, dtype=bool)
    converting = np.zeros(count, dtype=bool)  # rows with a conversion entry, for the counts
    for number, entry in enumerate(entries, start=1):
        holds = _holds(batch, entry, decimal)
        conversion = _conversion(batch, entry, decimal)
        converting |= holds & _bools(conversion)
        rows = np.flatnonzero(holds & open_rows)
        made[rows] = True
        at = rows.tolist()
        text, ts = stamps[tuple(entry.timestamp_columns)]
        touchpoints, phases = _entry_touchpoints(batch, entry, ruled, at)
        values, bad = values_of(entry.value or rules.columns.value)
        parts.append(
            _Part(
                number,
                rows,
                ts.take(pa.array(rows)),
                _taken_text(text, rows),
                touchpoints,
                [explicit_phases[i] or phases[k] for k, i in enumerate(at)],
                conversion.take(pa.array(rows)),
                [values[i] for i in at],
                [i in bad for i in at],
            )
        )
    unmatched = np.flatnonzero(open_rows & ~made)
    if keep and len(unmatched):
        parts.append(_unmapped_part(unmatched, stamps[()], values_of(rules.columns.value)))
        parts[-1].phases = [explicit_phases[i] for i in unmatched.tolist()]
    elif not keep:
        for index in unmatched.tolist():
            row_reasons[index] = NO_ENTRY
    found = _assemble(batch, rules, state, persons, parts, keep, row_reasons)
    _note(found, row_reasons, converting, state)
    return found


def _conversion(batch: pa.RecordBatch, entry: RowEvent, decimal: str | None) -> pa.Array:
    if isinstance(entry.conversion, list):
        return all_of(batch, entry.conversion, decimal)
    return pa.array([entry.conversion] * batch.num_rows, pa.bool_())


def _taken_text(text: pa.Array | None, rows: np.ndarray) -> pa.Array:
    if text is None:  # timestamp_constant: no text to show for a bad timestamp
        return pa.array([""] * len(rows), pa.string())
    return text.take(pa.array(rows)).cast(pa.string())


def _entry_touchpoints(
    batch: pa.RecordBatch,
    entry: RowEvent,
    ruled: tuple[list[str | None], list[str | None]] | None,
    at: list[int],
) -> tuple[list[str | None], list[str | None]]:
    """The touchpoint and the entry's (or rule's) phase of the event of each row ``at``."""
    if entry.touchpoint is not None:
        return [entry.touchpoint] * len(at), [entry.phase] * len(at)
    if entry.touchpoint_from is not None:
        named = _field(batch, entry.touchpoint_from).to_pylist()
        return [str(named[i]).strip() or None for i in at], [entry.phase] * len(at)
    assert ruled is not None
    touchpoints, phases = ruled
    return [touchpoints[i] for i in at], [entry.phase or phases[i] for i in at]


def _unmapped_part(
    rows: np.ndarray,
    stamp: tuple[pa.Array | None, pa.Array],
    values: tuple[list[float | None], set[int]],
) -> _Part:
    """The ``unmapped`` events of rows no entry holds on (``unmatched: keep``)."""
    at = rows.tolist()
    return _Part(
        0,
        rows,
        stamp[1].take(pa.array(rows)),
        _taken_text(stamp[0], rows),
        [UNMAPPED] * len(at),
        [None] * len(at),
        pa.array([False] * len(at), pa.bool_()),
        [values[0][i] for i in at],
        [i in values[1] for i in at],
    )


def _assemble(
    batch: pa.RecordBatch,
    rules: MappingRules,
    state: RuleState,
    persons: list[str | None],
    parts: list[_Part],
    keep: bool,
    row_reasons: list[str | None],
) -> RowEvents:
    """The parts' events in row order and, within a row, in entry order; with reasons."""
    rows = np.concatenate([part.rows for part in parts]) if parts else np.zeros(0, np.int64)
    numbers = np.concatenate([np.full(len(part.rows), part.number) for part in parts] or [rows])
    order = np.lexsort((numbers, rows))
    taken = pa.array(order, pa.int64())

    def stacked(name: str, kind: pa.DataType) -> pa.Array:
        if not parts:
            return pa.array([], kind)
        pieces = [getattr(part, name) for part in parts]
        if isinstance(pieces[0], pa.Array):
            return pa.concat_arrays([piece.cast(kind) for piece in pieces]).take(taken)
        return pa.array([v for piece in pieces for v in piece], kind).take(taken)

    event_rows = pa.array(rows[order], pa.int64())
    touchpoints = stacked("touchpoints", pa.string()).to_pylist()
    ts = stacked("ts", TS_TYPE)
    bad_values = stacked("bad_values", pa.bool_()).to_pylist()
    ts_valid = pc.is_valid(ts).to_pylist()
    reasons: list[str | None] = []
    for index, touchpoint in enumerate(touchpoints):
        reason: str | None = None
        if not ts_valid[index]:
            reason = BAD_TIMESTAMP
        elif bad_values[index]:
            reason = BAD_VALUE
        elif touchpoint is None:
            if keep:
                touchpoints[index] = UNMAPPED
            else:
                reason = NO_RULE
        reasons.append(reason)
    columns = rules.columns

    def by_row(values: list[str | None]) -> pa.Array:
        return pa.array(values, pa.string()).take(event_rows)

    extras = _extras(batch, rules, state)
    return RowEvents(
        row_reasons=row_reasons,
        columns={
            "person_id": by_row(persons),
            "account_id": by_row(_optional(batch, columns.account_id)),
            "ts": ts,
            "touchpoint": pa.array(touchpoints, pa.string()),
            "phase": stacked("phases", pa.string()),
            "persona": by_row(_optional(batch, columns.persona)),
            "conversion": stacked("conversion", pa.bool_()),
            "value": stacked("values", pa.float64()),
            "extra": by_row(extras),
            "_text": stacked("text", pa.string()),
        },
        rows=rows[order].tolist(),
        entries=numbers[order].tolist(),
        reasons=reasons,
    )


def _note(
    found: RowEvents, row_reasons: list[str | None], converting: np.ndarray, state: RuleState
) -> None:
    """Count conversions as :func:`_note_quarantined` does: rows refused whole, then events."""
    refused = [index for index, reason in enumerate(row_reasons) if reason is not None]
    reasons = [row_reasons[index] for index in refused] + found.reasons
    conversion = pa.concat_arrays(
        [
            pa.array([bool(converting[index]) for index in refused], pa.bool_()),
            found.columns["conversion"],
        ]
    )
    text = pa.concat_arrays(
        [pa.array([""] * len(refused), pa.string()), found.columns.pop("_text")]
    )
    _note_quarantined(reasons, conversion, text, state)
