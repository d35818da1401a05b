"""Engine-side aggregation: conversion segments, transitions and key sets.

Everything heavy here is an Ibis expression; only small results (one row per key, per
transition or per distinct key set) leave the engine, so the models work the same when the
events live on a cluster. On the embedded DuckDB alone, the heuristic models may instead cut
their converting segments locally from the journeys' coded events
(:mod:`journeymap.attribution._coded_segments`).

Conversion segments: each conversion event closes a segment made of the touches since the
previous conversion of the same journey (or the journey start) within the lookback window. The
conversion event's own touchpoint counts as the segment's last touch. Touches after a
journey's last conversion form a segment that did not convert (a null path).

Outcome touchpoints (the map's ``outcome: true``: declined, cancelled, approved, lost, won)
are end states, not touches: :func:`without_outcomes` takes them out of the segments, so no
model credits them. A converting segment whose conversion event is an outcome (BPIC's
approval) still converts, and its credit goes to the touches before it; one whose every touch
is an outcome keeps its conversion event's own touch, as ``conversion_touch=False`` keeps a
conversion with nothing before it, so that every conversion is credited. A segment that did
not convert and holds outcomes only is left out (it has no touch).

:func:`prepare` computes the segments once into a temporary table with, per touch, its
position ``i`` and the segment's length ``n``, age, outcome and value. Every model and level
then reads that table: positional weights are closed-form expressions of ``i`` and ``n`` plus
a few per-segment aggregates, so the heuristics need hash aggregations only; the Markov
transitions (:mod:`journeymap.attribution._transitions`) need a single window pass. For the
heuristic models alone, on journeys that each end at their conversion, nothing is stored:
the segments stay a lazy table and the credits are one query from the events
(:func:`_in_one_query`).
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir

from journeymap.engine._coded_journeys import coded_journeys
from journeymap.engine._tables import (
    drop_temporary,
    exact_sum,
    is_temporary,
    materialize,
    number,
    seconds,
)
from journeymap.engine.journeys import (
    NEIGHBOUR_COLUMNS,
    converting_journeys,
    converting_part,
    materialize_journeys,
)
from journeymap.errors import AttributionError
from journeymap.i18n.messages import _

if TYPE_CHECKING:
    from journeymap.attribution._local_credits import LocalTouches
    from journeymap.engine._coded_journeys import CodedJourneys

__all__ = [
    "SEG",
    "SEP",
    "WEIGHT",
    "Segments",
    "exact_sum",
    "key_sets",
    "prepare",
    "without_outcomes",
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
            texts between separators, trimmed afterwards) or when ``table`` holds only part
            of the segments (``partial``), else None; a set of them when they were read
            already (:func:`prepare` in one query).
        partial: ``table`` holds the segments of the actors with a conversion alone
            (:func:`prepare`'s ``converting_only``): enough for the heuristic models, not for
            Markov or Shapley, which read the journeys that did not convert.
        conversion_touch: Whether a conversion event's own touchpoint is a touch (see
            :func:`prepare`).
        alone: Without the conversion touch: the conversions that kept it all the same, as
            no touch came before them in their segment.
        outcomes: The outcome touchpoints taken out of the segments (:func:`without_outcomes`).
        outcome_alone: The conversions whose segment held outcomes only: their conversion
            event's touchpoint kept its credit.
        local: The same touches as NumPy arrays, when they were cut locally
            (:mod:`~journeymap.attribution._coded_segments`): the heuristic models read them
            there.
    """

    table: ir.Table
    conversions: float
    value: float
    lookback: timedelta | None
    by_account: bool
    touchpoints: ir.Table | frozenset[str] | None = None
    partial: bool = False
    conversion_touch: bool = True
    alone: int = 0
    outcomes: tuple[str, ...] = ()
    outcome_alone: int = 0
    local: LocalTouches | None = None


