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
from journeymap.i18n import N_
from journeymap.i18n.messages import _, count
from journeymap.ingest.numbers import NumberConvention, parse_loose, parse_number
from journeymap.ingest.readers._common import source_type
from journeymap.ingest.report import ImportReport
from journeymap.ingest.timestamps import (
    SAMPLE_SIZE,
    TS_TYPE,
    DateOrder,
    TimestampNotes,
    constant_timestamp,
    date_order,
    detect_formats,
    order_evidence,
    parse_any,
    suggest_format,
    swap_order,
)
from journeymap.model import (
    UNMAPPED,  # the touchpoint of rows kept though no rule matched
    did_you_mean,
)
from journeymap.model.mapping import ColumnMapping, Condition, MappingRules

__all__ = [
    "MISSING_ID",
    "NO_RULE",
    "UNMAPPED",
    "MappedBatch",
    "MissingColumnsError",
    "RuleState",
    "apply_rules",
    "locate_missing_columns",
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


# Bad timestamps kept to suggest a format that reads them.
_BAD_SAMPLE = 200


@dataclass
class RuleState:
    """What the rules learn from the first batch and keep for the rest of the file.

    Attributes beyond the timestamp format: ``date_order`` (a detected day-first or
    month-first order and whether a value has settled it), ``numbers`` (the value column's
    decimal mark), the first unparseable timestamp and a sample of such values,
    ``quarantined_conversions`` (rows quarantined though the conversion rule matches them,
    by reason, as the rules decided them: before duplicates and rows already imported).
    """

    timestamp_format: str | None = None
    timestamp_type: str | None = None
    format_known: bool = False
    formats: list[str] = field(default_factory=list)
    repaired: int = 0
    suspect: dict[str, int] = field(default_factory=dict)
    timestamp_notes: TimestampNotes = field(default_factory=TimestampNotes)
    date_order: DateOrder = field(default_factory=DateOrder)
    numbers: NumberConvention = field(default_factory=NumberConvention)
    timestamp_sample: list[str] = field(default_factory=list)
    bad_timestamps: list[str] = field(default_factory=list)
    first_bad_timestamp: str | None = None
    quarantined_conversions: dict[str, int] = field(default_factory=dict)

    def fill_report(self, report: ImportReport) -> None:
        """Put what the rules saw, beyond what the importer copies, into ``report``."""
        order = self.date_order
        if order.open and order.ambiguous and order.first_ambiguous is not None:
            report.timestamp_order_tie = order.first_ambiguous
        numbers = self.numbers
        if numbers.decimal is None and numbers.ambiguous:
            report.value_ambiguous = (numbers.first_ambiguous or "", numbers.ambiguous)
        bad = report.quarantined.get(BAD_TIMESTAMP, 0)
        if bad and self.first_bad_timestamp is not None:
            report.timestamp_unparseable = self.first_bad_timestamp
            report.timestamp_suggestion = suggest_format(
                self.timestamp_sample + self.bad_timestamps, self.formats
            )
        # The importer may have counted some of these rows as duplicates or as imported before.
        report.quarantined_conversions = {
            reason: min(count, report.quarantined.get(reason, 0))
            for reason, count in sorted(self.quarantined_conversions.items())
            if report.quarantined.get(reason, 0)
        }


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


class MissingColumnsError(RulesError):
    """The rules read columns the events do not have (``missing``, in name order)."""

    def __init__(self, message: str, missing: Iterable[str]) -> None:
        self.missing = tuple(sorted(missing))
        super().__init__(message)


def missing_columns_error(missing: Iterable[str], available: Iterable[str]) -> RulesError:
    """The error for rules that read columns the events do not have, with near misses."""
    names = list(available)
    guesses = {name: did_you_mean(name, names) for name in sorted(missing)}
    hints = [
        repr(guess)
        if len(guesses) == 1
        else _("{guess} for {name}").format(guess=repr(guess), name=repr(name))
        for name, guess in guesses.items()
        if guess
    ]
    hint = _("; did you mean {name}?").format(name=", ".join(hints)) if hints else ""
    return MissingColumnsError(
        _(
            "the mapping rules use column(s) {columns} that the events do not have{hint} "
            "(available: {available})"
        ).format(columns=", ".join(map(repr, guesses)), hint=hint, available=", ".join(names)),
        guesses,
    )


# Where rules name a raw column: the columns section (not its settings), a condition's or a
# band's ``field``, ``touchpoint_from``, and the ``keep`` and repair lists.
_COLUMN_SETTINGS = frozenset({"person_id", "account_id", "timestamp", "value", "persona", "phase"})


def _names_a_column(path: tuple[object, ...]) -> bool:
    if not path:
        return False
    if path[0] == "columns":
        return len(path) >= 2 and path[1] in _COLUMN_SETTINGS
    if path[0] in {"keep", "repair_spreadsheet_ranges"}:
        return len(path) == 2
    return path[-1] in {"field", "touchpoint_from"}


def locate_missing_columns(error: RulesError, rules: MappingRules) -> RulesError:
    """``error`` with the file:line:column where the rules name its first missing column.

    Only for rules read from a file (a rules file, or a map's ``mapping:`` section) and an
    error of :func:`missing_columns_error`; any other is returned as it is.
    """
    from journeymap.mapfile import locate_in_rules

    if not isinstance(error, MissingColumnsError):
        return error
    missing = set(error.missing)
    location = locate_in_rules(
        rules, lambda path, value: value in missing and _names_a_column(path)
    )
    if location is None:
        return error
    return MissingColumnsError(f"{location}: {error}", missing)


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
            _("make it smaller: fewer alternatives or smaller counts, or split it over rules")
            if "too large" in str(exc) or "too big" in str(exc)
            else _("use RE2 syntax (no look-around or back-references)")
        )
        raise RulesError(
            _("regex /{regex}/ on {field} is not supported: {reason}; {advice}").format(
                regex=condition.regex, field=repr(condition.field), reason=exc, advice=advice
            )
        ) from None


