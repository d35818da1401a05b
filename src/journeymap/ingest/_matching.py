"""Which rows the rules' conditions match, and the touchpoint rule that takes each row.

One matcher for every condition of the rules (``only``, ``conversion``, a touchpoint rule's
``when``, an ``events_per_row`` entry's ``when`` and ``conversion``). Vectorised with
pyarrow.compute: rule values are only ever passed as arguments to compute kernels, never
pasted into SQL.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from journeymap.errors import RulesError
from journeymap.i18n.messages import _
from journeymap.ingest.numbers import parse_loose, parse_number
from journeymap.model.mapping import Condition, MappingRules

_COMPARE = {">": pc.greater, ">=": pc.greater_equal, "<": pc.less, "<=": pc.less_equal}


def _field(batch: pa.RecordBatch, name: str) -> pa.Array:
    return pc.fill_null(batch.column(name), "")


def numbers(values: pa.Array, decimal: str | None) -> pa.Array:
    """``values`` read as numbers: null where empty or no finite number.

    With ``decimal`` (``.`` or ``,``) the other mark may group thousands (``1.234,5``);
    without, each value is read by its own look (``12,5`` and ``12.5`` alike).
    """
    trimmed = pc.utf8_trim_whitespace(values.cast(pa.string()))
    texts = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    if decimal != ",":
        try:  # plain numbers (counts, durations, amounts with a point): one kernel
            read = pc.cast(texts, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        else:  # NaN, inf and 1e400 are no number to compare
            return pc.if_else(pc.is_finite(read), read, pa.scalar(None, pa.float64()))
    found: list[float | None] = []
    for text in texts.to_pylist():
        if text is None:
            found.append(None)
            continue
        try:
            found.append(parse_number(text, decimal) if decimal else parse_loose(text))
        except ValueError:  # no number in that convention, or no finite one (NotFinite)
            found.append(None)
    return pa.array(found, pa.float64())


def condition_mask(
    batch: pa.RecordBatch, condition: Condition, decimal: str | None = None
) -> pa.Array:
    """True where the row meets ``condition`` (missing values are the empty string).

    ``decimal`` is the rules' ``columns.decimal``, the decimal mark a comparison reads the
    field with (None: each value as it looks).
    """
    values = _field(batch, condition.field)
    if condition.not_empty is not None:
        filled = pc.not_equal(pc.utf8_trim_whitespace(values), "")
        return filled if condition.not_empty else pc.invert(filled)
    comparison = condition.comparison
    if comparison is not None:
        operator, number = comparison
        return pc.fill_null(_COMPARE[operator](numbers(values, decimal), number), False)
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


def all_of(
    batch: pa.RecordBatch, conditions: list[Condition], decimal: str | None = None
) -> pa.Array:
    """True where every condition holds (every row for an empty list); ``decimal`` as above."""
    mask = pa.array([True] * batch.num_rows, pa.bool_())
    for condition in conditions:
        mask = pc.and_(mask, condition_mask(batch, condition, decimal))
    return mask


def _touchpoints(
    batch: pa.RecordBatch, rules: MappingRules
) -> tuple[list[str | None], list[str | None]]:
    touchpoints: list[str | None] = [None] * batch.num_rows
    phases: list[str | None] = [None] * batch.num_rows
    open_rows = set(range(batch.num_rows))
    for rule in rules.touchpoints:
        if not open_rows:
            break
        mask = all_of(batch, rule.when, rules.columns.decimal)
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
