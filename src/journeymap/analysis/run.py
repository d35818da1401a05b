"""``analyze``: every metric of a journey map against events, in one call."""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from journeymap.analysis.inputs import events_table
from journeymap.analysis.result import Analysis
from journeymap.engine import correlation, dropoff, funnel, paths, stats, timing, variants
from journeymap.engine._tables import drop_temporary, materialize
from journeymap.engine.journeys import (
    EVENT_COLUMNS,
    JourneyOptions,
    build_journeys,
    check_touchpoints,
    journey_facts,
    phase_lookup,
    require_accounts,
    touch_pairs,
)
from journeymap.errors import AnalysisError, EngineError, JourneymapError, UsageError, from_engine
from journeymap.i18n.messages import _, count, n_
from journeymap.mapfile import load_map
from journeymap.model import JourneyMap, did_you_mean
from journeymap.settings import written

__all__ = ["analyze", "conversion_touchpoints", "credited_for_itself", "resolve_conversion_touch"]


def analyze(
    journey_map: JourneyMap | str | Path,
    events_or_db: Any,
    options: JourneyOptions | None = None,
    *,
    attribution: bool | Mapping[str, Any] = True,
    progress: Callable[[str], None] | None = None,
    **option_values: Any,
) -> Analysis:
    """Measure a journey map against events: funnels, drop-off, timing, paths, correlation.

    Args:
        journey_map: The map (phases and touchpoints give the funnel steps), or its file.
        events_or_db: An Ibis events table, a ``Workspace``, a workspace path or URL, or a
            pandas/polars DataFrame, Arrow table or Arrow stream (a ``RecordBatchReader``, a
            DuckDB relation) with the events contract's columns.
        options: Ready-made options; else ``option_values`` (names of
            :class:`~journeymap.engine.journeys.JourneyOptions`) over the settings.
        attribution: Also run every attribution model (``attribution`` and
            ``markov_removal_effects`` tables); ``False`` gives the measured metrics only. A
            mapping runs them with these model parameters, those of
            :func:`journeymap.attribution.attribute` (e.g. ``{"conversion_touch": False,
            "lookback": "30d"}``), over the ``attribution.*`` settings.
        progress: Called with the name of each step as it starts: ``journeys``, ``facts``,
            ``shared`` (the tables the metrics share), each table's name, ``summary`` and
            ``attribution``; a long analysis can show where it is.
        **option_values: e.g. ``by="account"``, ``ordering="strict"``,
            ``conversion_window="7d"``, ``breakdown=["persona"]``.

    Returns:
        The :class:`Analysis` with every table of docs/contracts.md (attribution tables when
        :mod:`journeymap.attribution` is available).

    Raises:
        AnalysisError: for a missing column or an impossible request.
        UsageError: for an unknown option, or an attribution parameter no model takes
            (checked before anything is measured).
        WorkspaceError: for a workspace path that is no workspace, or a closed workspace.
        EngineError: when the database fails.
    """
    journey_map = _journey_map(journey_map)
    if options is not None and option_values:
        raise UsageError(
            _(
                "give either options or option values, not both: {names} would be left out "
                "(set them on the JourneyOptions)"
            ).format(names=", ".join(option_values))
        )
    options = options or JourneyOptions.from_settings(**option_values)
    # A misspelt name or a value no model takes fails before the work, not after it.
    parameters = _attribution_parameters(attribution, journey_map)
    with quiet_driver():
        return _analyze(journey_map, events_or_db, options, parameters, progress or _silent)


def _attribution_parameters(attribution: Any, journey_map: JourneyMap) -> dict[str, Any] | None:
    """The model parameters to attribute with (read and checked), or None: no attribution."""
    if isinstance(attribution, Mapping):
        from journeymap.attribution._parameters import checked
        from journeymap.attribution.api import check_values

        parameters = checked(dict(attribution), ("attribution",))
        check_values(parameters, journey_map)
        return parameters
    if isinstance(attribution, bool):
        return {} if attribution else None
    raise UsageError(
        _(
            "attribution takes True, False or a mapping of model parameters (e.g. "
            "{{'conversion_touch': False}}), not a {type}"
        ).format(type=type(attribution).__name__)
    )