def prepare(
    journeys: ir.Table,
    *,
    lookback: timedelta | None = None,
    by_account: bool = False,
    conversion_touch: bool = True,
    outcomes: tuple[str, ...] = (),
    converting_only: bool = False,
    coded: Callable[[], CodedJourneys | None] | None = None,
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
        outcomes: Outcome touchpoints, taken out of the segments (:func:`without_outcomes`).
        converting_only: Only the converting segments are read (the heuristic models at a
            level read off the touchpoint): without a lookback and per journey, the segments
            are cut from the journeys of actors with a conversion alone
            (:func:`~journeymap.engine.journeys.converting_part`), and ``touchpoints`` holds
            every touchpoint the whole segments would hold, so the keys credited with 0 stay.
            On DuckDB they are cut locally from the journeys' coded events where those
            apply.
        coded: Gives the journeys' coded events (a :class:`~._cache.SegmentCache` keeps
            them); None: read here when needed.

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
    narrow = converting_only and lookback is None and not by_account
    if narrow and conversion_touch and not outcomes:
        from journeymap.attribution._coded_segments import coded_segments

        found = coded() if coded is not None else coded_journeys(journeys, converting_only=True)
        cut = None if found is None else coded_segments(found)
        if cut is not None:
            return cut
        lean = converting_journeys(journeys)
        if lean is not None:
            return _in_one_query(*lean)
    scratch: list[ir.Table] = []  # intermediate tables, dropped once the segments are built
    others: ir.Table | None = None  # touchpoints of the journeys left out (converting_only)
    part = converting_part(journeys) if narrow else None
    if part is not None:
        journeys, others = part
    if not isinstance(journeys.op(), ops.PhysicalTable):
        # Read once, however many passes follow; without the neighbour columns, which the
        # segments do not use and whose window functions the engine then leaves out.
        needed = [c for c in journeys.columns if c not in NEIGHBOUR_COLUMNS]
        journeys = materialize_journeys(journeys, needed)
        scratch.append(journeys)
    base, keep = _base(journeys, by_account)
    facts = None
    if not by_account:
        # The common case: a journey ends at its conversion, so segment = journey. The
        # facts of that assumption also tell whether it holds.
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
        order = [base.ts, base.step, base.person_id.cast(dt.string), base.touchpoint]
        running = ibis.window(group_by=base._g, order_by=order, preceding=None, following=0)
        base = materialize(
            base.mutate(
                _rn=base._c.count().over(running), _segno=base._c.sum().over(running) - base._c
            )
        )
        scratch.append(base)
        facts = _facts(base, check=False)
    table = _joined(base, facts, keep)
    if lookback is not None:
        # Touches older than the window are a prefix of their segment (time only grows
        # along it), so the kept ones are renumbered by what was cut off.
        kept = table.filter(table.age_s <= lookback.total_seconds())
        lengths = kept.group_by(list(SEG)).aggregate(_kept=kept.count())
        both = kept.join(lengths, list(SEG))
        table = both.mutate(i=both.i - both.n + both._kept, n=both._kept.cast(dt.int64)).drop(
            "_kept"
        )
    if outcomes:
        # After the lookback, as the conversion touch below: an outcome conversion with no
        # other touch in the window keeps its own.
        table = without_outcomes(table, outcomes)
    if not conversion_touch:
        # The conversion closes its segment, so it is the segment's last touch (i = n); cut
        # after the lookback, so that a conversion with no touch in the window keeps its own.
        own = table.converted & (table.i == table.n) & (table.n > 1)
        kept = table.filter(~own)
        table = kept.mutate(
            n=ibis.ifelse(kept.converted & (kept.n > 1), kept.n - 1, kept.n).cast(dt.int64),
            _alone=kept.converted & (kept.n == 1),  # kept its own touch: none before it
        )
    table = materialize(table)
    touchpoints = None
    if others is not None:
        # A journey left out converted nowhere: its segments keep every touch but outcomes.
        if outcomes:
            others = others.filter(~others.touchpoint.isin(list(outcomes)).fill_null(False))
        touchpoints = table.select("touchpoint").union(others).distinct()
    if is_temporary(table):  # else the table still reads the intermediate ones
        drop_temporary(*scratch)
    ends = table.filter(table.converted & (table.i == table.n))
    alone = ends.count(where=ends._alone) if "_alone" in ends.columns else ibis.literal(0)
    kept_outcome = (
        ends.count(where=ends._outcome_alone)
        if "_outcome_alone" in ends.columns
        else ibis.literal(0)
    )
    total = ends.aggregate(
        c=ends.count(), v=exact_sum(ends.seg_value, value=True), alone=alone, own=kept_outcome
    ).to_pyarrow()
    return Segments(
        table=table,
        conversions=float(total["c"][0].as_py() or 0),
        value=float(total["v"][0].as_py() or 0.0),
        lookback=lookback,
        by_account=by_account,
        touchpoints=touchpoints,
        partial=touchpoints is not None,
        conversion_touch=conversion_touch,
        alone=int(total["alone"][0].as_py() or 0),
        outcomes=tuple(outcomes),
        outcome_alone=int(total["own"][0].as_py() or 0),
    )