def all_of(batch: pa.RecordBatch, conditions: list[Condition]) -> pa.Array:
    """True where every condition holds (every row for an empty list)."""
    mask = pa.array([True] * batch.num_rows, pa.bool_())
    for condition in conditions:
        mask = pc.and_(mask, condition_mask(batch, condition))
    return mask


def _number(text: str | None, decimal: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return parse_number(text, decimal) if decimal else parse_loose(text)
    except ValueError:
        return None  # not a number: the band stays empty, the raw value stays in the row


def _with_bands(batch: pa.RecordBatch, rules: MappingRules) -> pa.RecordBatch:
    for band in rules.bands:
        values = batch.column(band.field).to_pylist()
        labels = [
            _band_label(_number(value, rules.columns.decimal), band.edges) for value in values
        ]
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


def _timestamp_text(batch: pa.RecordBatch, rules: MappingRules) -> pa.Array | None:
    if rules.columns.timestamp_constant is not None:
        return None
    parts = [_field(batch, name) for name in rules.columns.timestamp_columns]
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, " ")


def _timestamps(
    batch: pa.RecordBatch, text: pa.Array | None, rules: MappingRules, state: RuleState, row: int
) -> pa.Array:
    columns = rules.columns
    if text is None:
        assert columns.timestamp_constant is not None
        return constant_timestamp(columns.timestamp_constant, columns.timezone, batch.num_rows)
    if not state.timestamp_sample and len(text):
        state.timestamp_sample = pc.unique(text).slice(0, SAMPLE_SIZE).to_pylist()
    if not state.format_known:
        if len(columns.timestamp_columns) == 1:
            native = source_type(batch, columns.timestamp_columns[0])
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
    parsed = parse_any(text, state.formats, columns.timezone, state.timestamp_notes)
    if state.date_order.open:
        parsed = _check_date_order(text, parsed, columns.timezone, state, row)
    return parsed


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


def _values(
    batch: pa.RecordBatch, columns: ColumnMapping, state: RuleState, row: int
) -> tuple[list[float | None], set[int]]:
    name = columns.value
    if name is None:
        return [None] * batch.num_rows, set()
    texts = _field(batch, name).to_pylist()
    decimal: str
    if columns.decimal is not None:
        decimal = columns.decimal
    else:
        decimal, contradicting = state.numbers.settle(texts, row)
        if contradicting is not None:
            raise _decimal_error(state.numbers, name, texts[contradicting], row + contradicting)
    values: list[float | None] = []
    bad: set[int] = set()
    for index, text in enumerate(texts):
        if not text or not str(text).strip():
            values.append(None)
            continue
        try:
            values.append(parse_number(str(text), decimal))
        except ValueError:
            values.append(None)
            bad.add(index)
    return values, bad


def _decimal_error(numbers: NumberConvention, name: str, value: str, row: int) -> RulesError:
    return RulesError(
        _(
            "row {row}'s {name} {value} has the decimal mark ',', but the {count} values before "
            "it fit both conventions and were read with ',' grouping thousands (the first: "
            "{first}, read as {read}); nothing was imported. Set decimal: ',' in the rules' "
            "columns (or decimal: '.') and import again"
        ).format(
            row=count(row),
            name=name,
            value=repr(value),
            count=count(numbers.ambiguous),
            first=repr(numbers.first_ambiguous),
            read=f"{parse_number(numbers.first_ambiguous or '0', '.'):g}",
        )
    )


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


def _note_quarantined(
    reasons: list[str | None],
    conversion: pa.Array,
    timestamp_text: pa.Array | None,
    state: RuleState,
) -> None:
    """Count quarantined conversions; keep the first unparseable timestamps."""
    quarantined = [index for index, reason in enumerate(reasons) if reason is not None]
    if not quarantined:
        return
    converts = conversion.to_pylist()
    for index in quarantined:
        if converts[index]:
            reason = str(reasons[index])
            state.quarantined_conversions[reason] = state.quarantined_conversions.get(reason, 0) + 1
    if timestamp_text is None or len(state.bad_timestamps) >= _BAD_SAMPLE:
        return
    bad = pa.array([i for i in quarantined if reasons[i] == BAD_TIMESTAMP], pa.int64())
    if not len(bad):
        return
    texts = [str(text) for text in pc.unique(timestamp_text.take(bad)).to_pylist()]
    if state.first_bad_timestamp is None:
        state.first_bad_timestamp = texts[0]
    for text in texts:
        if len(state.bad_timestamps) >= _BAD_SAMPLE:
            break
        if text not in state.bad_timestamps:
            state.bad_timestamps.append(text)


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
            raise RulesError(
                _("constant column {name} already exists in the events").format(name=repr(name))
            )
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
    timestamp_text = _timestamp_text(batch, rules)
    ts = _timestamps(batch, timestamp_text, rules, state, first_row)
    touchpoints, rule_phases = _touchpoints(batch, rules)
    explicit_phases = _optional(batch, columns.phase)
    phases = [e or r for e, r in zip(explicit_phases, rule_phases, strict=True)]
    values, bad_values = _values(batch, columns, state, first_row)
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
    _note_quarantined(reasons, conversion, timestamp_text, state)
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
