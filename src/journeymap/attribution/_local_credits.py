"""The heuristic models' credits computed locally, in NumPy, on the coded segments' touches.

The same weights as :mod:`journeymap.attribution.heuristic` writes for the engine (see its
module doc), read off :class:`LocalTouches`. As there, the touches are first grouped by key,
position, length and the segment's lead, decision and last non-direct positions, so that each
weight is computed once per group; time decay, which reads each touch's age, is summed per
touch. The engine returns the journeys in no fixed order, and float sums in another order
differ in their last bits: the segments are first put in one order (by value, then by a
digest of their touches), so that every sum adds the same numbers in the same order in every
run. Against the engine's exact decimal sums the credits agree to about 1e-12 of their size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from journeymap.attribution._coded_transitions import exact_sums, key_codes
from journeymap.attribution.heuristic import Credit, read_weights

__all__ = ["LocalTouches", "local_credits"]


@dataclass(frozen=True)
class LocalTouches:
    """The converting segments' touches, segment after segment, each in order.

    Attributes:
        touchpoints: The touchpoint of the touches coded ``c`` (None: none).
        phases: Their phase.
        code: Each touch's code.
        lengths: Each segment's touches.
        age_s: Each touch's seconds before its segment's conversion.
        value: Each segment's conversion value (of all the journeys it stands for).
        weight: How many journeys each segment stands for (path data); None: one each.
    """

    touchpoints: tuple[str | None, ...]
    phases: tuple[str | None, ...]
    code: np.ndarray
    lengths: np.ndarray
    age_s: np.ndarray
    value: np.ndarray
    weight: np.ndarray | None = None


def local_credits(
    touches: LocalTouches,
    models: Sequence[str],
    key_of: Callable[[str], str],
    *,
    direct: Sequence[str] = ("direct",),
    u_weights: Sequence[float] = (0.4, 0.2, 0.4),
    half_life_seconds: float = 7 * 86400.0,
    custom_weights: Sequence[float] | None = None,
    lead_phases: Sequence[str] = ("consideration",),
    decision_phases: Sequence[str] = ("decision",),
    newest_at_conversion: bool = True,
) -> dict[str, Credit]:
    """Credit per key of every model: model -> key -> (conversions, value).

    ``key_of`` gives the level's key of a touchpoint (``(none)`` for a touch without one);
    the other arguments are :func:`~journeymap.attribution.heuristic.credits`'.
    """
    u_weights, custom_weights = read_weights(models, u_weights, half_life_seconds, custom_weights)
    if not models:
        return {}
    names, key_of_code = key_codes(touches.touchpoints, key_of)
    t = _Touches.of(touches, key_of_code, names, direct, lead_phases, decision_phases)
    found: dict[str, Credit] = {}
    groups = _Groups.of(t) if set(models) - {"time_decay", "participation"} else None
    for model in models:
        if model == "participation":
            found[model] = _participation(t)
        elif model == "time_decay":
            found[model] = _time_decay(t, half_life_seconds, newest_at_conversion)
        else:
            assert groups is not None
            weight = _weight(groups, model, u_weights, custom_weights)
            found[model] = groups.credit(weight)
    return found


@dataclass(frozen=True)
class _Touches:
    """Each touch's key and position ``i``; each segment's length ``n`` and figures."""

    names: list[str]
    key: np.ndarray
    segment: np.ndarray
    first: np.ndarray
    i: np.ndarray
    n: np.ndarray  # per segment
    figures: dict[str, np.ndarray]  # per segment: lead, decision, non-direct position (0: none)
    age_s: np.ndarray
    seg_value: np.ndarray
    segment_value: np.ndarray
    weight: np.ndarray  # per touch: its segment's journeys
    segment_weight: np.ndarray

    @classmethod
    def of(
        cls,
        touches: LocalTouches,
        key_of_code: np.ndarray,
        names: list[str],
        direct: Sequence[str],
        lead_phases: Sequence[str],
        decision_phases: Sequence[str],
    ) -> _Touches:
        # The segments in one order whatever order the engine returned them in (by value,
        # then by a fingerprint of their touches): every float sum below then adds the same
        # numbers in the same order in every run, with no exact sum needed.
        before = np.cumsum(touches.lengths) - touches.lengths
        weights = (
            np.ones(len(touches.lengths))
            if touches.weight is None
            else touches.weight.astype(np.float64)
        )
        by_value = np.lexsort((_fingerprints(touches, before), weights, touches.value))
        lengths = touches.lengths[by_value].astype(np.int64)
        first = np.cumsum(lengths) - lengths
        moved = np.arange(int(lengths.sum())) + np.repeat(before[by_value] - first, lengths)
        code = touches.code[moved]
        segment = np.repeat(np.arange(len(lengths)), lengths)
        i = np.arange(len(segment)) - np.repeat(first, lengths) + 1
        key = key_of_code[code]

        def per_segment(where: np.ndarray, reduce: np.ufunc, none: int) -> np.ndarray:
            """Each segment's smallest or largest position where ``where`` holds (0: none)."""
            if not len(first):
                return np.zeros(0, dtype=np.int64)
            best: np.ndarray = reduce.reduceat(np.where(where, i, none), first)
            best[best == none] = 0
            return best

        big = np.iinfo(np.int64).max
        codes_in = {
            "lead": [c for c, p in enumerate(touches.phases) if p in set(lead_phases)],
            "decision": [c for c, p in enumerate(touches.phases) if p in set(decision_phases)],
        }
        direct_keys = [k for k, name in enumerate(names) if name in set(direct)]
        figures = {
            name: per_segment(np.isin(code, codes), np.minimum, big)
            for name, codes in codes_in.items()
        }
        figures["non_direct"] = per_segment(~np.isin(key, direct_keys), np.maximum, 0)
        return cls(
            names=names,
            key=key,
            segment=segment,
            first=first,
            i=i,
            n=lengths,
            figures=figures,
            age_s=touches.age_s[moved],
            seg_value=np.repeat(touches.value[by_value], lengths),
            segment_value=touches.value[by_value],
            weight=np.repeat(weights[by_value], lengths),
            segment_weight=weights[by_value],
        )


