"""Apply :class:`MappingRules` to a batch of raw text columns, vectorised with pyarrow.compute.

Rule values are only ever passed as arguments to compute kernels, never pasted into SQL.
The result keeps one row per input row: the contract columns and, for rows that cannot become
events, the quarantine reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from journeymap.errors import RulesError
from journeymap.ingest.readers._common import source_type
from journeymap.ingest.timestamps import (
    TS_TYPE,
    TimestampNotes,
    constant_timestamp,
    detect_formats,
    parse_any,
)
from journeymap.model import (
    UNMAPPED,  # the touchpoint of rows kept though no rule matched
    did_you_mean,
)
from journeymap.model.mapping import Condition, MappingRules

__all__ = [
    "MISSING_ID",
    "NO_RULE",
    "UNMAPPED",
    "MappedBatch",
    "RuleState",
    "apply_rules",
    "missing_columns_error",
    "used_columns",
]

MISSING_ID = "missing person id"
BAD_TIMESTAMP = "unparseable timestamp"
BAD_VALUE = "unparseable value"
NO_RULE = "no rule matched"
FILTERED = "filtered out"

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_MONTH_NUMBER = re.compile(r"^([A-Za-z]{3})-(\d{1,3})$")
_NUMBER_MONTH = re.compile(r"^(\d{1,2})-([A-Za-z]{3})$")
_MONTH_NAMES = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_SPREADSHEET_DATE = rf"(?i)^(({_MONTH_NAMES})-\d{{1,3}}|\d{{1,2}}-({_MONTH_NAMES}))$"


@dataclass
class RuleState:
    """What the rules learn from the first batch and keep for the rest of the file."""

    timestamp_format: str | None = None
    timestamp_type: str | None = None
    format_known: bool = False
    formats: list[str] = field(default_factory=list)
    repaired: int = 0
    suspect: dict[str, int] = field(default_factory=dict)
    timestamp_notes: TimestampNotes = field(default_factory=TimestampNotes)


@dataclass
class MappedBatch:
    """The contract columns of a batch, with a reason (or null) per row."""

    columns: dict[str, pa.Array]
    reasons: list[str | None] = field(default_factory=list)


def _field(batch: pa.RecordBatch, name: str) -> pa.Array:
    return pc.fill_null(batch.column(name), "")


def used_columns(rules: MappingRules) -> set[str]:
    """The raw columns ``rules`` read (not those they derive themselves, such as bands)."""
    wanted: list[str] = []
    columns = rules.columns
    wanted += [c for c in (columns.person_id, columns.account_id, columns.value) if c]
    wanted += [c for c in (columns.persona, columns.phase) if c]
    wanted += columns.timestamp_columns + [band.field for band in rules.bands]
    wanted += [condition.field for condition in rules.conversion + rules.only]
    for rule in rules.touchpoints:
        wanted += [condition.field for condition in rule.when]
        wanted += [rule.touchpoint_from] if rule.touchpoint_from else []
    wanted += rules.keep + rules.repair_spreadsheet_ranges
    return set(wanted) - {band.name for band in rules.bands}


def missing_columns_error(missing: Iterable[str], available: Iterable[str]) -> RulesError:
    """The error for rules that read columns the events do not have, with near misses."""
    names = list(available)
    guesses = {name: did_you_mean(name, names) for name in sorted(missing)}
    hints = [
        f"{guess!r}" if len(guesses) == 1 else f"{guess!r} for {name!r}"
        for name, guess in guesses.items()
        if guess
    ]
    hint = f"; did you mean {', '.join(hints)}?" if hints else ""
    return RulesError(
        f"the mapping rules use column(s) {', '.join(map(repr, guesses))} that the events do "
        f"not have{hint} (available: {', '.join(names)})"
    )


def _check_columns(batch: pa.RecordBatch, rules: MappingRules) -> None:
    missing = used_columns(rules) - set(batch.schema.names)
    if missing:
        raise missing_columns_error(missing, batch.schema.names)


def condition_mask(batch: pa.RecordBatch, condition: Condition) -> pa.Array:
    """True where the row meets ``condition`` (missing values are the empty string)."""
    values = _field(batch, condition.field)
    fold = not condition.case_sensitive
    if fold:
        values = pc.utf8_lower(values)

    def norm(text: str) -> str:
        return text.lower() if fold else text

    if condition.equals is not None:
        return pc.equal(values, norm(condition.equals))
    if condition.in_ is not None:
        return pc.is_in(values, value_set=pa.array([norm(v) for v in condition.in_], pa.string()))
    if condition.prefix is not None:
        return pc.starts_with(values, norm(condition.prefix))
    assert condition.regex is not None
    try:
        return pc.match_substring_regex(values, condition.regex, ignore_case=fold)
    except pa.ArrowInvalid as exc:
        # Validation refuses the syntax RE2 lacks; what is left is mostly a pattern too big.
        advice = (
            "make it smaller: fewer alternatives or smaller counts, or split it over rules"
            if "too large" in str(exc) or "too big" in str(exc)
            else "use RE2 syntax (no look-around or back-references)"
        )
        raise RulesError(
            f"regex /{condition.regex}/ on {condition.field!r} is not supported: {exc}; {advice}"
        ) from None


def all_of(batch: pa.RecordBatch, conditions: list[Condition]) -> pa.Array:
    """True where every condition holds (every row for an empty list)."""
    mask = pa.array([True] * batch.num_rows, pa.bool_())
    for condition in conditions:
        mask = pc.and_(mask, condition_mask(batch, condition))
    return mask


def _number(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return _parse_value(text)
    except ValueError:
        return None  # not a number: the band stays empty, the raw value stays in the row


def _with_bands(batch: pa.RecordBatch, rules: MappingRules) -> pa.RecordBatch:
    for band in rules.bands:
        values = batch.column(band.field).to_pylist()
        labels = [_band_label(_number(value), band.edges) for value in values]
        batch = batch.append_column(band.name, pa.array(labels, pa.string()))
    return batch


def _band_label(value: float | None, edges: list[float]) -> str | None:
    if value is None:
        return None
    shown = [f"{edge:g}" for edge in edges]
    if value < edges[0]:
        return f"<{shown[0]}"
    for index in range(len(edges) - 1):
        if value < edges[index + 1]:
            upper = edges[index + 1] - 1 if all(e.is_integer() for e in edges) else edges[index + 1]
            return f"{shown[index]}-{upper:g}"
    return f"{shown[-1]}+"


def repair_range(text: str) -> str | None:
    """The range a spreadsheet turned into a date (``May-20`` -> ``5-20``), or ``None``."""
    match = _MONTH_NUMBER.match(text)
    if match and match.group(1).lower() in _MONTHS:
        return f"{_MONTHS[match.group(1).lower()]}-{int(match.group(2))}"
    match = _NUMBER_MONTH.match(text)
    if match and match.group(2).lower() in _MONTHS:
        return f"{int(match.group(1))}-{_MONTHS[match.group(2).lower()]}"
    return None


def _parse_value(text: str) -> float | None:
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned:
        if "." in cleaned and cleaned.rfind(",") < cleaned.rfind("."):
            cleaned = cleaned.replace(",", "")  # 1,234.50
        else:
            cleaned = cleaned.replace(".", "").replace(",", ".")  # 1.234,50 or 12,5
    return float(cleaned)


def _timestamps(batch: pa.RecordBatch, rules: MappingRules, state: RuleState) -> pa.Array:
    columns = rules.columns
    if columns.timestamp_constant is not None:
        return constant_timestamp(columns.timestamp_constant, columns.timezone, batch.num_rows)
    parts = [_field(batch, name) for name in columns.timestamp_columns]
    text = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, " ")
    if not state.format_known:
        if len(parts) == 1:
            native = source_type(batch, columns.timestamp_columns[0])
            if native is not None and native.startswith(("timestamp", "date")):
                state.timestamp_type = native
        if columns.timestamp_format:
            state.formats = [columns.timestamp_format]
        else:
            state.formats = detect_formats(text, columns.dayfirst)
        state.timestamp_format = " | ".join(state.formats) or None
        state.format_known = bool(state.formats)
    return parse_any(text, state.formats, columns.timezone, state.timestamp_notes)


def _touchpoints(
    batch: pa.RecordBatch, rules: MappingRules
) -> tuple[list[str | None], list[str | None]]:
    touchpoints: list[str | None] = [None] * batch.num_rows
    phases: list[str | None] = [None] * batch.num_rows
    open_rows = set(range(batch.num_rows))
    for rule in rules.touchpoints:
        if not open_rows:
            break
        mask = all_of(batch, rule.when)
        source = _field(batch, rule.touchpoint_from).to_pylist() if rule.touchpoint_from else None
        for index in pc.indices_nonzero(mask).to_pylist():
            if index not in open_rows:
                continue
            target = rule.touchpoint if source is None else str(source[index]).strip()
            if not target:
                continue  # an empty activity does not match; a later rule may
            touchpoints[index], phases[index] = target, rule.phase
            open_rows.discard(index)
    return touchpoints, phases


def _values(batch: pa.RecordBatch, name: str | None) -> tuple[list[float | None], set[int]]:
    if name is None:
        return [None] * batch.num_rows, set()
    values: list[float | None] = []
    bad: set[int] = set()
    for index, text in enumerate(_field(batch, name).to_pylist()):
        if not text or not str(text).strip():
            values.append(None)
            continue
        try:
            values.append(_parse_value(str(text)))
        except ValueError:
            values.append(None)
            bad.add(index)
    return values, bad


def _optional(batch: pa.RecordBatch, name: str | None) -> list[str | None]:
    if name is None:
        return [None] * batch.num_rows
    return [
        str(v).strip() or None if v is not None else None for v in batch.column(name).to_pylist()
    ]


def _extras(batch: pa.RecordBatch, rules: MappingRules, state: RuleState) -> list[str | None]:
    repair = rules.repair_spreadsheet_ranges
    names = list(dict.fromkeys(rules.keep + repair + [band.name for band in rules.bands]))
    if not names:
        return [None] * batch.num_rows
    for name in names:
        if name not in repair and batch.num_rows:
            found = pc.sum(pc.match_substring_regex(_field(batch, name), _SPREADSHEET_DATE))
            if found.as_py():
                state.suspect[name] = state.suspect.get(name, 0) + found.as_py()
    columns = {name: batch.column(name).to_pylist() for name in names}
    for name in rules.repair_spreadsheet_ranges:
        if name not in columns:
            continue
        repaired = []
        for text in columns[name]:
            fixed = repair_range(str(text)) if text else None
            state.repaired += fixed is not None
            repaired.append(fixed if fixed is not None else text)
        columns[name] = repaired
    return [
        json.dumps({name: columns[name][i] for name in names}, ensure_ascii=False)
        for i in range(batch.num_rows)
    ]


def apply_rules(
    batch: pa.RecordBatch,
    rules: MappingRules,
    *,
    source: str,
    first_row: int,
    state: RuleState,
) -> MappedBatch:
    """Map one batch of raw rows to the events contract.

    Args:
        batch: Raw text columns as a reader yields them.
        rules: The mapping rules.
        source: The import's source name (goes into ``source`` and row-based person ids).
        first_row: The 1-based number of the batch's first row in the whole input.
        state: Carries the detected timestamp format from batch to batch.

    Returns:
        The contract columns for every row and a reason per row (``None`` = an event).

    Raises:
        RulesError: The rules name columns the data does not have, or cannot run on it.
    """
    for name, value in rules.constant.items():
        if name in batch.schema.names:
            raise RulesError(f"constant column {name!r} already exists in the events")
        batch = batch.append_column(name, pa.array([value] * batch.num_rows, pa.string()))
    _check_columns(batch, rules)
    batch = _with_bands(batch, rules)
    count = batch.num_rows
    columns = rules.columns
    if columns.person_from_row:
        persons: list[str | None] = [f"{source}:{first_row + i}" for i in range(count)]
    else:
        assert columns.person_id is not None
        persons = _optional(batch, columns.person_id)
    ts = _timestamps(batch, rules, state)
    touchpoints, rule_phases = _touchpoints(batch, rules)
    explicit_phases = _optional(batch, columns.phase)
    phases = [e or r for e, r in zip(explicit_phases, rule_phases, strict=True)]
    values, bad_values = _values(batch, columns.value)
    conversion = (
        all_of(batch, rules.conversion)
        if rules.conversion
        else pa.array([False] * count, pa.bool_())
    )
    included = all_of(batch, rules.only).to_pylist()
    ts_valid = pc.is_valid(ts).to_pylist()
    reasons: list[str | None] = []
    for index in range(count):
        reason: str | None = None
        if not included[index]:
            reason = FILTERED
        elif not persons[index]:
            reason = MISSING_ID
        elif not ts_valid[index]:
            reason = BAD_TIMESTAMP
        elif index in bad_values:
            reason = BAD_VALUE
        elif touchpoints[index] is None:
            if rules.unmatched == "keep":
                touchpoints[index] = UNMAPPED
            else:
                reason = NO_RULE
        reasons.append(reason)
    mapped = {
        "person_id": pa.array(persons, pa.string()),
        "account_id": pa.array(_optional(batch, columns.account_id), pa.string()),
        "ts": ts.cast(TS_TYPE),
        "touchpoint": pa.array(touchpoints, pa.string()),
        "phase": pa.array(phases, pa.string()),
        "persona": pa.array(_optional(batch, columns.persona), pa.string()),
        "conversion": conversion,
        "value": pa.array(values, pa.float64()),
        "source": pa.array([source] * count, pa.string()),
        "extra": pa.array(_extras(batch, rules, state), pa.string()),
    }
    return MappedBatch(columns=mapped, reasons=reasons)
