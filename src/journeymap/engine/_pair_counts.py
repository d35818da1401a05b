"""Touch pairs counted: what touchpoint statistics, checkout abandonment and the correlation read.

Each of them sums :func:`~journeymap.engine.journeys.touch_pairs` per touchpoint (and per
breakdown value), so the table they share holds the pairs already counted per touchpoint,
outcome and flag: a few hundred rows where the pairs are millions. When every journey ends at
its conversion and the facts carry the journeys' sequences, the pairs are read off the
sequences, one journey row at a time, instead of grouping every event by journey and
touchpoint and joining the facts back. On the same stored journeys and facts, storing the
pairs took 18.25 s at 10M generated journeys (under a 2500MB cap) and 0.71-0.78 s at 1M;
counting them from the events 12.66 s and 0.73-0.78 s; from the sequences 9.24-9.29 s and
0.69-0.70 s, with the same counts (``benchmarks/README.md``, stop 25).
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from journeymap.engine._facts import touch_pairs
from journeymap.engine.journeys import ends_at_conversions

__all__ = ["touch_pair_counts"]


def touch_pair_counts(
    journeys: ir.Table, facts: ir.Table | None = None, breakdown: list[str] | None = None
) -> ir.Table:
    """The touch pairs counted per touchpoint, outcome, flags and breakdown values.

    Columns: ``touchpoint``, ``converted``, ``before``, ``plain`` (as in
    :func:`~journeymap.engine.journeys.touch_pairs`), ``repeat`` (the journey met the
    touchpoint more than once), the breakdown columns, ``journeys`` (the pairs so counted) and
    ``events`` (their events). :func:`journeymap.analysis.analyze` computes it once (the
    metrics' ``pair_counts`` argument).
    """
    breakdown = list(breakdown or [])
    if facts is not None and "touchpoints" in facts.columns and ends_at_conversions(journeys):
        pairs = _pairs_of_sequences(facts, breakdown)
    else:
        pairs = touch_pairs(journeys, facts, breakdown)
    keys = ["touchpoint", "converted", "before", "plain", *breakdown]
    return pairs.group_by([*keys, (pairs.events > 1).name("repeat")]).aggregate(
        journeys=pairs.count(), events=pairs.events.sum()
    )


def _pairs_of_sequences(facts: ir.Table, breakdown: list[str]) -> ir.Table:
    """:func:`touch_pairs`' columns read off each journey's ``touchpoints``.

    A journey's conversion, if any, is its last event, so a touchpoint was touched by an event
    that is no conversion (``plain``) when the journey did not convert or the touchpoint comes
    before the last event; every such event precedes the conversion, so it was touched
    ``before`` it then too, and otherwise only when it is the conversion's own touchpoint at
    the journey's first moment (as :func:`touch_pairs` words it).
    """
    each = facts.select(
        "converted",
        "first_ts",
        "conversion_ts",
        *breakdown,
        _sequence=facts.touchpoints,
        touchpoint=facts.touchpoints.unique().unnest(),
    )
    sequence, touchpoint = each._sequence, each.touchpoint
    # Where the touchpoint stands in the journey (0-based), computed once for both flags.
    at = sequence.map(lambda x, i: ibis.ifelse(x.identical_to(touchpoint), i, ibis.null(dt.int64)))
    each = each.mutate(
        _at=at.filter(lambda i: i.notnull()),
        _last=sequence.length() - 1,
        _final=sequence[-1].identical_to(touchpoint),
    )
    converted = each.converted.fill_null(False)
    plain = ~converted | (each._at[0] < each._last)  # met before the last event
    alone = converted & each._final & (each.first_ts == each.conversion_ts).fill_null(False)
    return each.select(
        "touchpoint",
        "converted",
        *breakdown,
        events=each._at.length().cast(dt.int64),
        before=plain | alone,
        plain=plain,
    )
