"""Shapley-value attribution over the distinct key sets of segments.

The worth of a set ``T`` is the conversions (or the conversion rate) of the segments whose
distinct key set is exactly ``T``; the coalition value is ``v(S) = sum of worth(T), T ⊆ S``.
Up to ``cap`` distinct keys among the sets in play (default 15: 2**15 coalitions) the Shapley
values are computed by enumerating every coalition. Above the cap they are still exact: a value
function that is a sum of worths over subsets has the Harsanyi dividends ``worth(T)``, so each
key's Shapley value is ``sum of worth(T) / |T|`` over the sets ``T`` containing it, linear in
the number of sets. ``method="sampling"`` instead draws a seeded permutation sample and reports
each estimate's standard error (kept to check the other two). Credits are scaled to total
conversions (and total value).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["shapley_values"]


def _exact(players: list[str], worth: dict[frozenset[str], float]) -> np.ndarray:
    n = len(players)
    position = {p: k for k, p in enumerate(players)}
    v = np.zeros(1 << n)
    for members, w in worth.items():
        v[sum(1 << position[p] for p in members)] += w
    for bit in range(n):  # zeta transform: v(S) = sum over subsets
        step = 1 << bit
        for mask in range(1 << n):
            if mask & step:
                v[mask] += v[mask ^ step]
    sizes = np.array([bin(m).count("1") for m in range(1 << n)])
    factor = np.array(
        [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    )
    values = np.zeros(n)
    masks = np.arange(1 << n)
    for k in range(n):
        without = masks[(masks >> k) & 1 == 0]
        values[k] = float(np.sum(factor[sizes[without]] * (v[without | (1 << k)] - v[without])))
    return values


def _sampled(
    players: list[str], worth: dict[frozenset[str], float], samples: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    position = {p: k for k, p in enumerate(players)}
    sets = [([position[p] for p in members], w) for members, w in worth.items()]
    draws = np.zeros((samples, len(players)))
    for s in range(samples):
        rank = rng.permutation(len(players))
        for members, w in sets:  # the member arriving last completes the set and earns it
            draws[s, members[int(np.argmax(rank[members]))]] += w
    mean = draws.mean(axis=0)
    error = draws.std(axis=0, ddof=1) / math.sqrt(samples) if samples > 1 else np.zeros(len(mean))
    return mean, error


def _dividends(players: list[str], worth: dict[frozenset[str], float]) -> np.ndarray:
    position = {p: k for k, p in enumerate(players)}
    values = np.zeros(len(players))
    for members, w in worth.items():
        for member in members:
            values[position[member]] += w / len(members)
    return values


def shapley_values(
    sets: Sequence[tuple[frozenset[str], float]],
    *,
    cap: int = 15,
    samples: int = 2000,
    seed: int = 0,
    method: str = "auto",
) -> tuple[dict[str, float], dict[str, float], bool]:
    """Shapley value per key: (values, standard errors, exact?).

    ``method``: ``auto`` (enumeration up to ``cap`` keys, the dividend closed form above; both
    exact), ``enumerate``, ``dividends`` or ``sampling`` (seeded estimate with standard errors).
    """
    worth: dict[frozenset[str], float] = {}
    # In one order every run (the engine's row order varies): the float sums below follow it.
    for members, w in sorted(sets, key=lambda item: (sorted(item[0]), item[1])):
        if w:
            worth[members] = worth.get(members, 0.0) + w
    players = sorted({p for members, _ in sets for p in members})
    if not players:
        return {}, {}, True
    if method != "sampling":
        if method == "enumerate" or (method == "auto" and len(players) <= cap):
            values = _exact(players, worth)
        else:
            values = _dividends(players, worth)
        return dict(zip(players, values.tolist(), strict=True)), {p: 0.0 for p in players}, True
    mean, error = _sampled(players, worth, samples, seed)
    return (
        dict(zip(players, mean.tolist(), strict=True)),
        dict(zip(players, error.tolist(), strict=True)),
        False,
    )
