"""The Markov model's chain at a level, from transition counts, computed once per cache."""

from __future__ import annotations

from typing import Any

import ibis.expr.operations as ops
import ibis.expr.types as ir

from journeymap.attribution._aggregate import CONVERSION, KeyOf, keyed
from journeymap.attribution._by_touchpoint import ByTouchpoint, _from_touchpoint
from journeymap.attribution._cache import SegmentCache
from journeymap.attribution._coded_transitions import coded_transitions, key_codes
from journeymap.attribution._levels import _choices, _Cut, _map_reading, _touchpoint_key
from journeymap.attribution._options import _given, _markov_order
from journeymap.attribution._transitions import (
    neighbour_rows,
    neighbour_transitions,
    segment_rows,
    touch_rows,
    transition_counts,
)
from journeymap.attribution.markov import MarkovResult, markov_from_counts
from journeymap.attribution.paths import Paths
from journeymap.engine.journeys import has_neighbours, unnumbered
from journeymap.model import JourneyMap


def _markov(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    level: str,
    params: dict[str, Any],
    cache: SegmentCache,
) -> tuple[MarkovResult, dict[str, Any]]:
    """Markov from the journeys in one window pass (prepared segments under a lookback)."""
    order = _markov_order(params)
    collapse = _given(params, "collapse_repeats", True)
    key, cut = _choices(journeys, journey_map, level, params, cache)
    used = {
        "lookback": str(cut.lookback) if cut.lookback else None,
        "conversion_touch": cut.conversion_touch,
        "order": order,
        "collapse_repeats": collapse,
    }
    # An analysis asks for the same chain twice (in the side-by-side table and for the
    # removal effects); the journeys do not change while the cache lives.
    name = (
        f"markov {level} {used} by account {cut.by_account} outcomes {cut.outcomes} "
        f"{_map_reading(journey_map, level)}"
    )
    chain = cache.once(
        None,
        name,
        lambda: _chain(journeys, journey_map, level, cache, key, order, collapse, cut),
    )
    return chain, used


def _touchpoint_counts(
    journeys: ir.Table,
    key: KeyOf,
    key_of: ByTouchpoint,
    order: int,
    collapse: bool,
    cache: SegmentCache,
) -> list[dict[str, Any]] | None:
    """Transition counts of a key read off the touchpoint, without the window pass; or None.

    Coded events the cache holds already (an analysis') serve first: counted in NumPy, with
    no query (at 1M generated journeys a full analysis took 5.57-5.86 s of compute so,
    6.03-6.44 s with the neighbours' grouping at each level). A stored journeys table knows
    each event's neighbours: at order 1 its transitions are one grouping of small keys,
    which beats collecting every journey's events (at 1M generated journeys, 0.20 s against
    0.70-0.90 s). Otherwise each journey's coded events serve
    (:mod:`journeymap.engine._coded_journeys`), ``key_of`` giving the key of each touchpoint
    in Python; failing those, the neighbours.
    """
    coded = cache.coded_held()
    if coded is not None:
        keys, key_of_code = key_codes(coded.touchpoints, key_of)
        return coded_transitions(coded, keys, key_of_code, order, collapse)
    stored = isinstance(journeys.op(), ops.PhysicalTable)
    tried = order == 1 and stored and has_neighbours(journeys)
    if tried and (counts := neighbour_transitions(journeys, key, collapse)) is not None:
        return counts
    coded = cache.coded()
    if coded is not None:
        keys, key_of_code = key_codes(coded.touchpoints, key_of)
        return coded_transitions(coded, keys, key_of_code, order, collapse)
    if order == 1:
        return None if tried else neighbour_transitions(journeys, key, collapse)
    if collapse and (marked := neighbour_rows(journeys, key)) is not None:
        # The repeats and the journeys' ends read off the neighbours: one window pass
        # fewer before the one that reads the lagged keys.
        return transition_counts(*marked, order, collapse)
    return None


def _chain(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    level: str,
    cache: SegmentCache,
    key: KeyOf,
    order: int,
    collapse: bool,
    cut: _Cut,
) -> MarkovResult:
    counts = None
    # The journeys' own sequences serve when the segments would not differ from them: no
    # lookback cuts a touch off, the conversion event is a touch of its own, and no outcome
    # touchpoint is taken out.
    whole = cut.lookback is None and cut.conversion_touch and not cut.outcomes
    if isinstance(journeys, Paths):
        rows, group, order_by = segment_rows(keyed(cache.get(*cut), key))
        counts = transition_counts(rows, group, order_by, order, collapse)
    elif whole and not cut.by_account:
        by_touchpoint = _touchpoint_key(journeys, journey_map, level, cache)
        if by_touchpoint is not None:  # else the key reads more: the window pass below
            key_of = _from_touchpoint(journeys, journey_map, level, cache)
            assert key_of is not None  # read off the touchpoint, as by_touchpoint is
            counts = _touchpoint_counts(journeys, by_touchpoint, key_of, order, collapse, cache)
    if counts is None:  # the window pass, over the journeys or the prepared segments
        assert not isinstance(journeys, Paths)
        if whole:
            # The steps order each journey; numbered from 1 or not, the order is the same.
            lean = unnumbered(journeys, neighbours=False)
            rows, group, order_by = touch_rows(lean, key, by_account=cut.by_account)
        else:
            rows, group, order_by = segment_rows(keyed(cache.get(*cut), key))
        counts = transition_counts(rows, group, order_by, order, collapse)
    ends = [row for row in counts if row["to"] == CONVERSION]
    total_c = float(sum(row["count"] for row in ends))
    total_v = float(sum(row["value"] for row in ends))
    return markov_from_counts(counts, total_c, total_v)
