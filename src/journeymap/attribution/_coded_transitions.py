"""Markov transition counts from the journeys' coded events, in NumPy, with no window pass.

What :func:`~journeymap.attribution._transitions.transition_counts` counts in the engine, read
off :class:`~journeymap.engine._coded_journeys.CodedJourneys` instead: the same rows, in the
same order. A conversion closes its segment; collapsing repeats drops each touch whose key
is its predecessor's in the segment (the segment's way out then leaves the state before);
a state is the tuple of a segment's last ``order`` keys.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from journeymap.attribution._aggregate import CONVERSION, NULL, SEP, START
from journeymap.engine._coded_journeys import CodedJourneys

__all__ = ["coded_transitions", "exact_sums", "key_codes"]


def key_codes(
    touchpoints: Sequence[str | None], key_of: Callable[[str], str]
) -> tuple[list[str], np.ndarray]:
    """The distinct keys in code-point order, and each touchpoint code's index among them.

    ``key_of`` gives the level's key of a touchpoint (``(none)`` for a touch without one),
    in Python: no query, and no in-memory table for the engine (ibis loads
    ``pyarrow.dataset`` for its first, 0.2 s).
    """
    found = [key_of(name if name is not None else "(none)") for name in touchpoints]
    keys = sorted(set(found))
    index = {name: number for number, name in enumerate(keys)}
    return keys, np.array([index[name] for name in found], dtype=np.int64)


def coded_transitions(
    coded: CodedJourneys,
    keys: list[str],
    key_of_code: np.ndarray,
    order: int,
    collapse_repeats: bool,
) -> list[dict[str, Any]]:
    """Rows ``from``, ``to``, ``count``, ``value`` between order-``order`` states.

    ``keys`` name the key indices that ``key_of_code`` gives each touchpoint code.
    """
    starts = coded.segment_starts()
    # Where each segment ends, as places: reading the segments' last touches by a mask of
    # every event took 15-20 ms a read at 1M generated journeys, by places 2-5 ms.
    ends = np.flatnonzero(starts[1:])
    ends = np.append(ends, len(starts) - 1) if len(starts) else ends
    converted = coded.conversion[ends]
    value = np.zeros(len(converted))
    value[converted] = coded.value  # each conversion ends its segment
    # A state is the segment's last ``order`` keys, each key + 1 a digit in base ``base``
    # (the newest lowest), 0 where the segment is shorter; 0 alone is (start).
    base = len(keys) + 1
    if order == 1:
        span = base
        lookup = np.append(0, key_of_code + 1).astype(np.intp)  # code + 1 -> key + 1
        found = _first_order_pairs(coded.code, starts, lookup, span, collapse_repeats)
        pairs = np.flatnonzero(found[: span * span])
        pair_counts = found[pairs]
        leaving = lookup[coded.code[ends].astype(np.intp) + 1]
        labels = _Labels(keys, base, order)
    else:
        state = key_of_code.astype(np.int64)[coded.code] + 1
        state, starts, span, labels = _states(state, starts, keys, order, collapse_repeats)
        last = np.ones(len(state), dtype=bool)
        last[:-1] = starts[1:]
        leaving = state[last]
        pair = np.zeros(len(state), dtype=np.int64)
        pair[1:] = state[:-1] * span
        pair[starts] = 0
        pair += state
        pairs, pair_counts = _counted(pair, span * span)
    counts: dict[tuple[str, str], list[float]] = {}
    for number, count in zip(pairs.tolist(), pair_counts.tolist(), strict=True):
        if number < span * span:
            source, target = divmod(number, span)
            counts[(labels(source), labels(target))] = [count, 0.0]
    for outcome, mask in ((CONVERSION, converted), (NULL, ~converted)):
        exits, exit_counts = _counted(leaving[mask], span)
        sums = exact_sums(leaving[mask], value[mask], exits) if outcome == CONVERSION else None
        for number, (source, count) in enumerate(
            zip(exits.tolist(), exit_counts.tolist(), strict=True)
        ):
            total = 0.0 if sums is None else sums[number]
            counts[(labels(source), outcome)] = [count, total]
    return [
        {"from": src, "to": dst, "count": int(c), "value": float(v)}
        for (src, dst), (c, v) in sorted(counts.items())
    ]


# Events counted at a time by the first order: each temporary array then stays in the
# processor's cache and in memory already in use (at 1M generated journeys, a fresh process
# took 0.06 s to count the pairs of all events at once, its arrays' pages new).
_CHUNK = 1 << 16


def _first_order_pairs(
    code: np.ndarray, starts: np.ndarray, lookup: np.ndarray, span: int, collapse_repeats: bool
) -> np.ndarray:
    """How often each pair ``before * span + state`` occurs; repeats (collapsed) in the last.

    ``lookup[code + 1]`` is a touch's first-order state (its key + 1, below ``span``),
    ``lookup[0]`` is 0, the state (start) before a segment's first touch.
    """
    counts = np.zeros(span * span + 1, dtype=np.int64)
    for low in range(0, len(code), _CHUNK):
        high = min(low + _CHUNK, len(code))
        # The touch before the chunk's first too, or (start) before the first of all.
        touches = code[max(low - 1, 0) : high].astype(np.intp) + 1
        if not low:
            touches = np.append(0, touches)
        state = lookup[touches]
        inside = ~starts[low:high]
        before = state[:-1] * inside
        pair = before * span + state[1:]
        if collapse_repeats:  # no transition into a repeat: a bin of its own, left out
            np.copyto(pair, span * span, where=inside & (before == state[1:]))
        counts += np.bincount(pair, minlength=span * span + 1)
    return counts


def _states(
    key: np.ndarray,
    starts: np.ndarray,
    keys: list[str],
    order: int,
    collapse_repeats: bool,
) -> tuple[np.ndarray, np.ndarray, int, _Labels]:
    """Each touch's state at ``order`` above 1, where segments start, the span, the labels.

    ``key`` holds each touch's key + 1. Collapsing repeats drops them first (the touches and
    their starts): a segment's way out then leaves the state of its last touch left.
    """
    if collapse_repeats:
        kept = starts.copy()
        kept[1:] |= key[1:] != key[:-1]
        key, starts = key[kept], starts[kept]
    base = len(keys) + 1
    at = np.arange(len(key))
    position = at - np.maximum.accumulate(np.where(starts, at, 0))
    state = key.copy()
    for back in range(1, order):
        earlier = np.zeros(len(key), dtype=np.int64)
        earlier[back:] = key[:-back]
        state += np.where(position >= back, earlier, 0) * base**back
    span = base**order
    if span * span < 2**62:
        return state, starts, span, _Labels(keys, base, order)
    # Pairs of numbers would overflow: the states found are numbered (0 stays (start)).
    found, dense = np.unique(np.concatenate(([0], state)), return_inverse=True)
    state = dense[1:]
    return state, starts, len(found), _Labels(keys, base, order, found.tolist())


# Up to this many possible numbers, a count per number (bincount) beats sorting the numbers.
_BINS = 1 << 22


def _counted(numbers: np.ndarray, span: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``numbers`` (all below ``span``), ascending, and how often each occurs."""
    if span <= _BINS:
        counts = np.bincount(numbers)
        found = np.flatnonzero(counts)
        return found, counts[found]
    found, counts = np.unique(numbers, return_counts=True)
    return found, counts


