"""Apply :class:`MappingRules` to a batch of raw text columns, vectorised with pyarrow.compute.

Rule values are only ever passed as arguments to compute kernels, never pasted into SQL.
The result keeps one row per input row: the contract columns and, for rows that cannot become
events, the quarantine reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from journeymap.errors import RulesError
from journeymap.i18n.messages import _
from journeymap.ingest._matching import _touchpoints, all_of
from journeymap.ingest._reasons import BAD_TIMESTAMP, BAD_VALUE, FILTERED, MISSING_ID, NO_RULE
from journeymap.ingest._rule_columns import (
    MissingColumnsError,
    _check_columns,
    locate_missing_columns,
    missing_columns_error,
    used_columns,
)
from journeymap.ingest._rule_extras import _extras, _with_bands
from journeymap.ingest._rule_extras import repair_range as repair_range
from journeymap.ingest._rule_state import RuleState, _note_quarantined
from journeymap.ingest._rule_timestamps import _timestamp_text, _timestamps
from journeymap.ingest._rule_values import _values
from journeymap.ingest.timestamps import TS_TYPE
from journeymap.model import (
    UNMAPPED,  # the touchpoint of rows kept though no rule matched
)
from journeymap.model.mapping import MappingRules

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


@dataclass
class MappedBatch:
    """The contract columns of a batch, with a reason (or null) per row."""

    columns: dict[str, pa.Array]
    reasons: list[str | None] = field(default_factory=list)


def _optional(batch: pa.RecordBatch, name: str | None) -> list[str | None]:
    if name is None:
        return [None] * batch.num_rows
    return [
        str(v).strip() or None if v is not None else None for v in batch.column(name).to_pylist()
    ]


def _with_constants(batch: pa.RecordBatch, rules: MappingRules) -> pa.RecordBatch:
    """``batch`` with the rules' ``constant`` columns added."""
    for name, value in rules.constant.items():
        if name in batch.schema.names:
            raise RulesError(
                _("constant column {name} already exists in the events").format(name=repr(name))
            )
        batch = batch.append_column(name, pa.array([value] * batch.num_rows, pa.string()))
    return batch


def _persons(
    batch: pa.RecordBatch, rules: MappingRules, source: str, first_row: int
) -> list[str | None]:
    """Each row's person id: its column, or ``<source>:<row number>`` with person_from_row."""
    if rules.columns.person_from_row:
        return [f"{source}:{first_row + i}" for i in range(batch.num_rows)]
    assert rules.columns.person_id is not None
    return _optional(batch, rules.columns.person_id)


def prepared(
    batch: pa.RecordBatch, rules: MappingRules, source: str, first_row: int
) -> tuple[pa.RecordBatch, list[str | None]]:
    """``batch`` ready for the rules, and each row's person id.

    Constants and bands added, columns checked: one event per row and several start alike.
    """
    batch = _with_constants(batch, rules)
    _check_columns(batch, rules)
    batch = _with_bands(batch, rules)
    return batch, _persons(batch, rules, source, first_row)


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
    batch, persons = prepared(batch, rules, source, first_row)
    count = batch.num_rows
    columns = rules.columns
    timestamp_text = _timestamp_text(batch, rules)
    ts = _timestamps(batch, timestamp_text, rules, state, first_row)
    touchpoints, rule_phases = _touchpoints(batch, rules)
    explicit_phases = _optional(batch, columns.phase)
    phases = [e or r for e, r in zip(explicit_phases, rule_phases, strict=True)]
    values, bad_values = _values(batch, columns, state, first_row)
    conversion = (
        all_of(batch, rules.conversion, columns.decimal)
        if rules.conversion
        else pa.array([False] * count, pa.bool_())
    )
    included = all_of(batch, rules.only, columns.decimal).to_pylist()
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
