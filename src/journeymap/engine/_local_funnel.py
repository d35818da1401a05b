"""Phase and touchpoint funnels counted on the local arrays: the twin of :mod:`.funnel`.

Every journey takes the exact window funnel of :func:`~.funnel.funnel_levels`, vectorised
over all journeys at once; a journey that fits inside the window gets from it the level of
its sequence of steps, as :func:`sequence_levels` would give. Per step, only the events of
that step and of the one before are looked at (their positions, ascending), not every event:
the touchpoint funnel's levels of 1M generated journeys took 0.25 s so, 0.8 s from
:func:`sequence_levels` over the journeys' lists of steps (which the Ibis path calls on the
distinct sequences; it lives here, beside its twin). Positions grow with time inside a
journey, and from one journey to the next: the latest position of a running maximum is the
latest time, and one before a journey's first event belongs to an earlier journey.

Times are compared as the Ibis path compares them: seconds as the engine reads them
(:meth:`~journeymap.engine._local_journeys.LocalJourneys.seconds`, doubles to the bit),
``later - earlier <= window``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from journeymap.engine._funnel_steps import Step, step_numbers
from journeymap.engine._local_journeys import LocalJourneys
from journeymap.engine.journeys import JourneyOptions

__all__ = ["local_funnel_counts", "local_funnel_levels", "sequence_levels", "step_of"]

_FEW_STEPS = 6
"""Up to this many steps, each step's events are found by a comparison each, not a sort."""