def exact_sums(groups: np.ndarray, values: np.ndarray, distinct: np.ndarray) -> list[float]:
    """The correctly rounded sum of ``values`` per value of ``groups``, in ``distinct``'s order.

    ``math.fsum``: the same in any order of the terms, as the engine's decimal sums are.
    """
    ordered = np.argsort(groups, kind="stable")
    bounds = np.searchsorted(groups[ordered], distinct, side="left").tolist()
    bounds.append(len(ordered))
    sorted_values = values[ordered]
    return [
        math.fsum(sorted_values[bounds[i] : bounds[i + 1]].tolist()) for i in range(len(distinct))
    ]


class _Labels:
    """A state's number as its label: its keys joined by :data:`SEP`, the oldest first."""

    def __init__(
        self, keys: list[str], base: int, order: int, numbers: list[int] | None = None
    ) -> None:
        self._keys, self._base, self._order = keys, base, order
        self._numbers = numbers  # a dense state's number, where states were renumbered
        self._seen: dict[int, str] = {}

    def __call__(self, state: int) -> str:
        if self._numbers is not None:
            state = self._numbers[state]
        if state == 0:
            return START
        label = self._seen.get(state)
        if label is None:
            digits = []
            rest = state
            for _ in range(self._order):
                rest, digit = divmod(rest, self._base)
                if digit:
                    digits.append(self._keys[digit - 1])
            label = self._seen[state] = SEP.join(reversed(digits))
        return label
