"""Transition counts for the Markov model: from the journeys, or from prepared segments.

:func:`touch_rows` (whole journeys) or :func:`segment_rows` (prepared segments of
:mod:`journeymap.attribution._aggregate`) give the sequences, :func:`transition_counts` reads
them in one window pass; :func:`neighbour_transitions` reads first-order counts off the
journeys' neighbour columns with no window pass at all.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow.compute as pc

from journeymap.attribution._aggregate import (
    CONVERSION,
    NULL,
    REQUIRED,
    SEG,
    SEP,
    START,
    WEIGHT,
    KeyOf,
    exact_sum,
    weighted_count,
)
from journeymap.engine._tables import number
from journeymap.engine.journeys import ends_at_conversions, has_neighbours, unnumbered
from journeymap.errors import AttributionError
from journeymap.i18n.messages import _

__all__ = [
    "neighbour_rows",
    "neighbour_transitions",
    "segment_rows",
    "touch_rows",
    "transition_counts",
]


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
        _key=key(journeys).cast(dt.string).fill_null("(none)"),
        _c=journeys.conversion.cast(dt.boolean).fill_null(False),
        _v=journeys.value.cast(dt.float64),
        _g=(
            ibis.coalesce(journeys.account_id.cast(dt.string), journeys.person_id.cast(dt.string))
            if by_account
            else journeys.journey_id.cast(dt.string)
        ),
    )
    return rows, ["_g"], ["ts", "step", "person_id", "_key"] if by_account else ["step"]


# The marks :func:`transition_counts` puts on touch rows before it collapses repeats.
_MARKS = {"_repeat", "_end", "_cut"}


def neighbour_rows(journeys: ir.Table, key: KeyOf) -> tuple[ir.Table, list[str], list[str]] | None:
    """Touch rows already marked for collapsing repeats, read off the neighbour columns.

    Each event of the journeys knows the touchpoint before it in its journey and whether
    one follows (:data:`NEIGHBOUR_COLUMNS`), so :func:`transition_counts` needs no window
    pass to find the repeats and the journeys' ends before the one that reads the lagged
    keys. It holds when ``key`` reads only the touchpoint and each conversion ends its
    journey (``ends_at_conversions``); None otherwise.
    """
    if not has_neighbours(journeys):
        return None
    if not ends_at_conversions(journeys):
        return None
    journeys = unnumbered(journeys)  # the steps order each journey, numbered from 1 or not
    conversion = journeys.conversion.cast(dt.boolean).fill_null(False)
    t, before = _with_previous_key(
        journeys,
        key,
        step=journeys.step,
        _c=conversion,
        _v=journeys.value.cast(dt.float64),
        _g=journeys.journey_id.cast(dt.string),
        _end=journeys.next_ts.isnull() | conversion,
    )
    rows = t.select(
        "step",
        "_key",
        "_c",
        "_v",
        "_g",
        "_end",
        _repeat=(before == t._key).fill_null(False),
        _cut=ibis.literal(0, dt.int64),
    )
    return rows, ["_g"], ["step"]


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
        marked = (
            rows  # marked already from the journeys' neighbours (:func:`neighbour_rows`)
            if set(rows.columns) >= _MARKS
            else rows.mutate(
                _repeat=(previous == rows._key).fill_null(False) & ~previous_c,
                _end=rows._c | lead_missing,
                _cut=conversion.sum().over(running) - conversion,
            )
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
            f"l{j}": ibis.ifelse(ok, lag, ibis.null(dt.string))
            for j, (lag, ok) in enumerate(zip(lags, valid, strict=True), start=1)
        },
        repeat=repeat,
        out=ibis.ifelse(end, ibis.ifelse(rows._c, CONVERSION, NULL), ibis.null(dt.string)),
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
    if not has_neighbours(journeys):
        return None
    journeys = unnumbered(journeys)  # the order and neighbours, not the steps' numbers
    conversion = journeys.conversion.cast(dt.boolean).fill_null(False)
    t, before = _with_previous_key(
        journeys,
        key,
        _end=journeys.next_ts.isnull(),
        _c=conversion,
        _v=ibis.ifelse(conversion, journeys.value.cast(dt.float64).fill_null(0.0), 0.0),
    )
    steps = t.select(
        _key=t._key,
        l1=before,
        repeat=(~t._first & (before == t._key)) if collapse_repeats else ibis.literal(False),
        out=ibis.ifelse(t._end, ibis.ifelse(t._c, CONVERSION, NULL), ibis.null(dt.string)),
        inside=t._c & ~t._end,
        val=t._v,
    )
    grouped = _grouped_steps(steps)
    if any(r["inside"] for r in grouped):
        return None  # a conversion inside a journey ("continue"): segments need the window
    return _fold(grouped, 1)


def _with_previous_key(
    journeys: ir.Table, key: KeyOf, **columns: ir.Value
) -> tuple[ir.Table, ir.StringValue]:
    """Each event's key, whether it starts its journey and ``columns``; and the key before it.

    The previous touchpoint (a neighbour column) takes the touchpoint's place, so ``key``
    reads it: the key of the event before in the journey, null where the journey starts.
    """
    t = journeys.select(
        touchpoint=journeys.previous_touchpoint,
        _key=key(journeys).cast(dt.string).fill_null("(none)"),
        _first=journeys.previous_ts.isnull(),
        **columns,
    )
    before = ibis.ifelse(t._first, ibis.null(dt.string), key(t).cast(dt.string).fill_null("(none)"))
    return t, before


def _grouped_steps(steps: ir.Table) -> list[dict[str, Any]]:
    by = [c for c in steps.columns if c not in {"val", WEIGHT}]
    grouped = steps.group_by(by).aggregate(
        count=weighted_count(steps), value=exact_sum(steps.val, value=True)
    )
    # In one order every run: the engine's varies, and :func:`_fold` adds values up. Nulls
    # first, then by value (text by code point, as Python compares it; False before True),
    # sorted by Arrow: sorting the rows in Python took five times as long.
    table = grouped.to_pyarrow()
    keys: list[tuple[str, str]] = []
    for c in by:
        table = table.append_column(f"_valid_{c}", pc.is_valid(table[c]))
        keys += [(f"_valid_{c}", "ascending"), (c, "ascending")]
    ordered = table.sort_by(keys).select(list(grouped.columns))
    rows: list[dict[str, Any]] = ordered.to_pylist()
    return rows


def _fold(grouped: list[dict[str, Any]], order: int) -> list[dict[str, Any]]:
    """Transition counts from the grouped steps.

    The steps carry the lagged keys ``l1``..``l{order}``, ``_key``, ``repeat``, ``out``,
    ``count`` and ``value``.
    """
    counts: dict[tuple[str, str], list[float]] = {}
    lags = [f"l{j}" for j in range(order, 0, -1)]  # the oldest first
    for r in grouped:
        back = [r[lag] for lag in lags if r[lag] is not None]
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
