"""``attribute`` and ``compare_models``: one entry point for every model and level.

The parts live in private modules next to this one: the result (``_result``), the segment
cache (``_cache``), the model names (``_models``) and parameter values (``_options``), the
level mapping (``_levels``, ``_by_touchpoint``), the Markov chain (``_markov_chain``) and the
direct touchpoints' check (``_direct``).
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from journeymap.attribution import _settings  # noqa: F401  (registers the settings)
from journeymap.attribution._by_touchpoint import (
    _from_touchpoint,
    _level_credits,
    _level_seen,
    _level_sets,
)
from journeymap.attribution._cache import SegmentCache, _with_cache
from journeymap.attribution._direct import _check_direct
from journeymap.attribution._levels import FIXED_LEVELS as FIXED_LEVELS
from journeymap.attribution._levels import _keyed
from journeymap.attribution._markov_chain import _markov
from journeymap.attribution._models import MODELS, _check_models, _check_names
from journeymap.attribution._options import SAMPLING as SAMPLING
from journeymap.attribution._options import (
    _heuristic_options,
    _shapley_options,
    check_values,
    unread_parameters,
    used_parameters,
    warn_unread,
)
from journeymap.attribution._parameters import checked, names
from journeymap.attribution._result import AttributionResult, _table, side_by_side
from journeymap.attribution.heuristic import HEURISTICS
from journeymap.attribution.paths import Paths
from journeymap.attribution.shapley import shapley_values
from journeymap.errors import AttributionError, UsageError
from journeymap.i18n.messages import _
from journeymap.model import JourneyMap

__all__ = [
    "MODELS",
    "AttributionResult",
    "SegmentCache",
    "attribute",
    "check_values",
    "compare_models",
    "side_by_side",
    "unread_parameters",
    "used_parameters",
]


def attribute(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None = None,
    *,
    model: str = "markov",
    level: str = "touchpoint",
    cache: SegmentCache | None = None,
    **params: Any,
) -> AttributionResult:
    """Attribute every conversion (repeat conversions included) to the keys of ``level``.

    Args:
        journeys: The journeys table (docs/contracts.md, "Journeys"), or path data read by
            :func:`~journeymap.attribution.paths.from_paths`.
        journey_map: The map (touchpoint -> channel for ``level="channel"``).
        model: One of :data:`MODELS`.
        level: ``touchpoint``, ``channel``, ``phase``, ``persona``, a breakdown column of the
            journeys (a column kept from the events is one once the analysis breaks down by
            it: ``analyze(..., breakdown=["product"])``), or ``account``: the journeys of an
            account's members merged in time order, each member credited for its own touches.
            Its keys are the members (person ids), one row each, not one per account: which
            contact of the buying center earned the credit (an account's own credit would
            just be its conversions).
        cache: A :class:`SegmentCache` of ``journeys`` to reuse segments across calls.
        **params: ``lookback`` (e.g. ``"30d"``), ``conversion_touch`` (False: the
            conversion event's own touchpoint takes no credit, the touches before it share
            it; a conversion with no touch before it keeps its own), ``half_life``,
            ``u_weights``, ``direct_touchpoints``, ``custom_weights``, ``lead_phases``,
            ``decision_phases``, ``order`` and ``collapse_repeats`` (Markov), ``shapley_cap``,
            ``shapley_method``, ``worth`` (``conversions`` or ``rate``), ``samples``, ``seed``
            (Shapley), ``by_account``. Text is read as the command line reads it: lists separated by
            commas (``u_weights="0.4,0.2,0.4"``, ``lead_phases="consideration"``), whole
            numbers (``order="2"``) and yes/no values (``collapse_repeats="false"``).
            ``u_weights`` and ``custom_weights`` sum to 1; ``samples`` is at least 2; direct
            touchpoints other than the default are touchpoints of the map or the journeys (or
            channels, or keys of the level).

    Returns:
        An :class:`AttributionResult`.

    Raises:
        UsageError: for an unknown model, level, parameter name or parameter value.
        AttributionError: if the journeys lack required columns, or their database, their
            table or the paths were closed.

    Warns:
        UserWarning: for a parameter the model does not read (``order`` with
            ``model="linear"``), naming the models that would.

    Examples:
        Three distinct paths: four journeys took ``ad > mail`` and three of them converted.

        >>> import pyarrow as pa
        >>> from journeymap.attribution import attribute, from_paths
        >>> paths = pa.table({
        ...     "path": ["ad > mail", "mail", "ad"],
        ...     "total_conversions": [3, 1, 0],
        ...     "total_null": [1, 2, 4],
        ... })
        >>> with from_paths(paths) as data:
        ...     linear = attribute(data, model="linear")
        >>> [(row["key"], row["conversions"], row["share"]) for row in linear.table.to_pylist()]
        [('mail', 2.5, 0.625), ('ad', 1.5, 0.375)]
    """
    _check_models(journeys, [model])
    given = params
    params = checked(params, ("model", "level", "cache"))
    result = _with_cache(
        journeys,
        cache,
        lambda own: _attribute(journeys, journey_map, model, level, own, params),
        heuristics_only=model in HEURISTICS,
    )
    warn_unread(given, [model], stacklevel=3)
    return result


def _attribute(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    model: str,
    level: str,
    cache: SegmentCache,
    params: dict[str, Any],
) -> AttributionResult:
    extras: dict[str, Any] = {}
    columns: dict[str, dict[str, float]] = {}
    if model == "markov":
        result, used = _markov(journeys, journey_map, level, params, cache)
        extras["markov"] = result
        rows = {
            k: (result.conversions.get(k, 0.0), result.value.get(k, 0.0))
            for k in result.removal_effects
        }
        columns = {"removal_effect": result.removal_effects}
        table = _table(level, rows, result.total_conversions, columns)
        return AttributionResult(model, level, used, table, extras)
    segments, t = _keyed(
        journeys, journey_map, level, params, cache, heuristics=model in HEURISTICS
    )
    by = _from_touchpoint(journeys, journey_map, level, cache)
    used = {
        "lookback": str(segments.lookback) if segments.lookback else None,
        "conversion_touch": segments.conversion_touch,
    }
    total_c, total_v = segments.conversions, segments.value
    seen = _level_seen(segments, t, by, cache)
    if model in HEURISTICS:
        options = _heuristic_options(params, journey_map)
        if model == "last_non_direct":
            _check_direct(
                options["direct"],
                journey_map,
                level,
                segments,
                seen,
                cache,
                given="direct_touchpoints" in params,
            )
        used.update(options)
        credit = _level_credits(segments, t, by, cache, [model], options)[model]
        rows = {k: credit.get(k, (0.0, 0.0)) for k in seen | set(credit)}
    else:
        cap, worth, samples, seed, method = _shapley_options(params)
        used.update(shapley_cap=cap, worth=worth, samples=samples, seed=seed, method=method)
        sets = _level_sets(segments, t, by, cache)
        per = [(s, (c / n if worth == "rate" else float(c))) for s, n, c, _ in sets]
        per_value = [(s, (v / n if worth == "rate" else v)) for s, n, _, v in sets]
        phi, error, exact = shapley_values(per, cap=cap, samples=samples, seed=seed, method=method)
        phi_v, _err, _ = shapley_values(
            per_value, cap=cap, samples=samples, seed=seed, method=method
        )
        sc = total_c / sum(phi.values()) if sum(phi.values()) else 0.0
        sv = total_v / sum(phi_v.values()) if sum(phi_v.values()) else 0.0
        rows = {k: (phi.get(k, 0.0) * sc, phi_v.get(k, 0.0) * sv) for k in seen}
        columns = {"standard_error": {k: e * sc for k, e in error.items()}}
        extras.update(exact=exact, players=len(phi))
    return AttributionResult(model, level, used, _table(level, rows, total_c, columns), extras)


def compare_models(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None = None,
    *,
    level: str = "touchpoint",
    models: str | list[str] | tuple[str, ...] | None = None,
    cache: SegmentCache | None = None,
    wide: bool = False,
    **params: Any,
) -> pa.Table:
    """Every model side by side.

    Long format: ``model``, ``level``, ``key``, ``conversions``, ``value``, ``share``,
    ``standard_error`` (of the conversions' credit: Shapley's, 0 for its exact values;
    null for the other models). ``custom`` only runs when ``custom_weights`` is given. The
    segments are computed once and every heuristic model comes from the same single
    aggregation. ``wide=True`` gives the table ``journeymap attribute`` prints instead: one
    row per key, one column of conversions per model (:func:`side_by_side`, which also
    turns a long table into one of value or share).

    Args:
        journeys: As for :func:`attribute`.
        journey_map: As for :func:`attribute`.
        level: As for :func:`attribute`.
        models: The models to run, as a list or as text separated by commas; None (the
            default) runs every model.
        cache: As for :func:`attribute`.
        wide: One row per key and one column per model, instead of the long format.
        **params: The model parameters of :func:`attribute`.

    Raises:
        UsageError: for an unknown model or an empty list of models, and as
            :func:`attribute` does.
        AttributionError: as :func:`attribute` does.

    Warns:
        UserWarning: for a parameter none of the models reads.

    Examples:
        The paths of :func:`attribute`'s example, three models side by side:

        >>> import pyarrow as pa
        >>> from journeymap.attribution import compare_models, from_paths
        >>> paths = pa.table({
        ...     "path": ["ad > mail", "mail", "ad"],
        ...     "total_conversions": [3, 1, 0],
        ...     "total_null": [1, 2, 4],
        ... })
        >>> with from_paths(paths) as data:
        ...     table = compare_models(
        ...         data, models=["first_touch", "last_touch", "linear"], wide=True
        ...     )
        >>> table.column_names
        ['level', 'key', 'first_touch', 'last_touch', 'linear']
        >>> for row in table.to_pylist():
        ...     print(row["key"], row["first_touch"], row["last_touch"], row["linear"])
        mail 1.0 4.0 2.5
        ad 3.0 0.0 1.5
    """
    given = params
    params = checked(params, ("level", "models", "cache", "wide"))
    named = None if models is None else list(names("models", models, ("linear", "markov")))
    if named == []:
        raise UsageError(
            _(
                "models={models} names no model: name one or more, e.g. "
                "models=['linear', 'markov'], or leave models out to compare every model"
            ).format(models=repr(models))
        )
    chosen = (
        named
        if named is not None
        else [m for m in MODELS if m != "custom" or params.get("custom_weights")]
    )
    if not chosen:
        raise AttributionError(_("no models to compare"))
    _check_names(chosen)
    if models is None and isinstance(journeys, Paths):
        chosen = [m for m in chosen if m != "time_decay"]  # path data have no times
    _check_models(journeys, chosen)
    table = _with_cache(
        journeys,
        cache,
        lambda own: _compare(journeys, journey_map, level, chosen, own, params),
        heuristics_only=all(name in HEURISTICS for name in chosen),
    )
    warn_unread(given, chosen, stacklevel=3)
    return side_by_side(table) if wide else table


def _compare(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    level: str,
    chosen: list[str],
    cache: SegmentCache,
    params: dict[str, Any],
) -> pa.Table:
    """:func:`compare_models` of checked models and parameters, on one segment cache."""
    heuristics = [m for m in chosen if m in HEURISTICS]
    found: dict[str, dict[str, tuple[float, float]]] = {}
    seen: set[str] = set()
    conversions = 0.0
    if heuristics:  # Markov alone needs no segments
        segments, t = _keyed(journeys, journey_map, level, params, cache, heuristics=True)
        by = _from_touchpoint(journeys, journey_map, level, cache)
        options = _heuristic_options(params, journey_map)
        seen, conversions = _level_seen(segments, t, by, cache), segments.conversions
        if "last_non_direct" in heuristics:
            _check_direct(
                options["direct"],
                journey_map,
                level,
                segments,
                seen,
                cache,
                given="direct_touchpoints" in params,
            )
        found = _level_credits(segments, t, by, cache, heuristics, options)
    parts = []
    for name in chosen:
        if name in HEURISTICS:
            credit = found[name]
            rows = {k: credit.get(k, (0.0, 0.0)) for k in seen | set(credit)}
            table = _table(level, rows, conversions, {})
            error: pa.Array | pa.ChunkedArray = pa.nulls(table.num_rows, pa.float64())
        else:
            result = attribute(
                journeys, journey_map, model=name, level=level, cache=cache, **params
            )
            table = result.table.select(["level", "key", "conversions", "value", "share"])
            # Shapley reports a standard error (0 for its exact values); no other model does.
            error = (
                result.table.column("standard_error")
                if "standard_error" in result.table.column_names
                else pa.nulls(table.num_rows, pa.float64())
            )
        table = table.append_column(pa.field("standard_error", pa.float64()), error)
        parts.append(table.add_column(0, "model", pa.array([name] * table.num_rows, pa.string())))
    return pa.concat_tables(parts)