def _journey_map(journey_map: Any) -> JourneyMap:
    """The map itself, or the map file at a path; anything else is a usage error."""
    if isinstance(journey_map, JourneyMap):
        return journey_map
    if isinstance(journey_map, str | Path):
        return load_map(journey_map)
    raise UsageError(
        _(
            "the first argument is the journey map (a JourneyMap or a map file's path), not a "
            "{type}: call analyze(journey_map, events)"
        ).format(type=type(journey_map).__name__)
    )


def _check_events(events: ir.Table) -> int:
    """Refuse events the journeys cannot be cut from: events without a time or a person.

    The importer quarantines such rows; a DataFrame or table handed to ``analyze`` may hold
    them, and they would be cut into one journey of their own (no person) or sorted last in
    theirs (no time). A column of the contract that is missing is named first: asked for by
    the checks below, it came back as Ibis's AttributeError or KeyError.
    """
    _check_columns(events)
    kind = events.ts.type()
    if not kind.is_timestamp():
        raise AnalysisError(
            _(
                "the events' ts column holds {kind}, not timestamps; parse it first (pandas: "
                "pd.to_datetime, polars: str.to_datetime) or import the events with "
                "`journeymap import`, which reads times written as text"
            ).format(kind=kind)
        )
    types = events.schema()
    for column, wanted, fits in (
        ("value", _("numbers"), types["value"].is_numeric()),
        (
            "conversion",
            "true/false",
            types["conversion"].is_boolean() or types["conversion"].is_integer(),
        ),
    ):
        kind = types[column]
        # A column of nothing but nulls was typed as the contract types it (``_typed``).
        if not (fits or kind.is_null()):
            raise AnalysisError(
                _(
                    "the events' {column} column holds {kind}, not {wanted}; convert it first, "
                    "or import the events with `journeymap import`, whose rules read text such "
                    "as '49,90' or 'yes'"
                ).format(column=column, kind=kind, wanted=wanted)
            )
    found = (
        events.aggregate(
            # Counts of values, not sums of null tests: a Parquet file's statistics answer
            # them (2 ms against 100 ms at 4.5M events).
            n=events.count(),
            no_person=events.count() - events.person_id.count(),
            no_time=events.count() - events.ts.count(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    total = int(found["n"] or 0)  # none at all gives an analysis of zeros
    missing = [
        n_("{count} has no {column}", "{count} have no {column}", int(found[column])).format(
            count=count(int(found[column])), column=name
        )
        for column, name in (("no_person", "person_id"), ("no_time", "ts"))
        if found[column]
    ]
    if missing:
        raise AnalysisError(
            _(
                "of the {total} events, {missing}; every event needs both. Drop those rows, or "
                "import the events with `journeymap import`, which quarantines them with the "
                "reason"
            ).format(total=count(total), missing=f" {_('and')} ".join(missing))
        )
    return total


def _all_null(events: ir.Table, column: str) -> bool:
    """Whether ``column`` holds no value at all (polars types ``value=None`` as text)."""
    return int(events[column].count().to_pyarrow().as_py() or 0) == 0


def _typed(events: ir.Table) -> ir.Table:
    """The events with an all-null value or conversion column typed as the contract says.

    A DataFrame may give such a column any type (polars types ``value=None`` as text); the
    engine sums and tests it as a float and a boolean.
    """
    types = events.schema()
    wanted = {"value": "float64", "conversion": "boolean"}
    casts = {
        column: events[column].cast(kind)
        for column, kind in wanted.items()
        if column in types
        and not (types[column].is_numeric() or types[column].is_boolean())
        and (types[column].is_null() or _all_null(events, column))
    }
    return events.mutate(**casts) if casts else events


# Columns of the events contract that may hold nothing but nulls.
NULLABLE_COLUMNS = ("account_id", "phase", "persona", "value")


def _check_columns(events: ir.Table) -> None:
    """Refuse events that lack a column of the contract, naming it and the columns given."""
    present = list(events.columns)
    missing = [name for name in EVENT_COLUMNS if name not in present]
    if not missing:
        return
    others = [column for column in present if column not in EVENT_COLUMNS]
    renames = [
        _("{old} to {new}").format(old=repr(guess), new=repr(name))
        for name in missing
        if (guess := did_you_mean(name, others)) is not None
    ]
    nullable = [name for name in missing if name in NULLABLE_COLUMNS]
    message = n_(
        "the events lack the column {columns} of the events contract (columns given: {given})",
        "the events lack the columns {columns} of the events contract (columns given: {given})",
        len(missing),
    ).format(columns=", ".join(missing), given=", ".join(present))
    if renames:
        message += _("; rename {renames}").format(renames=", ".join(renames))
    if nullable:
        message += _(
            "; {columns} may hold nothing but nulls, but must be there (pandas: "
            "events.assign({assign}))"
        ).format(
            columns=", ".join(nullable),
            assign=", ".join(f"{name}=None" for name in nullable),
        )
    raise AnalysisError(
        _(
            "{message}. The events need the columns {columns}; or import the events with "
            "`journeymap import`, whose mapping rules name the columns"
        ).format(message=message, columns=", ".join(EVENT_COLUMNS))
    )


def _silent(_step: str) -> None:
    return None


@contextlib.contextmanager
def quiet_driver() -> Iterator[None]:
    """Silence the driver's own deprecation notice (ibis 12 calls DuckDB 2's renamed API)."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*fetch_arrow_table.*", category=DeprecationWarning
        )
        yield


def _analyze(
    journey_map: JourneyMap,
    events_or_db: Any,
    options: JourneyOptions,
    attribution: dict[str, Any] | None,
    step: Callable[[str], None],
) -> Analysis:
    check_touchpoints(journey_map, options)  # before the journeys are cut: a typo fails fast
    events = _typed(events_table(events_or_db))
    if _check_events(events):
        if options.by == "account":
            require_accounts(events, _("journeys per account"))
        elif attribution and attribution.get("by_account"):
            require_accounts(events, "by_account")  # before the work, not after it
    try:
        step("journeys")
        journeys = build_journeys(events, journey_map, options)
        journeys = materialize(journeys)
        step("facts")
        facts = journey_facts(
            journeys, options.breakdown, sequences=True, phase_of=phase_lookup(journey_map)
        )
        facts = materialize(facts)
        try:
            tables = _metrics(journeys, facts, journey_map, options, step)
            step("summary")
            summary = _summary(journeys, facts, journey_map, options, tables)
        finally:
            drop_temporary(facts)
    except JourneymapError:
        raise
    except Exception as exc:
        if from_engine(exc, "ibis", "sqlglot", "pyarrow"):  # results arrive as Arrow
            raise EngineError(
                _("the analysis failed in the database: {reason}").format(reason=exc)
            ) from exc
        raise
    analysis = Analysis(
        tables, summary, journeys=journeys, journey_map=journey_map, options=options
    )
    if attribution is not None:
        step("attribution")
        _add_attribution(analysis, attribution)
    return analysis


def _metrics(
    journeys: ir.Table,
    facts: ir.Table,
    journey_map: JourneyMap,
    options: JourneyOptions,
    step: Callable[[str], None],
) -> dict[str, pa.Table]:
    """Every metric, sharing the per-journey facts, the distinct paths and the touch pairs."""
    phase_order = [p.id for p in journey_map.ordered_phases()]
    step("shared")
    counts = materialize(paths.path_counts(journeys, options.collapse_repeats, facts))
    pairs = materialize(touch_pairs(journeys, facts, options.breakdown))
    metrics: dict[str, Callable[[], pa.Table]] = {
        "phase_funnel": lambda: funnel.phase_funnel(journeys, journey_map, options, facts),
        "touchpoint_funnel": lambda: funnel.touchpoint_funnel(
            journeys, journey_map, options, facts
        ),
        "touchpoint_stats": lambda: stats.touchpoint_stats(journeys, journey_map, facts, pairs),
        "dropoff": lambda: dropoff.dropoff(journeys, facts=facts),
        "checkout_abandonment": lambda: dropoff.checkout_abandonment(
            journeys, journey_map, options, facts, pairs
        ),
        "time_to_convert": lambda: timing.time_to_convert(journeys, facts),
        "time_to_convert_histogram": lambda: timing.time_to_convert_histogram(
            journeys, facts=facts
        ),
        "time_in_phase": lambda: timing.time_in_phase(journeys, phase_order),
        "time_between_steps": lambda: timing.time_between_steps(journeys),
        "paths": lambda: paths.paths(journeys, options, counts),
        "sankey": lambda: paths.sankey(journeys, options, counts=counts),
        "variants": lambda: variants.variants(journeys, options.top_variants, facts),
        "correlation": lambda: correlation.correlation(journeys, options, facts, pairs),
    }
    tables: dict[str, pa.Table] = {}
    try:
        for name, compute in metrics.items():
            step(name)
            tables[name] = compute()
        return tables
    finally:
        drop_temporary(counts, pairs)


def _summary(
    journeys: ir.Table,
    facts: ir.Table,
    journey_map: JourneyMap,
    options: JourneyOptions,
    tables: dict[str, pa.Table],
) -> dict[str, Any]:
    head = (
        facts.aggregate(
            journeys=facts.count(),
            conversions=facts.converted.sum(),
            value=facts.value.sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    events = (
        journeys.aggregate(
            events=journeys.count(),
            conversion_events=journeys.conversion.sum(),
            persons=journeys.person_id.nunique(),
            accounts=journeys.account_id.nunique(),
            first_ts=journeys.ts.min(),
            last_ts=journeys.ts.max(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    count = int(head["journeys"] or 0)
    conversions = int(head["conversions"] or 0)
    correlation_rows = tables["correlation"].to_pylist()
    overall = [r for r in correlation_rows if r.get("breakdown") is None]
    positive = [r for r in overall if r["direction"] == "positive"]
    negative = sorted(
        (r for r in overall if r["direction"] == "negative"), key=lambda r: r["odds_ratio"]
    )
    return {
        "map_id": journey_map.id,
        "journeys": count,
        "persons": int(events["persons"] or 0),
        "accounts": int(events["accounts"] or 0),
        "events": int(events["events"] or 0),
        "conversions": conversions,
        # Every conversion event: more than the converted journeys when a journey goes on
        # after its conversion (after_conversion="continue"); what value and credits count.
        "conversion_events": int(events["conversion_events"] or 0),
        "conversion_rate": conversions / count if count else 0.0,
        "value": float(head["value"] or 0.0),
        "first_ts": _iso(events["first_ts"]),
        "last_ts": _iso(events["last_ts"]),
        "options": options.to_json(),
        "top_dropoffs": tables["dropoff"].slice(0, 5).to_pylist(),
        "top_positive": [_brief(r) for r in positive[:5]],
        "top_negative": [_brief(r) for r in negative[:5]],
        "top_attributed": [],
        "breakdown_varies": _varying(journeys, list(options.breakdown)),
        "personas_off_map": _personas_off_map(journeys, journey_map),
    }


def _personas_off_map(journeys: ir.Table, journey_map: JourneyMap) -> dict[str, int]:
    """Events per persona value that the map has no persona for, the most frequent first.

    Only for a map with personas: without any, persona values are the data's own grouping.
    """
    known = [persona.id for persona in journey_map.personas]
    if not known:
        return {}
    off = journeys.filter(journeys.persona.notnull() & ~journeys.persona.isin(known))
    counts = off.group_by("persona").aggregate(events=off.count()).to_pyarrow().to_pylist()
    ranked = sorted(counts, key=lambda row: (-int(row["events"]), str(row["persona"])))
    return {str(row["persona"]): int(row["events"]) for row in ranked}


def _varying(journeys: ir.Table, columns: list[str]) -> dict[str, int]:
    """Per breakdown column, the journeys in which it takes more than one value.

    A journey counts under its first value (:func:`journey_facts`): a column that changes
    along a journey (the clerk of each event, the persona of each member of an account)
    breaks the journeys down by where they started, which the reader must be told.
    """
    if not columns:
        return {}
    per = journeys.group_by("journey_id").aggregate(
        **{f"_v{index}": journeys[column].nunique() for index, column in enumerate(columns)}
    )
    found = (
        per.aggregate(
            **{f"_v{index}": (per[f"_v{index}"] > 1).sum() for index in range(len(columns))}
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    counts = {column: int(found[f"_v{index}"] or 0) for index, column in enumerate(columns)}
    return {column: count for column, count in counts.items() if count}


def _brief(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "touchpoint": row["touchpoint"],
        "odds_ratio": row["odds_ratio"],
        "journeys_with": row["journeys_with"],
    }


def _iso(value: Any) -> str | None:
    """A time as ISO 8601 with its offset; a time without a zone is UTC, as analyze reads it."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    return None if value is None else str(value)


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
    found = conversion_touchpoints(analysis.journeys)
    analysis.summary["conversion_touchpoints"] = found
    counts = {str(row["touchpoint"]): int(row["conversions"]) for row in found}
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
    ends = journeys.filter(journeys.conversion.cast("boolean").fill_null(False))
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
