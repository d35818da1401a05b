"""The value column: numbers read with the decimal mark given, or settled on the rows."""

from __future__ import annotations

import pyarrow as pa

from journeymap.errors import RulesError
from journeymap.i18n.messages import _, count
from journeymap.ingest._matching import _field
from journeymap.ingest._rule_state import RuleState
from journeymap.ingest.numbers import NotFinite, NumberConvention, parse_number
from journeymap.model.mapping import ColumnMapping


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
        except NotFinite:  # NaN, inf, 1e400: one would make every value figure NaN
            values.append(None)
            bad.add(index)
            state.not_finite += 1
            if state.first_not_finite is None:
                state.first_not_finite = str(text)
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
