"""Engine-side aggregation: conversion segments, transitions and key sets.

Everything heavy here is an Ibis expression; only small results (one row per key, per
transition or per distinct key set) leave the engine, so the models work the same when the
events live on a cluster.

Conversion segments: each conversion event closes a segment made of the touches since the
previous conversion of the same journey (or the journey start) within the lookback window. The
conversion event's own touchpoint counts as the segment's last touch. Touches after a
journey's last conversion form a segment that did not convert (a null path).

:func:`prepare` computes the segments once into a temporary table with, per touch, its
position ``i`` and the segment's length ``n``, age, outcome and value. Every model and level
then reads that table: positional weights are closed-form expressions of ``i`` and ``n`` plus
a few per-segment aggregates, so the heuristics need hash aggregations only; the Markov
transitions need a single window pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir

from journeymap.engine._tables import (
    drop_temporary,
    is_temporary,
    materialize,
    number,
    seconds,
)
from journeymap.engine.journeys import NEIGHBOUR_COLUMNS
from journeymap.errors import AttributionError
from journeymap.i18n.messages import _

__all__ = [
    "SEG",
    "SEP",
    "WEIGHT",
    "Segments",
    "exact_sum",
    "key_sets",
    "neighbour_transitions",
    "prepare",
    "segment_rows",
    "touch_rows",
    "transition_counts",
]

SEP = "\x1f"
START = "(start)"
CONVERSION = "(conversion)"
NULL = "(null)"
REQUIRED = ("journey_id", "ts", "touchpoint", "conversion", "value", "step")
# The two columns that identify a segment: the journey (or account) and the segment number.
SEG = ("_g", "_segno")
# A segments table may stand for many identical segments: this column then holds how many
# (pre-aggregated path data, see :mod:`journeymap.attribution.paths`); absent means one.
WEIGHT = "_w"
# Journeys columns the segments table does not carry (they are folded into i, n, age, value).
_FOLDED = {"journey_id", "account_id", "ts", "conversion", "value", "step", *NEIGHBOUR_COLUMNS}
# The engine adds floats in no fixed order (the partial sums of its threads), so their sums
# differed from run to run in the last bits (1e-10 in a credit of 1,087) and two identical
# analyses wrote different JSON. Cast to decimals, each term is rounded once and the sum is
# exact, the same in any order: weights (at most 1 a touch, times the journeys a path row
# stands for) to 18 decimals, values (money) to 10, room for totals up to 10**28.
_WEIGHT_DECIMAL = dt.Decimal(38, 18)
_VALUE_DECIMAL = dt.Decimal(38, 10)


def exact_sum(
    x: ir.NumericValue, *, value: bool = False, where: ir.BooleanValue | None = None
) -> ir.FloatingScalar:
    """The sum of ``x`` as a float, the same whatever order the engine adds the terms in.

    ``value``: ``x`` is money, kept to 10 decimals (a weight to 18); a value that is no
    finite number, or beyond 10**28, adds nothing (as a null does) instead of failing.
    """
    exact = x.try_cast(_VALUE_DECIMAL) if value else x.cast(_WEIGHT_DECIMAL)
    total: ir.FloatingScalar = exact.sum(where=where).cast("float64")
    return total


@dataclass(frozen=True)
class Segments:
    """Conversion segments of a journeys table, computed once into a temporary table.

    Attributes:
        table: ``_g``, ``_segno`` (the segment), ``i`` (1-based position), ``n`` (length),
            ``age_s`` (seconds before the segment's conversion, or its last touch),
            ``converted``, ``seg_value`` (0 when it did not convert), and the journeys'
            ``touchpoint``, ``phase``, ``person_id``, ``persona`` and breakdown columns; with
            a :data:`WEIGHT` column when one row stands for that many identical segments.
        conversions: Total conversions (converting segments).
        value: Total conversion value.
        lookback: The lookback window the segments were cut with.
        by_account: Whether segments span all members of an account.
        touchpoints: The distinct touchpoints of the segments (column ``touchpoint``) when
            a cheaper query than a scan of ``table`` gives them (path data: the distinct
            texts between separators, trimmed afterwards), else None.
        conversion_touch: Whether a conversion event's own touchpoint is a touch (see
            :func:`prepare`).
        alone: Without the conversion touch: the conversions that kept it all the same, as
            no touch came before them in their segment.
    """

    table: ir.Table
    conversions: float
    value: float
    lookback: timedelta | None
    by_account: bool
    touchpoints: ir.Table | None = None
    conversion_touch: bool = True
    alone: int = 0


def prepare(
    journeys: ir.Table,
    *,
    lookback: timedelta | None = None,
    by_account: bool = False,
    conversion_touch: bool = True,
) -> Segments:
    """Cut journeys into conversion segments (see the module doc) in one temporary table.

    Args:
        journeys: The journeys table (docs/contracts.md, "Journeys").
        lookback: Only touches at most this long before the conversion count.
        by_account: One sequence per account (members' journeys merged in time order).
        conversion_touch: Whether the conversion event's own touchpoint is a touch of its
            segment. Without it a converting segment ends at the touch before the conversion
            (the contract signing is the outcome, not a touchpoint that earned it); a
            conversion with no touch before it in its segment keeps its own, so that every
            conversion is credited.

    Raises:
        AttributionError: if the journeys table lacks a required column.
    """
    missing = [c for c in REQUIRED if c not in journeys.columns]
    if missing:
        raise AttributionError(
            _(
                "the journeys table lacks {columns}; build it with "
                "journeymap.engine.journeys.build_journeys"
            ).format(columns=", ".join(missing))
        )
    scratch: list[ir.Table] = []  # intermediate tables, dropped once the segments are built
    if not isinstance(journeys.op(), ops.PhysicalTable):
        # Read once, however many passes follow; without the neighbour columns, which the
        # segments do not use and whose window functions the engine then leaves out.
        needed = [c for c in journeys.columns if c not in NEIGHBOUR_COLUMNS]
        journeys = materialize(journeys.select(*needed))
        scratch.append(journeys)
    keep = [c for c in journeys.columns if c not in _FOLDED]
    base = journeys.select(
        *keep,
        ts=journeys.ts,
        value=journeys.value.cast("float64"),
        step=journeys.step.cast("int64"),
        _c=number(journeys.conversion.cast("boolean").fill_null(False)),
        _g=(
            ibis.coalesce(journeys.account_id.cast("string"), journeys.person_id.cast("string"))
            if by_account
            else journeys.journey_id.cast("string")
        ),
    )
    facts = None
    if not by_account:
        # The common case: a journey ends at its conversion, so segment = journey. The
        # facts of that assumption also tell whether it holds.
        base = base.mutate(_rn=base.step, _segno=ibis.literal(0, "int64"))
        facts = materialize(_facts(base, check=True))
        scratch.append(facts)
        odd = facts.filter(
            (facts._convs > 1) | ((facts._convs == 1) & (facts._conv_rn != facts._last))
        )
        if int(odd.count().to_pyarrow().as_py()) > 0:
            facts = None
            base = base.drop("_rn", "_segno")
    if facts is None:
        # Members' journeys interleave, or conversions sit inside journeys ("continue"):
        # number the touches and the conversions seen before each, in one window pass.
        order = [base.ts, base.step, base.person_id.cast("string"), base.touchpoint]
        running = ibis.window(group_by=base._g, order_by=order, preceding=None, following=0)
        base = materialize(
            base.mutate(
                _rn=base._c.count().over(running), _segno=base._c.sum().over(running) - base._c
            )
        )
        scratch.append(base)
        facts = _facts(base, check=False)
    joined = base.join(facts, list(SEG))
    table = joined.select(
        *SEG,
        *keep,
        i=(joined._rn - joined._r0 + 1).cast("int64"),
        n=joined.n.cast("int64"),
        age_s=(joined._ref - seconds(joined.ts)).cast("float64"),
        converted=joined.converted,
        seg_value=joined.seg_value,
    )
    if lookback is not None:
        # Touches older than the window are a prefix of their segment (time only grows
        # along it), so the kept ones are renumbered by what was cut off.
        kept = table.filter(table.age_s <= lookback.total_seconds())
        lengths = kept.group_by(list(SEG)).aggregate(_kept=kept.count())
        both = kept.join(lengths, list(SEG))
        table = both.mutate(i=both.i - both.n + both._kept, n=both._kept.cast("int64")).drop(
            "_kept"
        )
    if not conversion_touch:
        # The conversion closes its segment, so it is the segment's last touch (i = n); cut
        # after the lookback, so that a conversion with no touch in the window keeps its own.
        own = table.converted & (table.i == table.n) & (table.n > 1)
        kept = table.filter(~own)
        table = kept.mutate(
            n=ibis.ifelse(kept.converted & (kept.n > 1), kept.n - 1, kept.n).cast("int64"),
            _alone=kept.converted & (kept.n == 1),  # kept its own touch: none before it
        )
    table = materialize(table)
    if is_temporary(table):  # else the table still reads the intermediate ones
        drop_temporary(*scratch)
    ends = table.filter(table.converted & (table.i == table.n))
    alone = ends.count(where=ends._alone) if "_alone" in ends.columns else ibis.literal(0)
    total = ends.aggregate(
        c=ends.count(), v=exact_sum(ends.seg_value, value=True), alone=alone
    ).to_pyarrow()
    return Segments(
        table=table,
        conversions=float(total["c"][0].as_py() or 0),
        value=float(total["v"][0].as_py() or 0.0),
        lookback=lookback,
        by_account=by_account,
        conversion_touch=conversion_touch,
        alone=int(total["alone"][0].as_py() or 0),
    )


def _facts(base: ir.Table, *, check: bool) -> ir.Table:
    """Per segment: length, first position, outcome, value and reference time.

    With ``check``, also the conversions, the last position and the conversion's position,
    which tell whether every segment is a whole journey ending at its conversion.
    """
    columns: dict[str, Any] = {
        "n": base.count(),
        "_r0": base._rn.min(),
        "converted": base._c.max() == 1,
        "seg_value": base.value.sum(where=base._c == 1).fill_null(0.0),
        "_ref": seconds(ibis.coalesce(base.ts.max(where=base._c == 1), base.ts.max())),
    }
    if check:
        columns.update(
            _convs=base._c.sum(), _last=base._rn.max(), _conv_rn=base._rn.max(where=base._c == 1)
        )
    return base.group_by(list(SEG)).aggregate(**columns)


# Key sets of up to this many keys are aggregated as int64 bitmasks.
BITMASK_KEYS = 62
KeyOf = Callable[[ir.Table], ir.Value]


def weighted_count(t: ir.Table) -> ir.NumericScalar:
    """How many segments (or touches) the rows of ``t`` stand for: their weights, or a count."""
    return t[WEIGHT].sum() if WEIGHT in t.columns else t.count()


def keyed(segments: Segments, key: KeyOf) -> ir.Table:
    """The segments table with the level key of every touch in ``_key``."""
    t = segments.table
    return t.mutate(_key=key(t).cast("string").fill_null("(none)"))


def keys_seen(t: ir.Table) -> set[str]:
    """Every key that occurs in the (keyed) segments."""
    return {str(r["_key"]) for r in t.select("_key").distinct().to_pyarrow().to_pylist()}


def touch_rows(
    journeys: ir.Table, key: KeyOf, *, by_account: bool = False
) -> tuple[ir.Table, list[str], list[str]]:
    """Journeys as touch rows for :func:`transition_counts`, with no segmentation pass.

    Returns the rows (``_key``, ``_c`` conversion flag, ``_v`` value), the columns that
    group one sequence and the ordering within it. Segments need not be cut: a conversion
    closes its segment, which the transitions read off the lagged conversion flags.
    """
    missing = [c for c in REQUIRED if c not in journeys.columns]
    if missing:
        raise AttributionError(
            _(
                "the journeys table lacks {columns}; build it with "
                "journeymap.engine.journeys.build_journeys"
            ).format(columns=", ".join(missing))
        )
    rows = journeys.mutate(
        _key=key(journeys).cast("string").fill_null("(none)"),
        _c=journeys.conversion.cast("boolean").fill_null(False),
        _v=journeys.value.cast("float64"),
        _g=(
            ibis.coalesce(journeys.account_id.cast("string"), journeys.person_id.cast("string"))
            if by_account
            else journeys.journey_id.cast("string")
        ),
    )
    return rows, ["_g"], ["ts", "step", "person_id", "_key"] if by_account else ["step"]


def segment_rows(t: ir.Table) -> tuple[ir.Table, list[str], list[str]]:
    """Prepared (keyed) segments as touch rows for :func:`transition_counts`."""
    return t.mutate(_c=t.converted & (t.i == t.n), _v=t.seg_value), list(SEG), ["i"]


def transition_counts(
    rows: ir.Table,
    group: list[str],
    order_by: list[str],
    order: int,
    collapse_repeats: bool,
) -> list[dict[str, Any]]:
    """Transition counts between order-``order`` states, with start, conversion and null.

    A state is the tuple of the last ``order`` keys of a segment (shorter at its start),
    encoded as the keys joined by :data:`SEP`. Returns rows ``from``, ``to``, ``count``,
    ``value`` (the summed conversion value on the transitions into the conversion state).

    ``rows`` come from :func:`touch_rows` or :func:`segment_rows`: sequences (columns
    ``group``, ordered by the columns ``order_by``) of touches with ``_key``, ``_c`` (a
    conversion, which closes its segment) and ``_v``. One window pass reads the lagged keys
    and conversion flags (a lag counts only when no conversion lies between); collapsing
    repeats at order 2 and above first drops the repeats in a second pass. Every touch
    yields the transition into its state and, when it ends a segment, the transition out of
    it into conversion or null.
    """
    w = ibis.window(group_by=[rows[c] for c in group], order_by=[rows[c] for c in order_by])
    lead_missing = rows._key.lead().over(w).isnull()
    if collapse_repeats and order > 1:
        # Keep every touch that is not a repeat, and a repeat that ends its segment (its
        # state is the previous touch's: only its way out counts).
        previous, previous_c = rows._key.lag().over(w), rows._c.lag().over(w).fill_null(False)
        running = ibis.window(
            group_by=[rows[c] for c in group],
            order_by=[rows[c] for c in order_by],
            preceding=None,
            following=0,
        )
        conversion = number(rows._c)
        # The conversions before each touch number its segment within the sequence. A column
        # of its own: segment rows already group by ``_segno`` (0 inside each segment), and
        # overwriting it merged a journey's segments into one, ordered by positions that
        # restart in each (ties: credits differed between engines and between runs).
        marked = rows.mutate(
            _repeat=(previous == rows._key).fill_null(False) & ~previous_c,
            _end=rows._c | lead_missing,
            _cut=conversion.sum().over(running) - conversion,
        )
        rows = marked.filter(~marked._repeat | marked._end)
        group = [*group, "_cut"]
        w = ibis.window(group_by=[rows[c] for c in group], order_by=[rows[c] for c in order_by])
        lags = [rows._key.lag(j).over(w) for j in range(1, order + 1)]
        valid = [lag.notnull() for lag in lags]
        repeat, end = rows._repeat, rows._end
    else:
        lags = [rows._key.lag(j).over(w) for j in range(1, order + 1)]
        crossed: ir.BooleanValue = ibis.literal(False)
        valid = []
        for j, lag in enumerate(lags, start=1):
            crossed = crossed | rows._c.lag(j).over(w).fill_null(False)
            valid.append(lag.notnull() & ~crossed)
        end = rows._c | lead_missing
        # At order 1 a repeat keeps the state: no transition into it, its way out counts.
        repeat = (valid[0] & (lags[0] == rows._key)) if collapse_repeats else ibis.literal(False)
    # The engine groups the lagged keys themselves (no per-row string building); the
    # states are spelled out on the grouped rows.
    steps = rows.select(
        _key=rows._key,
        **{
            f"l{j}": ibis.ifelse(ok, lag, ibis.null("string"))
            for j, (lag, ok) in enumerate(zip(lags, valid, strict=True), start=1)
        },
        repeat=repeat,
        out=ibis.ifelse(end, ibis.ifelse(rows._c, CONVERSION, NULL), ibis.null("string")),
        val=ibis.ifelse(rows._c, rows._v.fill_null(0.0), 0.0),
        **({WEIGHT: rows[WEIGHT]} if WEIGHT in rows.columns else {}),
    )
    return _fold(_grouped_steps(steps), order)


def neighbour_transitions(
    journeys: ir.Table, key: KeyOf, collapse_repeats: bool
) -> list[dict[str, Any]] | None:
    """First-order transition counts read off the journeys' neighbour columns, no window pass.

    Each event of the journeys table knows its journey's previous touchpoint and whether a
    next event follows (``previous_touchpoint``, ``previous_ts``, ``next_ts``), so the
    transitions are one grouping. It holds when ``key`` reads only the touchpoint and no
    conversion sits inside a journey (a conversion ends its segment); returns ``None`` when
    the journeys say otherwise, and :func:`transition_counts` does the work.
    """
    if any(c not in journeys.columns for c in NEIGHBOUR_COLUMNS):
        return None
    # The previous touchpoint takes the touchpoint's place, so ``key`` reads it.
    conversion = journeys.conversion.cast("boolean").fill_null(False)
    t = journeys.select(
        touchpoint=journeys.previous_touchpoint,
        _key=key(journeys).cast("string").fill_null("(none)"),
        _first=journeys.previous_ts.isnull(),
        _end=journeys.next_ts.isnull(),
        _c=conversion,
        _v=ibis.ifelse(conversion, journeys.value.cast("float64").fill_null(0.0), 0.0),
    )
    before = ibis.ifelse(t._first, ibis.null("string"), key(t).cast("string").fill_null("(none)"))
    steps = t.select(
        _key=t._key,
        l1=before,
        repeat=(~t._first & (before == t._key)) if collapse_repeats else ibis.literal(False),
        out=ibis.ifelse(t._end, ibis.ifelse(t._c, CONVERSION, NULL), ibis.null("string")),
        inside=t._c & ~t._end,
        val=t._v,
    )
    grouped = _grouped_steps(steps)
    if any(r["inside"] for r in grouped):
        return None  # a conversion inside a journey ("continue"): segments need the window
    return _fold(grouped, 1)


def _grouped_steps(steps: ir.Table) -> list[dict[str, Any]]:
    by = [c for c in steps.columns if c not in {"val", WEIGHT}]
    grouped = steps.group_by(by).aggregate(
        count=weighted_count(steps), value=exact_sum(steps.val, value=True)
    )
    rows: list[dict[str, Any]] = grouped.to_pyarrow().to_pylist()
    # In one order every run: the engine's varies, and :func:`_fold` adds values up.
    rows.sort(key=lambda row: [(row[c] is not None, str(row[c])) for c in by])
    return rows


def _fold(grouped: list[dict[str, Any]], order: int) -> list[dict[str, Any]]:
    """Transition counts from the grouped steps.

    The steps carry the lagged keys ``l1``..``l{order}``, ``_key``, ``repeat``, ``out``,
    ``count`` and ``value``.
    """
    counts: dict[tuple[str, str], list[float]] = {}
    for r in grouped:
        back = [r[f"l{j}"] for j in range(order, 0, -1) if r[f"l{j}"] is not None]
        state = SEP.join([*back[max(0, len(back) - order + 1) :], r["_key"]])
        before = SEP.join(back) if back else START
        if r["repeat"]:  # no transition into a repeat; its way out leaves the earlier state
            state = before if order > 1 else state
        else:
            counts.setdefault((before, state), [0, 0.0])[0] += int(r["count"])
        if r["out"] is not None:
            end_counts = counts.setdefault((state, r["out"]), [0, 0.0])
            end_counts[0] += int(r["count"])
            end_counts[1] += float(r["value"] or 0.0)
    return [
        {"from": src, "to": dst, "count": int(c), "value": float(v)}
        for (src, dst), (c, v) in sorted(counts.items())
    ]


def key_sets(t: ir.Table) -> list[tuple[frozenset[str], int, int, float]]:
    """Distinct key sets of segments: (set, segments, conversions, value).

    Up to :data:`BITMASK_KEYS` keys a set travels as a bitmask (an integer aggregation);
    beyond, as the sorted keys joined into one string.
    """
    keys = sorted(keys_seen(t))
    if not keys:
        return []
    bitmask = len(keys) <= BITMASK_KEYS
    weight = [WEIGHT] if WEIGHT in t.columns else []
    if bitmask:
        # The union of the touches' bits, in one grouping of the touches.
        source = t
        members = t._key.substitute(
            {k: ibis.literal(1 << b, "int64") for b, k in enumerate(keys)},
            else_=ibis.literal(0, "int64"),
        ).bit_or()
    else:
        source = t.select(*SEG, "_key", "converted", "seg_value", *weight).distinct()
        members = source._key.collect().sort().join(SEP)
    per = source.group_by(list(SEG)).aggregate(
        members=members,
        converted=source.converted.any(),
        value=source.seg_value.max(),
        **{w: source[w].max() for w in weight},  # the same on every touch of a segment
    )
    converted = number(per.converted)
    grouped = per.group_by("members").aggregate(
        segments=weighted_count(per),
        conversions=(converted * per[WEIGHT] if weight else converted).sum(),
        value=exact_sum(ibis.ifelse(per.converted, per.value, 0.0), value=True),
    )
    result = []
    for r in grouped.to_pyarrow().to_pylist():
        if bitmask:
            found = frozenset(k for b, k in enumerate(keys) if int(r["members"]) >> b & 1)
        else:
            found = frozenset(str(r["members"]).split(SEP))
        result.append(
            (found, int(r["segments"]), int(r["conversions"] or 0), float(r["value"] or 0.0))
        )
    return result
