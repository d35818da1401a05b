"""Exact Markov-chain attribution from transition counts (no simulation).

The absorbing chain has the transient states ``(start)`` and every k-tuple of keys, and the
absorbing states ``(conversion)`` and ``(null)``. P(convert) solves ``(I - Q) x = r``: a
sparse LU factorisation for small chains, BiCGSTAB with a checked residual (at most 1e-12)
for large ones. Removing key ``c`` redirects every state containing ``c`` to null; its
removal effect is ``1 - P(convert | c removed) / P(convert)``. Attributed conversions are
removal effects normalised to sum 1, times total conversions.

Value is attributed the same way on the chain whose conversions are weighted by their value:
``r`` holds each state's expected conversion value per step (the value summed on its
transitions into conversion, over its transitions out), so a key that leads to the large
conversions earns their value, not its share of the count (a path worth 1,000 and one worth
1 split the value 50/50 before). With one value for every conversion both removals agree.

A removal changes the absorption probabilities only of states that can reach a removed one,
so each removal solves just the states of the chain's parts (weakly connected, ``(start)``
aside) that hold the key, with the rest of the full solution fixed. Where every state is
connected (touchpoints) that is the whole chain; where the keys fall apart into small groups
(the account level's members, who meet only inside their account) it is a few states a key,
instead of the whole chain once per key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from journeymap.attribution._aggregate import CONVERSION, NULL, SEP, START

if TYPE_CHECKING:
    from typing import TypeAlias

    import scipy.sparse as sp

    # A chain's transition matrix: dense up to DENSE_MAX_STATES, sparse above.
    Matrix: TypeAlias = np.ndarray | sp.csr_matrix

# SciPy (a sixth of a second to load) is loaded by the functions that solve a chain, so that
# the heuristic models, which import this module with the others, do not wait for it.

__all__ = ["MarkovResult", "markov_from_counts"]


@dataclass
class MarkovResult:
    """What the Markov model computed.

    Attributes:
        transition_matrix: ``from``, ``to``, ``probability``, ``count`` (states are keys
            joined by `` > `` for order above 1).
        removal_effects: Key -> removal effect.
        conversions: Key -> attributed conversions.
        value: Key -> attributed value.
        conversion_probability: P(convert) of the full chain.
        total_conversions: Conversions in the transition counts (what was attributed).
        total_value: Their value.
    """

    transition_matrix: pa.Table
    removal_effects: dict[str, float]
    conversions: dict[str, float]
    value: dict[str, float]
    conversion_probability: float
    total_conversions: float = 0.0
    total_value: float = 0.0
    extras: dict[str, Any] = field(default_factory=dict)


# Up to this many states a sparse LU is cheap and exact; above it (orders 2-4 on many keys,
# where LU fill-in makes a factorisation per removal cost seconds) a Krylov solver reaches
# machine precision in milliseconds. Its residual is checked; LU remains the fallback.
DIRECT_MAX_STATES = 1000
RESIDUAL_TOLERANCE = 1e-12
# Up to this many states a dense solve beats building a sparse factorisation.
DENSE_MAX_STATES = 64


def _solve(q: Matrix, r: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Absorption probabilities into conversion, with the states where ``keep`` is 0 removed."""
    if q.shape[0] <= DENSE_MAX_STATES:
        kept = np.outer(keep, keep) * (q if isinstance(q, np.ndarray) else q.toarray())
        dense: np.ndarray = np.linalg.solve(np.eye(q.shape[0]) - kept, r * keep)
        return dense
    import scipy.sparse as sp
    from scipy.sparse.linalg import bicgstab, splu

    mask = sp.diags(keep.astype(float))
    reduced = mask @ q @ mask
    system = (sp.identity(q.shape[0], format="csr") - reduced).tocsr()
    rhs = r * keep
    if q.shape[0] > DIRECT_MAX_STATES:
        guess, info = bicgstab(system, rhs, rtol=1e-14, atol=0.0, maxiter=20 * q.shape[0])
        if info == 0 and np.abs(system @ guess - rhs).max() <= RESIDUAL_TOLERANCE:
            return np.asarray(guess)
    result: np.ndarray = splu(system.tocsc()).solve(rhs)
    return result


