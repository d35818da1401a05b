"""Heuristic models as per-touch weights computed in the engine.

Every model gives each touch of a converting segment a weight; weights of one conversion sum
to 1 (participation is the exception: every distinct key that took part gets 1). Models with
fixed shares (U, W, full path, J, inverse J, custom) are normalised per conversion, so a share
with no touch to take it (e.g. no lead touch, or a two-touch path for U) is spread over the
touches that exist in proportion to their shares.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from journeymap.errors import UsageError

__all__ = ["HEURISTICS", "weighted"]

HEURISTICS = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "participation",
    "position_based",
    "w_shaped",
    "full_path",
    "j_shaped",
    "inverse_j",
    "time_decay",
    "custom",
)


def _normalise(t: ir.Table, raw: ir.FloatingValue) -> ir.Table:
    t = t.mutate(_raw=raw.cast("float64"))
    total = t._raw.sum().over(ibis.window(group_by=t.seg))
    return t.mutate(w=ibis.ifelse(total > 0, t._raw / total, 0.0)).drop("_raw")


def _position(t: ir.Table, first: float, middle: float, last: float) -> ir.FloatingValue:
    is_first = (t.i == 1).cast("float64")
    is_last = (t.i == t.n).cast("float64")
    inner = ((t.i > 1) & (t.i < t.n)).cast("float64")
    middle_count = (t.n - 2).cast("float64")
    spread = ibis.ifelse(middle_count > 0, middle / middle_count, 0.0)
    return is_first * first + is_last * last + inner * spread


def _first_in(t: ir.Table, phases: Sequence[str]) -> ir.IntegerValue:
    hit = ibis.ifelse(t.phase.isin(list(phases) or [""]), t.i, ibis.null("int64"))
    return hit.min().over(ibis.window(group_by=t.seg))


def _key_positions(
    t: ir.Table, shares: Sequence[float], rest: float, positions: Sequence[ir.IntegerValue]
) -> ir.Table:
    raw: ir.FloatingValue = ibis.literal(0.0)
    any_key: ir.BooleanValue = ibis.literal(False)
    for share, position in zip(shares, positions, strict=True):
        hit = (t.i == position).fill_null(False)
        raw = raw + hit.cast("float64") * share
        any_key = any_key | hit
    t2 = t.mutate(_k=any_key, _kraw=raw)
    others = (~t2._k).cast("int64").sum().over(ibis.window(group_by=t2.seg)).cast("float64")
    spread = ibis.ifelse(others > 0, rest / others, 0.0)
    t3 = t2.mutate(_all=t2._kraw + (~t2._k).cast("float64") * spread)
    return _normalise(t3, t3._all).drop("_k", "_kraw", "_all")


def weighted(
    seg: ir.Table,
    model: str,
    *,
    direct: Sequence[str] = ("direct",),
    u_weights: Sequence[float] = (0.4, 0.2, 0.4),
    half_life_seconds: float = 7 * 86400.0,
    custom_weights: Sequence[float] | None = None,
    lead_phases: Sequence[str] = ("consideration",),
    decision_phases: Sequence[str] = ("decision",),
) -> ir.Table:
    """Add the weight column ``w`` of ``model`` to a segments table."""
    t = seg
    if model == "first_touch":
        return t.mutate(w=(t.i == 1).cast("float64"))
    if model == "last_touch":
        return t.mutate(w=(t.i == t.n).cast("float64"))
    if model == "linear":
        return t.mutate(w=1.0 / t.n.cast("float64"))
    if model == "participation":
        first = ibis.window(group_by=[t.seg, t.key], order_by=t.i)
        return t.mutate(w=(ibis.row_number().over(first) == 0).cast("float64"))
    if model == "last_non_direct":
        candidate = ibis.ifelse(t.key.isin(list(direct) or [""]), ibis.null("int64"), t.i)
        target = ibis.coalesce(candidate.max().over(ibis.window(group_by=t.seg)), t.n)
        return t.mutate(w=(t.i == target).cast("float64"))
    if model in {"position_based", "j_shaped", "inverse_j"}:
        weights = {
            "position_based": tuple(u_weights),
            "j_shaped": (0.2, 0.2, 0.6),
            "inverse_j": (0.6, 0.2, 0.2),
        }[model]
        if len(weights) != 3 or any(w < 0 for w in weights):
            raise UsageError(
                f"position weights must be three non-negative numbers, got {weights!r}"
            )
        return _normalise(t, _position(t, *weights))
    if model == "w_shaped":
        positions = [ibis.literal(1), _first_in(t, lead_phases), _first_in(t, decision_phases)]
        return _key_positions(t, (0.3, 0.3, 0.3), 0.1, positions)
    if model == "full_path":
        positions = [
            ibis.literal(1),
            _first_in(t, lead_phases),
            _first_in(t, decision_phases),
            t.n,
        ]
        return _key_positions(t, (0.225,) * 4, 0.1, positions)
    if model == "time_decay":
        if half_life_seconds <= 0:
            raise UsageError("the time-decay half-life must be positive (e.g. 7d)")
        return _normalise(t, (ibis.literal(0.5) ** (t.age_s / half_life_seconds)))
    if model == "custom":
        if not custom_weights or any(w < 0 for w in custom_weights):
            raise UsageError(
                "the custom model needs non-negative position weights, e.g. "
                "custom_weights=[0.5, 0.3, 0.2] (the last weight applies to later touches)"
            )
        cases = [(t.i == k + 1, float(w)) for k, w in enumerate(custom_weights)]
        raw = ibis.cases(*cases, else_=float(custom_weights[-1]))
        return _normalise(t, raw)
    raise UsageError(f"unknown heuristic model {model!r}; known: {', '.join(HEURISTICS)}")