def local_funnel_counts(
    local: LocalJourneys, column: str, steps: Sequence[Step], options: JourneyOptions
) -> pa.Table:
    """Journeys per furthest step and outcome, as :func:`~.funnel.funnel_counts` counts them.

    Columns ``level``, ``converted``, ``journeys``: one row per level and outcome that some
    journey has, by level, the journeys without a conversion first.

    Args:
        local: The journeys (no breakdown: the local arrays hold none).
        column: ``phase`` or ``touchpoint``: which values the steps name.
        steps: The step values in funnel order; a tuple of values is a step any of them
            reaches.
        options: Ordering and conversion window.
    """
    levels = local_funnel_levels(local, column, steps, options)
    tally = np.bincount(levels * 2 + local.converted, minlength=2 * (len(steps) + 1))
    found = np.flatnonzero(tally)
    return pa.table(
        {
            "level": pa.array(found // 2, pa.int64()),
            "converted": pa.array(found % 2 == 1),
            "journeys": pa.array(tally[found], pa.int64()),
        }
    )


def local_funnel_levels(
    local: LocalJourneys, column: str, steps: Sequence[Step], options: JourneyOptions
) -> np.ndarray:
    """Each journey's furthest step, 0 when step 1 never happens (``funnel_levels``' level).

    Args:
        local: The journeys.
        column: ``phase`` or ``touchpoint``: which values the steps name.
        steps: The step values in funnel order; a tuple of values is a step any of them
            reaches.
        options: Ordering (``ordered``, ``strict``, ``any``) and conversion window.
    """
    if not steps:
        return np.zeros(local.journeys, dtype=np.int64)
    k = step_of(local, column, steps)
    window = options.conversion_window
    seconds = int(window.total_seconds()) if window is not None else None
    if seconds is not None and not (_spans(local) > seconds).any():
        seconds = None  # the common case: no journey outlasts the window, it holds none back
    if options.ordering == "strict":
        return _strict_levels(local, k, seconds)
    if len(steps) <= _FEW_STEPS:
        at = [np.flatnonzero(k == step) for step in range(1, len(steps) + 1)]
    else:
        order = np.argsort(k, kind="stable")  # a radix sort of 16-bit numbers
        bounds = np.searchsorted(k[order], np.arange(1, len(steps) + 2))
        at = [order[bounds[n] : bounds[n + 1]] for n in range(len(steps))]
    if options.ordering == "any":
        return _any_levels(local, k, at, seconds)
    return _ordered_levels(local, at, seconds)


def _spans(local: LocalJourneys) -> np.ndarray:
    """Each journey's seconds from its first event to its last, as the engine reads them."""
    spans: np.ndarray = local.seconds_of(local.last_micros) - local.seconds_of(local.first_micros)
    return spans


def step_of(local: LocalJourneys, column: str, steps: Sequence[Step]) -> np.ndarray:
    """Each event's step number (from 1), 0 where its ``column`` value is no step."""
    names = local.phase_names if column == "phase" else local.touchpoint_names
    values = local.phase if column == "phase" else local.touchpoint
    numbers = step_numbers(steps)
    small = np.int16 if len(steps) < np.iinfo(np.int16).max else np.int64
    lookup = np.array(
        [numbers.get(name, 0) if name is not None else 0 for name in names], dtype=small
    )
    found: np.ndarray = lookup[values]
    return found


def _ordered_levels(local: LocalJourneys, at: list[np.ndarray], window: int | None) -> np.ndarray:
    """The ``ordered`` funnel (``_ordered_levels``): each step after the one before, in time.

    ``before``, ``start``: the step events before that reached the step before and the
    position of the step-1 event that began each of their chains. An event of the step
    extends the latest such chain of its journey on an earlier event (a running maximum of
    ``start``, found by position), if the event lies within the window of its step 1.
    """
    level = np.zeros(local.journeys, dtype=np.int64)
    before = start = at[0]
    level[local.journey_of[before]] = 1
    for step, events in enumerate(at[1:], start=2):
        if not len(before) or not len(events):
            break
        earlier = np.searchsorted(before, events) - 1
        latest = np.maximum.accumulate(start)[np.maximum(earlier, 0)]
        journey = local.journey_of[events]
        valid = (earlier >= 0) & (latest >= local.offsets[journey])
        if window is not None:
            valid &= local.seconds(events) - local.seconds(latest) <= window
        before, start = events[valid], latest[valid]
        level[journey[valid]] = step
    return level


def _strict_levels(local: LocalJourneys, k: np.ndarray, window: int | None) -> np.ndarray:
    """The ``strict`` funnel (``_strict_levels``): steps back to back, from a step 1.

    A chain runs while each event repeats the step before or takes the next one (anything
    else starts a new chain); it counts when it starts at step 1, and the window from its
    latest step 1 (a repeat of step 1 restarts the attempt).
    """
    position = np.arange(local.events)
    previous = np.empty_like(k)
    previous[:1], previous[1:] = 0, k[:-1]
    breaks = (k == 0) | ((k != previous) & (k != previous + 1))
    breaks[local.offsets[:-1]] = True
    chain = np.maximum.accumulate(np.where(breaks, position, 0))
    reached = np.where(k[chain] == 1, k, 0)
    if window is not None:
        latest = np.maximum.accumulate(np.where(k == 1, position, 0))
        seconds = local.seconds()
        reached[seconds - seconds[latest] > window] = 0
    levels: np.ndarray = np.maximum.reduceat(reached, local.offsets[:-1]).astype(np.int64)
    return levels


def _any_levels(
    local: LocalJourneys, k: np.ndarray, at: list[np.ndarray], window: int | None
) -> np.ndarray:
    """The ``any`` funnel (``_any_levels``): steps 1..k in one window, in any order.

    A journey no longer than the window reaches the steps that all occur in it. In a longer
    one, a window may start at any step event: from each, the next event of every step at
    or after it must lie within the window. The step events still in the running are
    followed step by step.
    """
    level = np.zeros(local.journeys, dtype=np.int64)
    alive = np.ones(local.journeys, dtype=bool)
    for step, events in enumerate(at, start=1):
        has = np.zeros(local.journeys, dtype=bool)
        has[local.journey_of[events]] = True
        alive &= has
        level[alive] = step
    if window is None:
        return level
    long = _spans(local) > window
    level[long] = 0
    starts = np.flatnonzero((k > 0) & long[local.journey_of])
    for step, events in enumerate(at, start=1):
        if not len(starts) or not len(events):
            break
        found = np.searchsorted(events, starts)
        following = events[np.minimum(found, len(events) - 1)]
        journey = local.journey_of[starts]
        valid = (found < len(events)) & (following < local.offsets[journey + 1])
        valid &= local.seconds(following) - local.seconds(starts) <= window
        starts = starts[valid]
        level[journey[valid]] = step
    return level


def sequence_levels(sequences: pa.Array | pa.ChunkedArray, count: int, ordering: str) -> np.ndarray:
    """The furthest step reached by each sequence of step numbers (no conversion window).

    ``ordered``: the longest prefix 1..k that occurs in order (greedy matching is optimal).
    ``strict``: chains of steps back to back, repeats allowed, where 0 (an event that is no
    step) or any other step breaks the chain; a chain counts from its step 1. Vectorised over
    all sequences at once: a few numpy passes per step, no loop per sequence.

    Examples:
        >>> sequences = pa.array([[1, 3, 2, 3], [2, 1], [1, 1, 2, 0, 3], None])
        >>> sequence_levels(sequences, 3, "ordered").tolist()
        [3, 1, 3, 0]
        >>> sequence_levels(sequences, 3, "strict").tolist()
        [1, 1, 2, 0]
    """
    if isinstance(sequences, pa.ChunkedArray):
        sequences = sequences.combine_chunks()
    lists = pc.fill_null(sequences, pa.scalar([], sequences.type))
    offsets = lists.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
    values = lists.flatten().to_numpy(zero_copy_only=False).astype(np.int64)
    offsets = offsets - offsets[0]
    starts, ends = offsets[:-1], offsets[1:]
    level = np.zeros(len(lists), dtype=np.int64)
    if not len(values):
        return level
    if ordering == "strict":
        owner = np.repeat(np.arange(len(lists)), ends - starts)
        first = np.arange(len(values)) == starts[owner]
        previous = np.concatenate(([0], values[:-1]))
        keeps = (values > 0) & ~first & ((values == previous) | (values == previous + 1))
        chain_start = values[np.flatnonzero(~keeps)][np.cumsum(~keeps) - 1]
        np.maximum.at(level, owner, np.where((chain_start == 1) & (values > 0), values, 0))
        return level
    # Each step's positions, ascending, from one stable sort; and only the sequences still
    # alive are searched for the next step (400,000 random sequences of up to 8 steps:
    # 0.13-0.15 s -> 0.08-0.11 s; the touchpoint funnel of 1M generated journeys, in process:
    # 0.42-0.46 s -> 0.40-0.41 s).
    order = np.argsort(values, kind="stable")
    bounds = np.searchsorted(values[order], np.arange(1, count + 2))
    alive, position, end = np.arange(len(lists)), starts, ends  # position: where to search
    for k in range(1, count + 1):
        found = order[bounds[k - 1] : bounds[k]]
        if not len(found) or not len(alive):
            break
        at = np.searchsorted(found, position)
        hit = found[np.minimum(at, len(found) - 1)]
        reached = (at < len(found)) & (hit < end)
        alive, position, end = alive[reached], hit[reached] + 1, end[reached]
        level[alive] = k
    return level