def markov_from_counts(
    counts: Sequence[dict[str, Any]], total_conversions: float, total_value: float
) -> MarkovResult:
    """Solve the absorbing chain given transition counts (see module doc)."""
    transient = sorted({row["from"] for row in counts} - {START})
    index = {START: 0, **{s: k + 1 for k, s in enumerate(transient)}}
    size = len(index)
    out_total = np.zeros(size)
    for row in counts:
        out_total[index[row["from"]]] += row["count"]
    rows, cols, data = [], [], []
    r = np.zeros(size)
    for row in counts:
        src = index[row["from"]]
        probability = row["count"] / out_total[src]
        if row["to"] == CONVERSION:
            r[src] += probability
        elif row["to"] != NULL:
            if row["to"] not in index:  # a state with no way out: it ends in null
                continue
            rows.append(src)
            cols.append(index[row["to"]])
            data.append(probability)
    q: Matrix
    if size <= DENSE_MAX_STATES:  # NumPy alone: no SciPy to load for a small chain
        q = np.zeros((size, size))
        np.add.at(q, (np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)), data)
    else:
        import scipy.sparse as sp

        q = sp.csr_matrix((data, (rows, cols)), shape=(size, size))
    effects, base = _removal_effects(q, r, transient)
    share = _shares(effects)
    # The expected conversion value per step out of each state, for the value's removals.
    worth = np.zeros(size)
    for row in counts:
        if row["to"] == CONVERSION:
            worth[index[row["from"]]] += (
                float(row.get("value") or 0.0) / out_total[index[row["from"]]]
            )
    # The value's chain is the count's scaled when every conversion is worth the same per
    # state (one value for all): its removal effects are the same, no solve needed.
    scaled = np.divide(worth, r, out=np.zeros(size), where=r > 0)[r > 0]
    same = scaled.size == 0 or np.allclose(scaled, scaled[0], rtol=1e-12, atol=0.0)
    value_effects = effects if same else _removal_effects(q, worth, transient)[0]
    value_share = _shares(value_effects)
    matrix = pa.table(
        {
            "from": [_label(row["from"]) for row in counts],
            "to": [_label(row["to"]) for row in counts],
            "probability": [row["count"] / out_total[index[row["from"]]] for row in counts],
            "count": [int(row["count"]) for row in counts],
        }
    ).sort_by([("from", "ascending"), ("to", "ascending")])
    return MarkovResult(
        transition_matrix=matrix,
        removal_effects=effects,
        conversions={k: s * total_conversions for k, s in share.items()},
        value={k: s * total_value for k, s in value_share.items()},
        conversion_probability=base,
        total_conversions=total_conversions,
        total_value=total_value,
        extras={"value_removal_effects": value_effects},
    )


def _removal_effects(
    q: Matrix, r: np.ndarray, transient: list[str]
) -> tuple[dict[str, float], float]:
    """Key -> ``1 - absorbed(c removed) / absorbed`` for the absorbing ``r``, and absorbed."""
    full = _solve(q, r, np.ones(q.shape[0]))
    base = float(full[0])
    # Removing states can only lose conversions: an effect below 0 is rounding (-2.2e-16
    # stored a share of -1.4e-16), kept at 0.
    effects = {
        key: (max(0.0, 1.0 - removed / base) if base > 0 else 0.0)
        for key, removed in _removals(q, r, full, transient).items()
    }
    return effects, base


def _shares(effects: dict[str, float]) -> dict[str, float]:
    """Removal effects normalised to sum 1 (0 each when none is positive)."""
    total = sum(effects.values())
    return {key: (effect / total if total > 0 else 0.0) for key, effect in effects.items()}


def _removals(q: Matrix, r: np.ndarray, full: np.ndarray, transient: list[str]) -> dict[str, float]:
    """P(convert) with each key removed, solving only the parts of the chain holding the key.

    ``full`` is the chain's own solution; state 0 is ``(start)`` and ``transient[i]`` is
    state ``i + 1``.
    """
    holding: dict[str, list[int]] = {}
    for number, state in enumerate(transient, start=1):
        for key in dict.fromkeys(state.split(SEP)):
            holding.setdefault(key, []).append(number)
    # Parts of the chain without (start): a removal reaches no state outside its key's parts.
    part = _parts(q[1:, 1:])
    members: dict[int, list[int]] = {}
    for number, label in enumerate(part.tolist(), start=1):
        members.setdefault(label, []).append(number)
    removed: dict[str, float] = {}
    for key in sorted(holding):
        parts = sorted({int(part[state - 1]) for state in holding[key]})
        states = np.array([0, *(s for label in parts for s in members[label])])
        keep = np.ones(len(states))
        keep[np.isin(states, holding[key])] = 0.0
        if len(states) == q.shape[0]:  # one connected chain: solve it whole
            removed[key] = float(_solve(q, r, keep[np.argsort(states)])[0])
            continue
        rows = q[states]
        # The states outside keep their probabilities: (start) reaches them as before.
        fixed = full.copy()
        fixed[states] = 0.0
        removed[key] = float(_solve(rows[:, states], r[states] + rows @ fixed, keep)[0])
    return removed


def _parts(q: Matrix) -> np.ndarray:
    """The weakly connected part of each state, numbered by their first states, as SciPy's."""
    if not isinstance(q, np.ndarray):
        from scipy.sparse.csgraph import connected_components

        _count, part = connected_components(q, directed=True, connection="weak")
        return np.asarray(part)
    root = list(range(q.shape[0]))

    def find(state: int) -> int:
        while root[state] != state:
            root[state] = root[root[state]]
            state = root[state]
        return state

    for a, b in zip(*np.nonzero(q), strict=True):
        first, second = find(int(a)), find(int(b))
        if first != second:
            root[max(first, second)] = min(first, second)
    labels: dict[int, int] = {}
    return np.array([labels.setdefault(find(s), len(labels)) for s in range(q.shape[0])])


def _label(state: str) -> str:
    return state.replace(SEP, " > ")
