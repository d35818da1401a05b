"""A batch's timestamps: the format detected once, a day/month order settled on later rows."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from journeymap.errors import RulesError
from journeymap.i18n import N_
from journeymap.i18n.messages import _, count
from journeymap.ingest._matching import _field
from journeymap.ingest._rule_state import RuleState
from journeymap.ingest.readers._common import source_type
from journeymap.ingest.timestamps import (
    SAMPLE_SIZE,
    DateOrder,
    constant_timestamp,
    date_order,
    detect_formats,
    order_evidence,
    parse_any,
    swap_order,
)
from journeymap.model.mapping import MappingRules


def _timestamp_text(batch: pa.RecordBatch, rules: MappingRules) -> pa.Array | None:
    if rules.columns.timestamp_constant is not None:
        return None
    parts = [_field(batch, name) for name in rules.columns.timestamp_columns]
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, " ")


def _timestamps(
    batch: pa.RecordBatch,
    text: pa.Array | None,
    rules: MappingRules,
    state: RuleState,
    row: int,
    names: list[str] | None = None,
) -> pa.Array:
    """The batch's timestamps read from ``text`` (the columns ``names``, by default the rules').

    The format is detected on the first text that reads (see :func:`_detect`).
    """
    columns = rules.columns
    if text is None:
        assert columns.timestamp_constant is not None
        return constant_timestamp(columns.timestamp_constant, columns.timezone, batch.num_rows)
    if not state.format_known:
        _detect(batch, text, rules, state, columns.timestamp_columns if names is None else names)
    parsed = parse_any(text, state.formats, columns.timezone, state.timestamp_notes)
    if state.date_order.open:
        parsed = _check_date_order(text, parsed, columns.timezone, state, row)
    return parsed


def _detect(
    batch: pa.RecordBatch, text: pa.Array, rules: MappingRules, state: RuleState, names: list[str]
) -> None:
    """Settle the timestamp format on ``text`` (given, or detected; its sample kept)."""
    columns = rules.columns
    if not state.timestamp_sample and len(text):
        state.timestamp_sample = pc.unique(text).slice(0, SAMPLE_SIZE).to_pylist()
    if len(names) == 1:
        native = source_type(batch, names[0])
        if native is not None and native.startswith(("timestamp", "date")):
            state.timestamp_type = native
    if columns.timestamp_format:
        state.formats = [columns.timestamp_format]
    else:
        state.formats = detect_formats(text, columns.dayfirst)
        # A detected day/month order is checked on the rows that follow until settled.
        detected_order = date_order(state.formats)
        state.date_order.open = columns.dayfirst is None and detected_order is not None
    state.timestamp_format = " | ".join(state.formats) or None
    state.format_known = bool(state.formats)


def _column_text(batch: pa.RecordBatch, names: list[str]) -> pa.Array:
    """The text of ``names`` joined with a space (missing values are the empty string)."""
    parts = [_field(batch, name) for name in names]
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, " ")


def _timestamps_by_source(
    batch: pa.RecordBatch,
    sources: list[tuple[str, ...]],
    rules: MappingRules,
    state: RuleState,
    row: int,
) -> dict[tuple[str, ...], tuple[pa.Array | None, pa.Array]]:
    """``(text, timestamps)`` per timestamp source of ``events_per_row`` entries.

    A source is the columns an entry names, or ``()`` for the row's own timestamp. The
    format is detected once, on the filled values of every source together: a file whose
    first rows have no demo date still reads its contract dates.
    """
    texts: dict[tuple[str, ...], pa.Array | None] = {
        names: _column_text(batch, list(names)) if names else _timestamp_text(batch, rules)
        for names in sources
    }
    filled = [
        pc.filter(text, pc.not_equal(pc.utf8_trim_whitespace(text), "")).cast(pa.string())
        for text in texts.values()
        if text is not None
    ]
    if not state.format_known and any(len(text) for text in filled):
        first = next(names for names, text in texts.items() if text is not None)
        named = list(first) or rules.columns.timestamp_columns
        _detect(batch, pa.concat_arrays(filled), rules, state, named if len(texts) == 1 else [])
    return {
        names: (text, _timestamps(batch, text, rules, state, row, list(names) or None))
        for names, text in texts.items()
    }


def _check_date_order(
    text: pa.Array, parsed: pa.Array, timezone: str, state: RuleState, row: int
) -> pa.Array:
    """``parsed``, or the batch read in the other order if its values settle that one.

    Rows of earlier batches are stored already: if they held dates the other order reads as
    other days, the import cannot go on without misreading them, and stops (it is atomic).
    """
    order = state.date_order
    found = order_evidence(text, state.formats, timezone, parsed)
    if found.this_only >= found.other_only and found.this_only:
        order.open = False
        return parsed
    if found.other_only:
        other = [swap_order(fmt) or fmt for fmt in state.formats]
        if order.ambiguous:
            assert found.first_other is not None
            settling = str(text[found.first_other].as_py())
            raise _date_order_error(state.formats, other, order, settling, found.first_other + row)
        order.open = False
        state.formats = other
        state.timestamp_format = " | ".join(other)
        return parse_any(text, other, timezone)
    if found.ambiguous:
        if order.first_ambiguous is None and found.first_ambiguous is not None:
            order.first_ambiguous = str(text[found.first_ambiguous].as_py())
        order.ambiguous += found.ambiguous
    return parsed


def _date_order_error(
    used: list[str], other: list[str], order: DateOrder, value: str, row: int
) -> RulesError:
    read = date_order(used) or "month"
    settled = next(fmt for fmt in other if swap_order(fmt) is not None)
    return RulesError(
        _(
            "row {row}'s timestamp {value} only reads {other}, but {count} dates before it fit "
            "both orders and were read {read} (the first: {first}); nothing was imported. Set "
            "timestamp_format: {format} in the rules' columns and import again"
        ).format(
            row=count(row),
            value=repr(value),
            other=_order_first(date_order(other)),
            count=count(order.ambiguous),
            read=_order_first(read),
            first=repr(order.first_ambiguous),
            format=repr(settled),
        )
    )


_ORDER_FIRST = {"day": N_("day-first"), "month": N_("month-first")}


def _order_first(order: str | None) -> str:
    """``day-first`` or ``month-first`` in the user's language."""
    return _(_ORDER_FIRST[order]) if order in _ORDER_FIRST else f"{order}-first"