def _fingerprints(touches: LocalTouches, first: np.ndarray) -> np.ndarray:
    """A 64-bit digest of each segment's touches (codes, ages and positions), for ordering.

    Two different segments share one with a chance of about 2**-64, and then only the
    last bits of some sums could differ between runs.
    """
    if not len(first):
        return np.zeros(0, dtype=np.uint64)
    lengths = touches.lengths.astype(np.int64)
    position = np.arange(int(lengths.sum())) - np.repeat(first, lengths)
    with np.errstate(over="ignore"):
        mixed = (touches.code.astype(np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
        mixed ^= touches.age_s.view(np.uint64) * np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= (position.astype(np.uint64) + np.uint64(1)) * np.uint64(0x94D049BB133111EB)
        mixed ^= mixed >> np.uint64(31)
        mixed *= np.uint64(0xD6E8FEB86659FD93)
        digests: np.ndarray = np.add.reduceat(mixed, first)
    return digests


@dataclass(frozen=True)
class _Groups:
    """The touches grouped by key, ``i``, ``n`` and the segment figures, sorted by key."""

    names: list[str]
    key: np.ndarray
    i: np.ndarray
    n: np.ndarray
    figures: dict[str, np.ndarray]
    touches: np.ndarray  # per group: how many (the journeys its touches stand for)
    value: np.ndarray  # per group: the exact sum of its touches' segment values
    bounds: list[int]  # the groups of key k are bounds[k]:bounds[k + 1]

    @classmethod
    def of(cls, t: _Touches) -> _Groups:
        # A segment's length and figures, numbered in their order (its profile); a touch's
        # group is then its key, position and profile, in the order of key, position, length
        # and figures. Counted per number, with no sort of the touches: at 1M generated
        # journeys (0.96M converting touches) the groups took 0.04 s instead of 0.11-0.14 s.
        profiles, profile = _distinct_rows([t.n, *t.figures.values()])
        found, group = _distinct_rows([t.key, t.i, profile[t.segment]])
        # Each group's sums add its touches in their order (the segments' values' order).
        touches = np.bincount(group, weights=t.weight, minlength=len(found[0]))
        value = np.bincount(group, weights=t.seg_value, minlength=len(found[0]))
        key, i, number = found
        n, *figures = (column[number] for column in profiles)
        return cls(
            names=t.names,
            key=key,
            i=i,
            n=n,
            figures=dict(zip(t.figures, figures, strict=True)),
            touches=touches,
            value=value,
            bounds=np.searchsorted(key, np.arange(len(t.names) + 1)).tolist(),
        )

    def credit(self, weight: np.ndarray) -> Credit:
        """Per key, the sums of the weight over its touches and of weight x value."""
        conversions, value = weight * self.touches, weight * self.value
        return {
            name: (
                float(conversions[self.bounds[k] : self.bounds[k + 1]].sum()),
                float(value[self.bounds[k] : self.bounds[k + 1]].sum()),
            )
            for k, name in enumerate(self.names)
            if self.bounds[k + 1] > self.bounds[k]
        }


# Up to this many possible rows, each is counted in a table of its own (bincount) instead of
# the rows being sorted.
_DENSE = 1 << 22


def _distinct_rows(columns: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of ``columns`` (non-negative integers) in order, and each row's number.

    The rows come back as columns, ascending by the first, then the second, and so on.
    """
    size = len(columns[0])
    spans = [int(column.max()) + 1 if size else 1 for column in columns]
    possible = math.prod(spans)
    if possible >= 2**62:  # too many possible rows for one number: sorted as rows
        rows, number = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)
        return [rows[:, k] for k in range(len(columns))], number.reshape(-1)
    combined = np.zeros(size, dtype=np.int64)
    for column, span in zip(columns, spans, strict=True):
        combined *= span
        combined += column
    if possible <= _DENSE:
        present = np.flatnonzero(np.bincount(combined, minlength=possible))
        numbers = np.zeros(possible, dtype=np.int64)
        numbers[present] = np.arange(len(present))
        number = numbers[combined]
    else:
        present, number = np.unique(combined, return_inverse=True)
    found = []
    for span in reversed(spans):
        present, digit = np.divmod(present, span)
        found.append(digit)
    return found[::-1], number


def _exact_per_key(
    names: list[str], key: np.ndarray, conversions: np.ndarray, value: np.ndarray
) -> Credit:
    """``conversions`` and ``value`` summed per ``key`` with ``math.fsum``: in any order."""
    present = np.unique(key)
    c, v = exact_sums(key, conversions, present), exact_sums(key, value, present)
    return {names[k]: (c[n], v[n]) for n, k in enumerate(present.tolist())}


def _ratio(raw: np.ndarray, total: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.divide(raw, total, out=np.zeros(len(raw)), where=total > 0)
    return out


def _position(g: _Groups, first: float, middle: float, last: float) -> np.ndarray:
    """U-shaped family: first/last shares, the middle share spread over inner touches."""
    n = g.n.astype(np.float64)
    inner = np.divide(middle, n - 2, out=np.zeros(len(n)), where=g.n > 2)
    raw = (g.i == 1) * first + (g.i == g.n) * last + ((g.i > 1) & (g.i < g.n)) * inner
    total = np.where(g.n > 2, first + middle + last, first + last)
    return _ratio(raw, total)


def _key_positions(
    g: _Groups, shares: Sequence[float], rest: float, positions: Sequence[np.ndarray]
) -> np.ndarray:
    """Fixed shares at key positions (0: absent), ``rest`` spread over the other touches."""
    size = len(g.i)
    raw, present = np.zeros(size), np.zeros(size)
    hit = np.zeros(size, dtype=bool)
    distinct = np.zeros(size, dtype=np.int64)
    for k, (share, position) in enumerate(zip(shares, positions, strict=True)):
        there = position > 0
        here = there & (g.i == position)
        raw += here * share
        hit |= here
        present += there * share
        new = there.copy()
        for earlier in positions[:k]:
            new &= (earlier == 0) | (earlier != position)
        distinct += new
    others = g.n - distinct
    spread = np.divide(rest, others, out=np.zeros(size), where=others > 0)
    total = present + np.where(others > 0, rest, 0.0)
    return _ratio(raw + ~hit * spread, total)


def _custom(g: _Groups, weights: Sequence[float]) -> np.ndarray:
    """Position ``k`` gets ``weights[k-1]``; later touches get the last weight."""
    w = np.array([float(x) for x in weights])
    raw = w[np.minimum(g.i, len(w)) - 1]
    prefix = np.cumsum(w)
    beyond = prefix[-1] + (g.n - len(w)) * w[-1]
    total = np.where(g.n <= len(w), prefix[np.minimum(g.n, len(w)) - 1], beyond)
    return _ratio(raw, total)


def _weight(
    g: _Groups, model: str, u_weights: Sequence[float], custom_weights: Sequence[float] | None
) -> np.ndarray:
    weight: np.ndarray
    if model == "first_touch":
        weight = (g.i == 1).astype(np.float64)
        return weight
    if model == "last_touch":
        weight = (g.i == g.n).astype(np.float64)
        return weight
    if model == "linear":
        weight = np.divide(1.0, g.n)
        return weight
    if model == "last_non_direct":
        chosen = np.where(g.figures["non_direct"] > 0, g.figures["non_direct"], g.n)
        weight = (g.i == chosen).astype(np.float64)
        return weight
    if model in {"position_based", "j_shaped", "inverse_j"}:
        shares = {
            "position_based": tuple(u_weights),
            "j_shaped": (0.2, 0.2, 0.6),
            "inverse_j": (0.6, 0.2, 0.2),
        }[model]
        return _position(g, *shares)
    first = np.ones(len(g.i), dtype=np.int64)
    lead, decision = g.figures["lead"], g.figures["decision"]
    if model == "w_shaped":
        return _key_positions(g, (0.3,) * 3, 0.1, [first, lead, decision])
    if model == "full_path":
        return _key_positions(g, (0.225,) * 4, 0.1, [first, lead, decision, g.n])
    assert model == "custom" and custom_weights  # checked by validate
    return _custom(g, custom_weights)


def _time_decay(t: _Touches, half_life_seconds: float, newest_at_conversion: bool) -> Credit:
    """Each touch's decay over its segment's total, summed per key."""
    age = t.age_s
    if not newest_at_conversion and len(t.first):
        newest = np.minimum.reduceat(age, t.first)
        age = age - np.repeat(newest, np.diff(np.r_[t.first, len(age)]))
    term = 0.5 ** (age / half_life_seconds)
    total = np.add.reduceat(term, t.first) if len(t.first) else np.zeros(0)
    weight = term / total[t.segment]
    # Added in the touches' order, which is the same in every run (see _Touches.of).
    conversions = np.bincount(t.key, weights=weight * t.weight, minlength=len(t.names))
    value = np.bincount(t.key, weights=weight * t.seg_value, minlength=len(t.names))
    seen = np.bincount(t.key, minlength=len(t.names))
    return {
        name: (float(conversions[k]), float(value[k])) for k, name in enumerate(t.names) if seen[k]
    }


def _participation(t: _Touches) -> Credit:
    """Per key, the conversions it took part in (1 per distinct key of each) and their value."""
    if len(t.names) <= 62 and len(t.first):
        # Each segment's keys as the bits of one number (the segments in the order of their
        # value, so that each key's sum is the same every run).
        members = np.bitwise_or.reduceat(np.left_shift(np.int64(1), t.key), t.first)
        values, weights = t.segment_value, t.segment_weight
        found: Credit = {}
        for k, name in enumerate(t.names):
            took_part = ((members >> k) & 1).astype(bool)
            if took_part.any():
                found[name] = (float(weights[took_part].sum()), float(values[took_part].sum()))
        return found
    pairs = np.unique(t.segment * len(t.names) + t.key)
    segment, key = np.divmod(pairs, len(t.names))
    return _exact_per_key(t.names, key, t.segment_weight[segment], t.segment_value[segment])
