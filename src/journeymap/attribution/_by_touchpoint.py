"""A level read off the touchpoint, mapped from the touchpoint level's results.

Its credits, seen keys and key sets are computed once per segments table at the touchpoint
level and mapped to the level's keys, instead of aggregating the touches again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ibis.expr.types as ir

from journeymap.attribution._aggregate import Segments, key_sets, keyed, keys_seen
from journeymap.attribution._cache import SegmentCache
from journeymap.attribution._coded_segments import path_touches
from journeymap.attribution._levels import _level_key, _touchpoint_key
from journeymap.attribution._local_credits import local_credits
from journeymap.attribution.heuristic import HEURISTICS, Credit, credits
from journeymap.attribution.paths import Paths
from journeymap.engine.journeys import phase_lookup
from journeymap.model import JourneyMap

# Heuristic models whose credit for a key read off the touchpoint is the sum of its
# touchpoints' credits. Participation counts a key once per segment however many of its
# touchpoints took part, and last non-direct reads the level's own direct keys.
SUMMABLE = frozenset(HEURISTICS) - {"participation", "last_non_direct"}


ByTouchpoint = Callable[[str], str]


def _from_touchpoint(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    level: str,
    cache: SegmentCache,
) -> ByTouchpoint | None:
    """The level's key of each touchpoint key, when the level is read off the touchpoint.

    Then the level's credits, seen keys and key sets are mapped from the touchpoint level's,
    computed once per segments table, instead of aggregating the touches again.
    """
    if level == "touchpoint":
        return _same_key
    if level == "channel":
        channels = {t.id: t.channel for t in journey_map.touchpoints} if journey_map else {}
        return lambda key: channels.get(key, "(unmapped)")
    if level != "phase" or journey_map is None:
        return None
    # Path phases are the map's by construction; journeys' are checked once per cache.
    if (
        not isinstance(journeys, Paths)
        and _touchpoint_key(journeys, journey_map, level, cache) is None
    ):
        return None
    # Path data keep the phases they were read with.
    lookup = journeys.phase_of if isinstance(journeys, Paths) else phase_lookup(journey_map)
    return lambda key: lookup.get(key, "(no phase)")


def _same_key(key: str) -> str:
    """The touchpoint level's own keys."""
    return key


def _touchpoint_table(segments: Segments) -> ir.Table:
    return keyed(segments, _level_key(None, "touchpoint", []))


def _mapped(credit: Credit, by: ByTouchpoint) -> Credit:
    out: Credit = {}
    # Added in the keys' order: the engine's row order varies, and so would the float sums.
    for key, (conversions, value) in sorted(credit.items()):
        c, v = out.get(by(key), (0.0, 0.0))
        out[by(key)] = (c + conversions, v + value)
    return out


def _level_credits(
    segments: Segments,
    t: ir.Table,
    by: ByTouchpoint | None,
    cache: SegmentCache,
    models: list[str],
    options: dict[str, Any],
) -> dict[str, Credit]:
    """Heuristic credits at the level of ``t``, mapped from the touchpoint level where ``by``."""
    # The conversion touch, when kept, is every converting segment's newest (time decay).
    options = {**options, "newest_at_conversion": segments.conversion_touch}
    if by is None:
        return credits(t, models, **options)
    local = segments.local
    if local is None and isinstance(cache.journeys, Paths):
        phase_of = cache.journeys.phase_of
        local = cache.once(segments, "path touches", lambda: path_touches(segments, phase_of))
    if local is not None:  # the touches as arrays: the credits are counted locally
        return local_credits(local, models, by, **options)
    identity = by is _same_key  # the touchpoint level itself
    summed = [m for m in models if identity or m in SUMMABLE]
    own = [m for m in models if m not in summed]
    found = credits(t, own, **options) if own else {}
    have: dict[str, Credit] = cache.once(segments, f"credits {sorted(options.items())}", dict)
    missing = [m for m in summed if m not in have]
    if missing:
        have.update(credits(_touchpoint_table(segments), missing, **options))
    found.update({m: have[m] if identity else _mapped(have[m], by) for m in summed})
    return found


def _level_seen(
    segments: Segments, t: ir.Table, by: ByTouchpoint | None, cache: SegmentCache
) -> set[str]:
    if by is None:
        return keys_seen(t)
    seen = cache.once(segments, "seen", lambda: _touchpoints_seen(segments))
    return {by(key) for key in seen}


def _touchpoints_seen(segments: Segments) -> set[str]:
    if segments.touchpoints is None:
        return keys_seen(_touchpoint_table(segments))
    if isinstance(segments.touchpoints, frozenset):
        return set(segments.touchpoints)
    found = segments.touchpoints.to_pyarrow().column("touchpoint").to_pylist()
    return {str(touchpoint) for touchpoint in found}


def _level_sets(
    segments: Segments, t: ir.Table, by: ByTouchpoint | None, cache: SegmentCache
) -> list[tuple[frozenset[str], int, int, float]]:
    if by is None:
        return key_sets(t)
    sets = cache.once(segments, "sets", lambda: key_sets(_touchpoint_table(segments)))
    merged: dict[frozenset[str], tuple[int, int, float]] = {}
    for members, n, c, v in sorted(sets, key=_set_order):
        key = frozenset(by(k) for k in members)
        n0, c0, v0 = merged.get(key, (0, 0, 0.0))
        merged[key] = (n0 + n, c0 + c, v0 + v)
    return [(key, n, c, v) for key, (n, c, v) in merged.items()]


def _set_order(key_set: tuple[frozenset[str], int, int, float]) -> tuple[Any, ...]:
    """An order of key sets that is the same every run (the engine's row order varies)."""
    members, n, c, v = key_set
    return (sorted(members), n, c, v)