def _base(journeys: ir.Table, by_account: bool) -> tuple[ir.Table, list[str]]:
    """The touches with what the segments read, and the journeys columns they keep.

    Per journey (not ``by_account``) a segment is taken to be a journey, numbered by its
    step; :func:`prepare` checks that, or numbers the segments itself.
    """
    keep = [c for c in journeys.columns if c not in _FOLDED]
    base = journeys.select(
        *keep,
        ts=journeys.ts,
        value=journeys.value.cast(dt.float64),
        step=journeys.step.cast(dt.int64),
        _c=number(journeys.conversion.cast(dt.boolean).fill_null(False)),
        _g=(
            ibis.coalesce(journeys.account_id.cast(dt.string), journeys.person_id.cast(dt.string))
            if by_account
            else journeys.journey_id.cast(dt.string)
        ),
    )
    if not by_account:
        base = base.mutate(_rn=base.step, _segno=ibis.literal(0, dt.int64))
    return base, keep


def _joined(base: ir.Table, facts: ir.Table, keep: list[str]) -> ir.Table:
    """The segments table (see :class:`Segments`): each touch with its segment's facts."""
    joined = base.join(facts, list(SEG))
    return joined.select(
        *SEG,
        *keep,
        i=(joined._rn - joined._r0 + 1).cast(dt.int64),
        n=joined.n.cast(dt.int64),
        age_s=(joined._ref - seconds(joined.ts)).cast(dt.float64),
        converted=joined.converted,
        seg_value=joined.seg_value,
    )


def _in_one_query(journeys: ir.Table, touchpoints: ir.Table) -> Segments:
    """The converting actors' segments as a lazy table, for the heuristic models alone.

    ``journeys`` and ``touchpoints`` are :func:`~journeymap.engine.journeys.converting_journeys`'.
    Every journey ends at its conversion, so a segment is a journey and needs no check; and
    the heuristic models read the segments once (one aggregation for every model), so they
    are not stored: the credits are one query from the events, with the window pass over the
    converting actors' events inside it. The totals and the touchpoints seen come from a
    scan of the events with no sort: each conversion closes one converting segment, and every
    event is a touch of some segment (the conversion touch is kept, there are no outcomes).
    """
    base, keep = _base(journeys, by_account=False)
    table = _joined(base, _facts(base, check=False), keep)
    rows = touchpoints.to_pyarrow().to_pylist()
    with decimal.localcontext() as exact:
        exact.prec = 60  # the decimals' 38 digits, added up without rounding
        value = sum((r["value"] or decimal.Decimal(0) for r in rows), decimal.Decimal(0))
    return Segments(
        table=table,
        conversions=float(sum(r["conversions"] or 0 for r in rows)),
        value=float(value),
        lookback=None,
        by_account=False,
        touchpoints=frozenset(str(r["touchpoint"] or "(none)") for r in rows),
        partial=True,
    )


def without_outcomes(table: ir.Table, outcomes: tuple[str, ...]) -> ir.Table:
    """Segments without their ``outcomes`` touches, renumbered (see the module doc).

    A converting segment of outcomes only keeps its conversion event's touch (``i = n``),
    marked ``_outcome_alone``; one that did not convert is left out whole. Two window passes,
    made only for a map that declares outcomes.
    """
    segment = [table[c] for c in SEG]
    is_outcome = table.touchpoint.isin(list(outcomes)).fill_null(False)
    others = number(~is_outcome).sum().over(ibis.window(group_by=segment))
    marked = table.mutate(_outcome=is_outcome, _others=others)
    own = marked.converted & (marked.i == marked.n) & (marked._others == 0)
    kept = marked.filter(~marked._outcome | own)
    segment = [kept[c] for c in SEG]
    position = ibis.row_number().over(ibis.window(group_by=segment, order_by=kept.i))
    renumbered = kept.mutate(
        i=(position + 1).cast(dt.int64),
        n=kept.i.count().over(ibis.window(group_by=segment)).cast(dt.int64),
        _outcome_alone=kept._outcome,
    )
    return renumbered.drop("_outcome", "_others")


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
    return t.mutate(_key=key(t).cast(dt.string).fill_null("(none)"))


def keys_seen(t: ir.Table) -> set[str]:
    """Every key that occurs in the (keyed) segments."""
    return {str(r["_key"]) for r in t.select("_key").distinct().to_pyarrow().to_pylist()}


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
            {k: ibis.literal(1 << b, dt.int64) for b, k in enumerate(keys)},
            else_=ibis.literal(0, dt.int64),
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
