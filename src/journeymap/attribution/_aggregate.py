"""Engine-side aggregation: conversion segments, per-key credit sums, transitions, key sets.

Everything here is a lazy Ibis expression; only small results (one row per key, per
transition or per distinct key set) leave the engine, so the models work the same when the
events live on a cluster.

Conversion segments: each conversion event closes a segment made of the touches since the
previous conversion of the same journey (or the journey start) within the lookback window. The
conversion event's own touchpoint counts as the segment's last touch. Touches after a
journey's last conversion form a segment that did not convert (a null path).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from journeymap.errors import AttributionError

__all__ = [
    "SEP",
    "credit_by_key",
    "key_sets",
    "segments",
    "transition_counts",
]

SEP = "\x1f"
START = "(start)"
CONVERSION = "(conversion)"
NULL = "(null)"
REQUIRED = ("journey_id", "ts", "touchpoint", "conversion", "value", "step")


def segments(
    journeys: ir.Table,
    key: ir.Value,
    *,
    lookback: timedelta | None = None,
    group: ir.Value | None = None,
) -> ir.Table:
    """Cut journeys into conversion segments with position, length and age of every touch.

    Args:
        journeys: The journeys table (docs/contracts.md, "Journeys").
        key: The level key of every row (touchpoint, channel, phase, ...).
        lookback: Only touches at most this long before the conversion count.
        group: What makes one journey (default ``journey_id``; the account for B2B).

    Returns:
        Columns ``seg``, ``key``, ``phase``, ``i`` (1-based), ``n``, ``age_s`` (seconds to the
        conversion), ``converted`` (bool), ``seg_value`` (the conversion's value, 0 if none).
    """
    missing = [c for c in REQUIRED if c not in journeys.columns]
    if missing:
        raise AttributionError(
            f"the journeys table lacks {', '.join(missing)}; build it with "
            "journeymap.engine.journeys.build_journeys"
        )
    base = journeys.mutate(
        _g=(group if group is not None else journeys.journey_id).cast("string"),
        _key=key.cast("string").fill_null("(none)"),
        _conv=journeys.conversion.cast("boolean").fill_null(False).cast("int64"),
        _person=journeys.person_id.cast("string") if "person_id" in journeys.columns else "",
    )
    order = [base.ts, base.step, base._person, base._key]
    running = ibis.window(group_by=base._g, order_by=order, preceding=None, following=0)
    base = base.mutate(_segno=base._conv.sum().over(running) - base._conv)
    base = base.mutate(_seg=base._g + "#" + base._segno.cast("string"))
    whole = ibis.window(group_by=base._seg)
    conv_ts = ibis.ifelse(base._conv == 1, base.ts, ibis.null(base.ts.type().copy(nullable=True)))
    conv_value = ibis.ifelse(base._conv == 1, base.value.cast("float64"), ibis.null("float64"))
    base = base.mutate(
        _converted=base._conv.max().over(whole) == 1,
        _value=conv_value.sum().over(whole).fill_null(0.0),
        _ref=ibis.coalesce(conv_ts.max().over(whole), base.ts.max().over(whole)),
    )
    base = base.mutate(_age=(base._ref.epoch_seconds() - base.ts.epoch_seconds()).cast("float64"))
    if lookback is not None:
        base = base.filter(base._age <= lookback.total_seconds())
    ordered = ibis.window(group_by=base._seg, order_by=[base.ts, base.step, base._person])
    return base.select(
        seg=base._seg,
        key=base._key,
        phase=base.phase.cast("string"),
        i=(ibis.row_number().over(ordered) + 1).cast("int64"),
        n=base._seg.count().over(ibis.window(group_by=base._seg)).cast("int64"),
        age_s=base._age,
        converted=base._converted,
        seg_value=base._value,
    )


def credit_by_key(weighted: ir.Table) -> dict[str, tuple[float, float]]:
    """Sum the weight ``w`` of converting segments per key: key -> (conversions, value)."""
    converting = weighted.filter(weighted.converted)
    grouped = converting.group_by("key").aggregate(
        conversions=converting.w.sum(), value=(converting.w * converting.seg_value).sum()
    )
    rows = grouped.to_pyarrow().to_pylist()
    return {str(r["key"]): (float(r["conversions"] or 0), float(r["value"] or 0)) for r in rows}


def totals(seg: ir.Table) -> tuple[float, float]:
    """(conversions, value) over all converting segments."""
    ends = seg.filter(seg.converted & (seg.i == seg.n))
    row = ends.aggregate(c=ends.count(), v=ends.seg_value.sum()).to_pyarrow().to_pylist()[0]
    return float(row["c"] or 0), float(row["v"] or 0.0)


def transition_counts(seg: ir.Table, order: int, collapse_repeats: bool) -> list[dict[str, Any]]:
    """Transition counts between order-``order`` states, with start, conversion and null.

    A state is the tuple of the last ``order`` keys (shorter at the start of a path), encoded
    as the keys joined by :data:`SEP`. Returns rows ``from``, ``to``, ``count``, ``value``
    (value is the summed conversion value on the transitions into the conversion state).
    """
    t = seg
    if collapse_repeats:
        w = ibis.window(group_by=t.seg, order_by=t.i)
        t = t.filter(t.key.lag().over(w).isnull() | (t.key.lag().over(w) != t.key))
        w2 = ibis.window(group_by=t.seg, order_by=t.i)
        t = t.mutate(i=(ibis.row_number().over(w2) + 1).cast("int64"))
        t = t.mutate(n=t.seg.count().over(ibis.window(group_by=t.seg)).cast("int64"))
    w = ibis.window(group_by=t.seg, order_by=t.i)
    state: ir.StringValue = t.key
    for lag in range(1, order):
        previous = t.key.lag(lag).over(w)
        state = ibis.ifelse(previous.isnull(), state, previous + SEP + state)
    t = t.mutate(state=state)
    t = t.mutate(prev=t.state.lag().over(ibis.window(group_by=t.seg, order_by=t.i)))
    inner = t.select(
        src=t.prev.fill_null(START), dst=t.state, cnt=ibis.literal(1, "int64"), val=0.0
    )
    last = t.filter(t.i == t.n)
    ends = last.select(
        src=last.state,
        dst=ibis.ifelse(last.converted, CONVERSION, NULL),
        cnt=ibis.literal(1, "int64"),
        val=last.seg_value,
    )
    both = inner.union(ends)
    grouped = both.group_by(["src", "dst"]).aggregate(count=both.cnt.sum(), value=both.val.sum())
    return [
        {"from": r["src"], "to": r["dst"], "count": int(r["count"]), "value": float(r["value"])}
        for r in grouped.to_pyarrow().to_pylist()
    ]


def key_sets(seg: ir.Table) -> list[tuple[frozenset[str], int, int, float]]:
    """Distinct key sets of segments: (set, segments, conversions, value)."""
    distinct = seg.select("seg", "key", "converted", "seg_value").distinct()
    per = distinct.group_by("seg").aggregate(
        keys=distinct.key.collect().sort().join(SEP),
        converted=distinct.converted.any(),
        value=distinct.seg_value.max(),
    )
    grouped = per.group_by("keys").aggregate(
        segments=per.count(),
        conversions=per.converted.cast("int64").sum(),
        value=ibis.ifelse(per.converted, per.value, 0.0).sum(),
    )
    return [
        (
            frozenset(str(r["keys"]).split(SEP)),
            int(r["segments"]),
            int(r["conversions"] or 0),
            float(r["value"] or 0.0),
        )
        for r in grouped.to_pyarrow().to_pylist()
    ]
