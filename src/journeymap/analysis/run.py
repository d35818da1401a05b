"""``analyze``: every metric of a journey map against events, in one call."""

from __future__ import annotations

import contextlib
import copy
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from journeymap.analysis._attribution import (
    _add_attribution,
    conversion_touchpoints,
    credited_for_itself,
    resolve_conversion_touch,
)
from journeymap.analysis._checks import _check_events, _typed
from journeymap.analysis._currency_notes import rules_versions
from journeymap.analysis._local_steps import local_metrics, local_summary, metric_threads
from journeymap.analysis._steps import _metrics
from journeymap.analysis._summary import _summary
from journeymap.analysis.feedback import feedback_tables
from journeymap.analysis.inputs import (
    events_table,
    no_events_in_period_reason,
    no_events_reason,
    opened,
)
from journeymap.analysis.result import Analysis, warn_unread_parameters
from journeymap.engine._local_journeys import LocalJourneys, local_journeys
from journeymap.engine._tables import drop_temporary, materialize
from journeymap.engine.journeys import (
    JourneyOptions,
    build_journeys,
    check_touchpoints,
    journey_facts,
    materialize_journeys,
    phase_lookup,
    require_accounts,
)
from journeymap.engine.period import in_period
from journeymap.errors import AnalysisError, EngineError, JourneymapError, UsageError, from_engine
from journeymap.i18n.messages import _
from journeymap.mapfile import load_map
from journeymap.model import JourneyMap

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
        progress: Called with the name of each step as it starts: ``journeys``, ``facts``
            (only where the journeys are stored, not counted off their arrays: see
            ``analysis._local_steps``), ``shared`` (the counts the metrics share), each
            table's name, ``summary`` and ``attribution``; a long analysis can show where it
            is. Always in the caller's thread: where two tables count at once (off the
            arrays, on two cores), each is named as the analysis waits for it.
        **option_values: e.g. ``by="account"``, ``ordering="strict"``,
            ``conversion_window="7d"``, ``breakdown=["persona"]``, ``since="2012-01-01"``,
            ``until="2012-02-01"`` (events from since, included, up to until, left out; a
            span such as ``since="30d"`` counts back from the data's last event). Events are
            filtered before journeys are cut; ``summary["period"]`` says what was left out.

    Returns:
        The :class:`Analysis` with every table of docs/contracts.md (attribution tables when
        :mod:`journeymap.attribution` is available).

    Raises:
        AnalysisError: for a missing column or an impossible request, and for events that
            hold no row, with the reason (a workspace whose every imported row was
            quarantined, an empty DataFrame, a period without events): zeros would read as a
            result.
        UsageError: for an unknown option, or an attribution parameter no model takes
            (checked before anything is measured).
        WorkspaceError: for a workspace path that is no workspace, or a closed workspace.
        EngineError: when the database fails.

    Warns:
        UserWarning: for an attribution parameter no model run reads (Shapley's ``samples``
            without ``shapley_method="sampling"``).

    Examples:
        >>> import pandas as pd
        >>> from journeymap.examples import example_path
        >>> events = pd.DataFrame({
        ...     "person_id": ["ann", "ann", "bo"],
        ...     "ts": pd.to_datetime(["2024-05-01 09:00", "2024-05-03 11:00",
        ...                           "2024-05-01 12:00"], utc=True),
        ...     "touchpoint": ["social-ads", "checkout", "social-ads"],
        ...     "conversion": [False, True, False],
        ...     "source": "crm",
        ... }).assign(account_id=None, phase=None, persona=None, value=None)
        >>> yoga = example_path("online-yoga")
        >>> analysis = analyze(yoga, events, conversion_window="7d", attribution=False)
        >>> analysis.summary["journeys"], analysis.summary["conversion_rate"]
        (2, 0.5)
        >>> analyze(yoga, events[events.touchpoint == "newsletter"])
        Traceback (most recent call last):
        ...
        journeymap.errors.AnalysisError: the events given hold no rows (an empty ...
    """
    journey_map = _journey_map(journey_map)
    if options is not None and option_values:
        raise UsageError(
            _(
                "give either options or option values, not both: {names} would be left out "
                "(set them on the JourneyOptions)"
            ).format(names=", ".join(option_values))
        )
    # The analysis keeps options of its own: the caller's, changed for the next run, changed
    # what this one said it was computed with.
    if options is None:
        options = JourneyOptions.from_settings(**option_values)
    else:
        options = copy.deepcopy(options)
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
    source = opened(events_or_db)
    events = _typed(events_table(source))
    if not _check_events(events):
        # As the command line refuses it: zeros would read as a result.
        raise AnalysisError(no_events_reason(source))
    # The period first: journeys are cut from the events in it, not cut and then chosen.
    events, period = in_period(events, options.since, options.until, unit=options.by)
    if period is not None:
        options.since, options.until = period.since, period.until  # as analysed: moments
        if not period.events:
            raise AnalysisError(no_events_in_period_reason(period))
    if options.by == "account":
        require_accounts(events, _("journeys per account"))
    elif attribution and attribution.get("by_account"):
        require_accounts(events, "by_account")  # before the work, not after it
    try:
        step("journeys")
        built = build_journeys(events, journey_map, options)
        local = local_journeys(built, options)
        if local is not None:
            tables, summary = _counted_locally(local, source, events, journey_map, options, step)
            journeys = built
        else:
            journeys = materialize_journeys(built)
            tables, summary = _measured(journeys, source, events, journey_map, options, step)
        if period is not None:
            summary["period"] = period.to_json()
        versions = rules_versions(events)
        if versions is not None:
            summary["rules_versions"] = versions
    except JourneymapError:
        raise
    except Exception as exc:
        if from_engine(exc, "ibis", "sqlglot", "pyarrow"):  # results arrive as Arrow
            raise EngineError(
                _("the analysis failed in the database: {reason}").format(reason=exc)
            ) from exc
        raise
    analysis = Analysis(
        tables,
        summary,
        journeys=journeys,
        journey_map=journey_map,
        options=options,
        coded=None if local is None else local.coded,
    )
    if attribution is not None:
        step("attribution")
        _add_attribution(analysis, attribution)
        if "attribution" in analysis.tables:
            run = analysis.tables["attribution"].column("model").to_pylist()
            warn_unread_parameters(attribution, attribution, run, journey_map, stacklevel=4)
    return analysis


def _counted_locally(
    local: LocalJourneys,
    source: Any,
    events: ir.Table,
    journey_map: JourneyMap,
    options: JourneyOptions,
    step: Callable[[str], None],
) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    """The tables and the summary counted off the journeys' arrays (``_local_steps``)."""
    tables = local_metrics(local, journey_map, options, step, threads=metric_threads(local, events))
    tables.update(feedback_tables(source, journey_map))
    step("summary")
    return tables, local_summary(local, events, journey_map, options, tables)


def _measured(
    journeys: ir.Table,
    source: Any,
    events: ir.Table,
    journey_map: JourneyMap,
    options: JourneyOptions,
    step: Callable[[str], None],
) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    """The tables and the summary asked of the stored journeys and their facts, in Ibis."""
    step("facts")
    facts = journey_facts(
        journeys, options.breakdown, sequences=True, phase_of=phase_lookup(journey_map)
    )
    facts = materialize(facts)
    try:
        tables = _metrics(journeys, facts, journey_map, options, step)
        tables.update(feedback_tables(source, journey_map))
        step("summary")
        return tables, _summary(journeys, facts, journey_map, options, tables)
    finally:
        drop_temporary(facts)
