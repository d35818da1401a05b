"""Heuristic models as closed-form per-touch weights, all computed in one aggregation.

Every model gives each touch of a converting segment a weight; weights of one conversion sum
to 1 (participation is the exception: every distinct key that took part gets 1). Models with
fixed shares (U, W, full path, J, inverse J, custom) are normalised per conversion, so a share
with no touch to take it (e.g. no lead touch, or a two-touch path for U) is spread over the
touches that exist in proportion to their shares.

A weight depends only on the touch's position ``i``, the segment length ``n`` and a few
per-segment figures (first lead and decision touch, last non-direct touch, the time-decay
total), so :func:`credits` needs one aggregation per segment, one join and two aggregations
for any number of models: the touches counted per key, position, length and those figures,
then each weight summed once per such group. No window functions (time decay, which reads
each touch's age, is summed per touch in the first grouping; without the conversion touch it
takes one more aggregation and join). Participation, which counts the distinct keys of each
conversion, is one more aggregation of the same touches, joined to the others per key: every
model together is one query. The sums are exact (decimals,
:func:`~._aggregate.exact_sum`), so the same touches give the same credits in any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from journeymap.attribution._aggregate import SEG, WEIGHT, exact_sum, weighted_count
from journeymap.attribution._parameters import example, named, option, value_of
from journeymap.engine._tables import exact_total, number
from journeymap.errors import UsageError
from journeymap.i18n import N_, current_language, format_decimal
from journeymap.i18n.messages import _

__all__ = ["HEURISTICS", "credits", "normalised", "read_weights", "validate"]

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

Credit = dict[str, tuple[float, float]]


def _ratio(raw: ir.NumericValue, total: ir.NumericValue) -> ir.FloatingValue:
    return ibis.ifelse(total > 0, raw.cast(dt.float64) / total, 0.0)


def _position(t: ir.Table, first: float, middle: float, last: float) -> ir.FloatingValue:
    """U-shaped family: first/last shares, the middle share spread over inner touches."""
    n = t.n.cast(dt.float64)
    raw = (
        number(t.i == 1, dt.float64) * first
        + number(t.i == t.n, dt.float64) * last
        + number((t.i > 1) & (t.i < t.n), dt.float64) * ibis.ifelse(t.n > 2, middle / (n - 2), 0.0)
    )
    total = ibis.ifelse(t.n > 2, first + middle + last, first + last)
    return _ratio(raw, total)


def _custom(t: ir.Table, weights: Sequence[float]) -> ir.FloatingValue:
    """Position ``k`` gets ``weights[k-1]``; later touches get the last weight."""
    weights = [float(w) for w in weights]
    raw = ibis.cases(*[(t.i == k + 1, w) for k, w in enumerate(weights)], else_=weights[-1])
    prefix = [sum(weights[: k + 1]) for k in range(len(weights))]
    beyond = prefix[-1] + (t.n - len(weights)).cast(dt.float64) * weights[-1]
    total = ibis.cases(*[(t.n == k + 1, p) for k, p in enumerate(prefix)], else_=beyond)
    return _ratio(raw, total)


def _key_positions(
    t: ir.Table, shares: Sequence[float], rest: float, positions: Sequence[ir.IntegerValue]
) -> ir.FloatingValue:
    """Fixed shares at key positions (null: absent), ``rest`` spread over the other touches."""
    raw: ir.FloatingValue = ibis.literal(0.0)
    hit: ir.BooleanValue = ibis.literal(False)
    present: ir.FloatingValue = ibis.literal(0.0)
    distinct: ir.IntegerValue = ibis.literal(0, dt.int64)
    for k, (share, position) in enumerate(zip(shares, positions, strict=True)):
        here = (t.i == position).fill_null(False)
        raw = raw + number(here, dt.float64) * share
        hit = hit | here
        present = present + number(position.notnull(), dt.float64) * share
        new = position.notnull()
        for earlier in positions[:k]:
            new = new & (earlier.isnull() | (earlier != position))
        distinct = distinct + number(new.fill_null(False))
    others = t.n - distinct
    spread = ibis.ifelse(others > 0, rest / others.cast(dt.float64), 0.0)
    total = present + ibis.ifelse(others > 0, rest, 0.0)
    return _ratio(raw + number(~hit, dt.float64) * spread, total)


# How far from 1 the sum of weights may be (their decimals as written, added as floats).
SUM_TOLERANCE = 1e-9


def normalised(weights: Sequence[float]) -> tuple[float, ...]:
    """``weights`` scaled to sum to 1, in 4 decimals that still sum to 1 (a suggestion).

    Examples:
        >>> normalised((0.5, 0.5, 0.5))
        (0.3334, 0.3333, 0.3333)
    """
    total = sum(weights)
    shares = [round(w / total, 4) for w in weights]
    largest = shares.index(max(shares))
    shares[largest] = round(shares[largest] + 1 - sum(shares), 4)
    return tuple(shares)


def _sum_to_one(weights: Sequence[float], problem: str, name: str, given: bool = True) -> None:
    """Refuse weights whose sum is not 1, suggesting them normalised.

    ``given``: the caller passed them; else the message names the setting they came from.
    """
    total = sum(weights)
    if abs(total - 1) > SUM_TOLERANCE:
        raise UsageError(
            _(problem).format(
                option=named(name, given),
                # A number in the sentence, written the reader's way (1,5 in German); the
                # example stays as the option is written.
                total=format_decimal(total, current_language(), significant=10),
                example=example(name, normalised(weights)),
            )
        )


def validate(model: str, options: dict[str, Any], given: frozenset[str] | None = None) -> None:
    """Refuse an unknown model, and weights that would give a conversion to no touch.

    Shares are normalised over the touches a journey has, so a journey whose touches all
    have share 0 would lose its conversion: the credits would no longer sum to the
    conversions. With non-negative weights that happens to every journey when the weights
    sum to 0, to the shortest ones when the first (and, for U, the last) share is 0.

    Weights must sum to 1 (as GA4's and ChannelAttribution's do): weights summing to
    something else were rescaled in silence, so ``0.5,0.5,0.5`` meant a third each. The
    custom model's weights are the shares of a journey with one touch per weight (the last
    weight also goes to each later touch, and a journey of other length has its shares
    rescaled to sum to 1). ``given`` names the parameters the caller passed (None: all);
    the others came from settings, which a message names instead of the option.
    """
    if model not in HEURISTICS:
        raise UsageError(
            _("unknown heuristic model {model}; known: {known}").format(
                model=repr(model), known=", ".join(HEURISTICS)
            )
        )
    weights = tuple(options["u_weights"])
    if model == "position_based":
        if len(weights) != 3 or any(w < 0 for w in weights):
            raise UsageError(
                _("position weights must be three non-negative numbers, got {weights}").format(
                    weights=repr(weights)
                )
            )
        if sum(weights) == 0:
            raise UsageError(
                _(
                    "the position weights ({option}) sum to 0, so no touch would take a "
                    "conversion: give the first, middle or last touch a share above 0, e.g. "
                    "{example}"
                ).format(option=option("u_weights"), example=example("u_weights", (0.4, 0.2, 0.4)))
            )
        if weights[0] + weights[2] == 0:
            raise UsageError(
                _(
                    "the position weights ({option}) give the first and the last touch 0, so a "
                    "journey of one or two touches would give its conversion to no touch: give "
                    "the first or the last touch a share above 0, e.g. {example}"
                ).format(option=option("u_weights"), example=example("u_weights", (0.1, 0.8, 0.1)))
            )
        _sum_to_one(
            weights,
            N_(
                "the position weights ({option}: first, middle, last) sum to {total}, not 1; "
                "give shares that sum to 1, e.g. {example}"
            ),
            "u_weights",
            given is None or "u_weights" in given,
        )
    if model == "time_decay" and options["half_life_seconds"] <= 0:
        raise UsageError(_("the time-decay half-life must be positive (e.g. 7d)"))
    custom = options.get("custom_weights")
    if model != "custom":
        return
    if not custom or any(w < 0 for w in custom):
        raise UsageError(
            _(
                "the custom model needs non-negative position weights, e.g. {example} (the last "
                "weight applies to later touches)"
            ).format(example=example("custom_weights", (0.5, 0.3, 0.2)))
        )
    if sum(custom) == 0:
        raise UsageError(
            _(
                "the custom weights sum to 0, so no touch would take a conversion: give some "
                "position a weight above 0, e.g. {example} (the last weight applies to later "
                "touches)"
            ).format(example=example("custom_weights", (0.5, 0.3, 0.2)))
        )
    if custom[0] == 0:
        raise UsageError(
            _(
                "the first custom weight is 0, so a journey of one touch would give its "
                "conversion to no touch: give the first position a weight above 0, e.g. {example}"
            ).format(example=example("custom_weights", (0.1, 0.6, 0.3)))
        )
    _sum_to_one(
        custom,
        N_(
            "the custom weights ({option}) sum to {total}, not 1; give the shares of a journey "
            "with one touch per weight, summing to 1, e.g. {example} (the last weight also goes "
            "to each later touch, and a journey of another length has its shares rescaled)"
        ),
        "custom_weights",
    )


def read_weights(
    models: Sequence[str],
    u_weights: Sequence[float],
    half_life_seconds: float,
    custom_weights: Sequence[float] | None,
) -> tuple[Sequence[float], Sequence[float] | None]:
    """The weights read as numbers, once every model and its parameters are valid.

    Text (``"0.4,0.2,0.4"``) is read as the command line reads it, not iterated.

    Raises:
        UsageError: as :func:`validate`.
    """
    u: Sequence[float] = value_of("u_weights", u_weights)
    custom: Sequence[float] | None = value_of("custom_weights", custom_weights)
    options = {"u_weights": u, "half_life_seconds": half_life_seconds, "custom_weights": custom}
    for model in models:
        validate(model, options)
    return u, custom


def credits(
    t: ir.Table,
    models: Sequence[str],
    *,
    direct: Sequence[str] = ("direct",),
    u_weights: Sequence[float] = (0.4, 0.2, 0.4),
    half_life_seconds: float = 7 * 86400.0,
    custom_weights: Sequence[float] | None = None,
    lead_phases: Sequence[str] = ("consideration",),
    decision_phases: Sequence[str] = ("decision",),
    newest_at_conversion: bool = True,
) -> dict[str, Credit]:
    """Credit per key of every model in ``models``: model -> key -> (conversions, value).

    Args:
        t: Keyed segments (``_key`` plus the columns of :class:`~._aggregate.Segments`).
        models: Heuristic model names.
        direct: Keys that do not count for last non-direct.
        u_weights: First, middle and last share of the position-based model (text such as
            ``"0.4,0.2,0.4"`` is read as the command line reads it).
        half_life_seconds: Time-decay half-life.
        custom_weights: Position weights of the custom model (a list, or text as above).
        lead_phases: Phases whose first touch is the lead-creation touch.
        decision_phases: Phases whose first touch is the decision touch.
        newest_at_conversion: Whether every converting segment's newest touch is its
            conversion event (``age_s`` 0), as :func:`~._aggregate.prepare` cuts them with
            the conversion touch. Without it the time decay is taken relative to each
            segment's newest touch, which takes one more pass over the touches.

    Raises:
        UsageError: for an unknown model or invalid parameters, among them weights that
            would give a conversion to no touch (see :func:`validate`).
    """
    u_weights, custom_weights = read_weights(models, u_weights, half_life_seconds, custom_weights)
    conv = t.filter(t.converted)
    # Participation reads the touches alone: taken before the per-segment figures are joined
    # to them, it needs no join of its own (DuckDB kept one, unpruned, for it).
    touches = conv
    chosen = set(models)
    per_segment: dict[str, Any] = {}
    if chosen & {"w_shaped", "full_path"}:
        per_segment["_lead"] = conv.i.min(where=conv.phase.isin(list(lead_phases) or [""]))
        per_segment["_decision"] = conv.i.min(where=conv.phase.isin(list(decision_phases) or [""]))
    if "last_non_direct" in chosen:
        per_segment["_non_direct"] = conv.i.max(where=~conv._key.isin(list(direct) or [""]))
    # Each touch's decay is taken relative to the segment's newest touch (1 for it), so that
    # the exact (decimal) total loses nothing that counts, however long before the
    # conversion the touches were; the shares are the same. The conversion touch is the
    # newest, at age 0: then the total needs no pass of its own.
    decay_in_one_pass = "time_decay" in chosen and newest_at_conversion
    if decay_in_one_pass:
        conv = conv.mutate(_decay_term=ibis.literal(0.5) ** (conv.age_s / half_life_seconds))
        per_segment["_decay"] = exact_sum(conv._decay_term)
    elif "time_decay" in chosen:
        per_segment["_newest"] = conv.age_s.min()
    if per_segment:
        conv = conv.join(conv.group_by(list(SEG)).aggregate(**per_segment), list(SEG))
    if "time_decay" in chosen and not decay_in_one_pass:
        conv = conv.mutate(
            _decay_term=ibis.literal(0.5) ** ((conv.age_s - conv._newest) / half_life_seconds)
        )
        totals = conv.group_by(list(SEG)).aggregate(_decay=exact_sum(conv._decay_term))
        conv = conv.join(totals, list(SEG))
    weights = [model for model in models if model != "participation"]
    # A row standing for many identical segments (path data) counts that many times; its
    # seg_value is already their total value.
    many = conv[WEIGHT] if WEIGHT in conv.columns else None
    sums = [_weighted_sums(conv, weights, many, u_weights, custom_weights)] if weights else []
    if "participation" in chosen:
        sums.append(_participation(touches, many))
    if not sums:
        return {}
    # Every table has a row per key of the converting touches: one query for all of them,
    # which reads the segments once.
    table = sums[0]
    for other in sums[1:]:
        table = table.join(other, "_key")
    rows: list[dict[str, Any]] = table.to_pyarrow().to_pylist()
    return {
        model: {
            str(r["_key"]): (float(r[f"c_{model}"] or 0), float(r[f"v_{model}"] or 0)) for r in rows
        }
        for model in models
    }


def _participation(conv: ir.Table, many: ir.IntegerColumn | None) -> ir.Table:
    """Per key, the conversions (and value) it took part in: 1 per distinct key of each."""
    distinct = conv.select(
        *SEG, "_key", "seg_value", *([WEIGHT] if many is not None else [])
    ).distinct()
    return distinct.group_by("_key").aggregate(
        c_participation=weighted_count(distinct),
        v_participation=exact_sum(distinct.seg_value, value=True),
    )


# Per-segment figures a positional weight reads besides the position and the length.
_SHAPE = ("_lead", "_decision", "_non_direct")


def _weighted_sums(
    conv: ir.Table,
    models: list[str],
    many: ir.IntegerColumn | None,
    u_weights: Sequence[float],
    custom_weights: Sequence[float] | None,
) -> ir.Table:
    """Per key, each model's credit (``c_<model>``) and value (``v_<model>``).

    Every weight but time decay's is a function of the touch's position and its segment's
    length (and lead, decision and last non-direct position): the converting touches are
    first counted per key and those figures, with their value, so each of those weights is
    computed and summed once per group instead of once per touch. Each weight is the same on
    every touch of a group, so the credit is the same exact sum; the value is the weight
    times the group's exact value. Time decay reads each touch's age: its sums are made per
    touch, as exact decimals, inside the same grouping.
    """
    shape = ["_key", "i", "n", *(c for c in _SHAPE if c in conv.columns)]
    inner: dict[str, Any] = {
        "_touches": conv[WEIGHT].sum() if many is not None else conv.count(),
        "_value": exact_total(conv.seg_value, value=True),
    }
    if "time_decay" in models:
        weight = _weight(conv, "time_decay", u_weights, custom_weights)
        inner["c_time_decay"] = exact_total(weight if many is None else weight * many)
        inner["v_time_decay"] = exact_total(weight * conv.seg_value, value=True)
    groups = conv.group_by(shape).aggregate(**inner)
    sums: dict[str, Any] = {}
    for model in models:
        if model == "time_decay":  # decimals: their sum is exact
            for total in ("c_time_decay", "v_time_decay"):
                sums[total] = groups[total].sum().cast(dt.float64)
            continue
        weight = _weight(groups, model, u_weights, custom_weights)
        sums[f"c_{model}"] = exact_sum(weight * groups._touches)
        sums[f"v_{model}"] = exact_sum(weight * groups._value.cast(dt.float64), value=True)
    return groups.group_by("_key").aggregate(**sums)


def _weight(
    t: ir.Table,
    model: str,
    u_weights: Sequence[float],
    custom_weights: Sequence[float] | None,
) -> ir.FloatingValue:
    if model == "first_touch":
        return number(t.i == 1, dt.float64)
    if model == "last_touch":
        return number(t.i == t.n, dt.float64)
    if model == "linear":
        return 1.0 / t.n.cast(dt.float64)
    if model == "last_non_direct":
        return number(t.i == ibis.coalesce(t._non_direct, t.n), dt.float64)
    if model in {"position_based", "j_shaped", "inverse_j"}:
        shares = {
            "position_based": tuple(u_weights),
            "j_shaped": (0.2, 0.2, 0.6),
            "inverse_j": (0.6, 0.2, 0.2),
        }[model]
        return _position(t, *shares)
    if model == "w_shaped":
        return _key_positions(t, (0.3,) * 3, 0.1, [ibis.literal(1), t._lead, t._decision])
    if model == "full_path":
        positions = [ibis.literal(1), t._lead, t._decision, t.n]
        return _key_positions(t, (0.225,) * 4, 0.1, positions)
    if model == "time_decay":
        return _ratio(t._decay_term, t._decay)
    assert custom_weights  # checked by validate
    return _custom(t, custom_weights)
