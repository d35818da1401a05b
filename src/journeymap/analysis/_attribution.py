"""The attribution part of an analysis: its tables, and what the summary says about credit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa

from journeymap.analysis.result import Analysis
from journeymap.errors import JourneymapError, UsageError
from journeymap.model.touchpoints import outcome_ids
from journeymap.settings import written


def _add_attribution(analysis: Analysis, params: dict[str, Any]) -> None:
    """Add ``attribution`` and ``markov_removal_effects`` once journeymap.attribution exists.

    ``params`` are the model parameters (checked); the summary records them and the
    conversion events per touchpoint (``conversion_touchpoints``), which tell whether the
    conversion event is itself a touchpoint that takes credit.
    """
    try:
        from journeymap import attribution
    except ImportError:
        return
    compare = getattr(attribution, "compare_models", None)
    attribute = getattr(attribution, "attribute", None)
    if compare is None or attribute is None or analysis.journeys is None:
        return
    from journeymap.attribution.api import used_parameters

    analysis.attribution_parameters = dict(params)
    analysis.summary["attribution_parameters"] = {
        name: written(value) for name, value in params.items()
    }
    # What the models ran with, settings and defaults filled in (the report prints it).
    used = used_parameters(params, analysis.journey_map)
    analysis.summary["attribution_used"] = used
    found = conversion_touchpoints(analysis.stored_journeys())
    analysis.summary["conversion_touchpoints"] = found
    # An outcome touchpoint (outcome: true) takes no credit: it is not credited for itself.
    outcomes = set(outcome_ids(analysis.journey_map.touchpoints)) if analysis.journey_map else set()
    counts = {
        str(row["touchpoint"]): int(row["conversions"])
        for row in found
        if row["touchpoint"] not in outcomes
    }
    conversion_touch = resolve_conversion_touch(params)
    analysis.summary["conversion_touch"] = conversion_touch
    analysis.summary["conversion_credits_itself"] = credited_for_itself(
        counts,
        int(analysis.summary.get("conversion_events") or 0),
        conversion_touch=conversion_touch,
    )
    try:
        _attribution_tables(analysis, compare, attribute, params, used)
    except UsageError:
        # The user's own request (by_account without account ids, ...): said, not kept in a
        # summary key nobody reads while the analysis comes back without attribution.
        raise
    except JourneymapError as error:  # keep every other metric
        analysis.summary["attribution_error"] = str(error)


# From this share of the conversion events on one touchpoint, that touchpoint is most likely
# the conversion event itself (checkout, a signed contract), not a touch that led to it.
ONE_TOUCHPOINT = 0.9


def credited_for_itself(
    touchpoints: Mapping[str, int], events: int, *, conversion_touch: bool
) -> dict[str, Any] | None:
    """The touchpoint credited for the conversion itself, if the reader must be told.

    When the conversion event's own touchpoint takes credit and nearly every conversion is
    an event of one touchpoint, that touchpoint wins every last-touch credit for the outcome.

    Returns:
        ``touchpoint``, ``conversions`` (its conversion events) and ``events`` (all
        conversion events), or None.
    """
    if not conversion_touch or not touchpoints or not events:
        return None
    touchpoint, count = min(touchpoints.items(), key=lambda item: (-item[1], item[0]))
    if count < ONE_TOUCHPOINT * events:
        return None
    return {"touchpoint": touchpoint, "conversions": count, "events": events}


def resolve_conversion_touch(params: Mapping[str, Any]) -> bool:
    """Whether the conversion event's touchpoint takes credit: the parameter, else the setting."""
    from journeymap.attribution._parameters import value_of
    from journeymap.settings import resolve

    given = resolve("attribution.conversion_touch", params.get("conversion_touch"))
    return bool(value_of("conversion_touch", given))


def conversion_touchpoints(journeys: ir.Table, top: int | None = 3) -> list[dict[str, Any]]:
    """The touchpoints of the conversion events, most first: ``touchpoint``, ``conversions``.

    The first ``top`` of them (None: all).
    """
    ends = journeys.filter(journeys.conversion.cast(dt.boolean).fill_null(False))
    ranked = (
        ends.group_by("touchpoint")
        .aggregate(conversions=ends.count())
        .order_by([ibis.desc("conversions"), "touchpoint"])
    )
    rows = (ranked.limit(top) if top is not None else ranked).to_pyarrow().to_pylist()
    return [{"touchpoint": r["touchpoint"], "conversions": int(r["conversions"])} for r in rows]


def _attribution_tables(
    analysis: Analysis,
    compare: Any,
    attribute: Any,
    params: dict[str, Any],
    used: dict[str, Any],
) -> None:
    """The ``attribution`` and ``markov_removal_effects`` tables, with the parameters ``used``.

    The removal effects are those of the Markov chain whose credits the attribution table
    holds: its order, lookback and the rest. At order 1 collapsing repeats changes nothing
    (a self-loop only delays a journey, it never changes where it ends), so one variant is
    kept; above it both are, the one the credits used first.
    """
    journey_map = analysis.journey_map
    cache = analysis.segment_cache()
    parts = [
        compare(analysis.journeys, journey_map, level=level, cache=cache, **params)
        for level in ("touchpoint", "channel", "phase")
    ]
    table = pa.concat_tables(
        [p.select(["model", "level", "key", "conversions", "value", "share"]) for p in parts],
        promote_options="permissive",
    )
    analysis.tables["attribution"] = table
    order, collapse = int(used["order"]), bool(used["collapse_repeats"])
    rows = []
    for variant in (collapse, not collapse) if order > 1 else (collapse,):
        result = attribute(
            analysis.journeys,
            journey_map,
            model="markov",
            cache=cache,
            **{**params, "order": order, "collapse_repeats": variant},
        )
        for row in result.table.to_pylist():
            rows.append(
                {
                    "order": order,
                    "collapse_repeats": variant,
                    "touchpoint": row["key"],
                    "removal_effect": row.get("removal_effect"),
                }
            )
    analysis.tables["markov_removal_effects"] = pa.Table.from_pylist(
        rows,
        pa.schema(
            [
                ("order", pa.int64()),
                ("collapse_repeats", pa.bool_()),
                ("touchpoint", pa.string()),
                ("removal_effect", pa.float64()),
            ]
        ),
    )
    markov = [r for r in table.to_pylist() if r["model"] == "markov" and r["level"] == "touchpoint"]
    markov.sort(key=lambda r: -(r["share"] or 0))
    analysis.summary["top_attributed"] = [
        {"key": r["key"], "share": r["share"], "conversions": r["conversions"]} for r in markov[:5]
    ]
