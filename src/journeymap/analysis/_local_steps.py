"""The metric steps and the summary counted locally, off the journeys' arrays.

Where :func:`~journeymap.engine._local_journeys.local_journeys` holds the journeys (the
embedded DuckDB, journeys per person without breakdown columns), every table of
:func:`~journeymap.analysis._steps._metrics` is counted in NumPy by its local twin, and the
summary's figures too: the journeys, their facts and the shared tables are never stored.
Each twin returns the table its Ibis function returns (``tests/engine/test_local_*.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.datatypes as idt
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from journeymap.analysis._steps import computed, metric_pool, started
from journeymap.analysis._summary import horizon_of, measured, summary_of
from journeymap.engine import funnel
from journeymap.engine._coded_journeys import METRICS_BYTES_PER_EVENT
from journeymap.engine._local_journeys import LocalJourneys
from journeymap.engine._local_paths import (
    local_paths,
    local_sankey,
    local_variants,
    local_variants_total,
)
from journeymap.engine._local_stats import (
    local_checkout_abandonment,
    local_correlation,
    local_dropoff,
    local_outcomes,
    local_touches,
    local_touchpoint_stats,
    outcome_events,
)
from journeymap.engine._local_timing import (
    local_time_between_steps,
    local_time_in_phase,
    local_time_to_convert,
    local_time_to_convert_histogram,
)
from journeymap.engine._scratch import SHARE, memory_limit
from journeymap.engine._tables import exact_sum
from journeymap.engine.journeys import JourneyOptions
from journeymap.model import JourneyMap
from journeymap.model.touchpoints import outcome_ids
from journeymap.settings import resolve


def local_metrics(
    local: LocalJourneys,
    journey_map: JourneyMap,
    options: JourneyOptions,
    step: Callable[[str], None],
    threads: int = 1,
) -> dict[str, pa.Table]:
    """Every metric table of an analysis, counted off ``local``, ``threads`` at a time.

    The touch pairs that the statistics, checkout and correlation count are started first,
    so a metric that waits for them waits for work under way (:func:`_steps.started`); in
    one thread they are counted when the statistics first ask for them.
    """
    phase_order = [p.id for p in journey_map.ordered_phases()]
    outcomes = outcome_ids(journey_map.touchpoints)
    step("shared")
    with metric_pool(threads) as pool:
        touches = started(pool, lambda: local_touches(local))
        metrics: dict[str, Callable[[], pa.Table]] = {
            "phase_funnel": lambda: funnel.phase_funnel(None, journey_map, options, local=local),
            "touchpoint_funnel": lambda: funnel.touchpoint_funnel(
                None, journey_map, options, local=local
            ),
            "touchpoint_stats": lambda: local_touchpoint_stats(local, journey_map, touches()),
            "dropoff": lambda: local_dropoff(local, outcomes),
            "outcomes": lambda: local_outcomes(local, outcomes, touches()),
            "checkout_abandonment": lambda: local_checkout_abandonment(
                local, journey_map, options, touches()
            ),
            "time_to_convert": lambda: local_time_to_convert(local),
            "time_to_convert_histogram": lambda: local_time_to_convert_histogram(local),
            "time_in_phase": lambda: local_time_in_phase(local, phase_order),
            "time_between_steps": lambda: local_time_between_steps(local),
            "paths": lambda: local_paths(local, options),
            "sankey": lambda: local_sankey(local, options),
            "variants": lambda: local_variants(local, options.top_variants),
            "correlation": lambda: local_correlation(local, options, outcomes, touches()),
        }
        return computed(metrics, step, pool)


def metric_threads(local: LocalJourneys, events: ir.Table) -> int:
    """How many metrics may count at once: the ``analysis.threads`` setting, memory allowing.

    Each thread holds arrays of the events of its own (at 10M generated journeys, before
    the arrays kept were narrowed, the peak was 3,961 MiB one at a time and 4,424 MiB two at
    a time, stop 29): as many threads as the journeys' arrays
    (:data:`METRICS_BYTES_PER_EVENT` an event) fit times in the share of DuckDB's
    ``memory_limit`` that they may take (:data:`SHARE`), one at least.
    """
    wanted = int(resolve("analysis.threads"))  # 1 at least, as the setting reads it
    limit = memory_limit(ibis.get_backend(events))
    if limit is None:
        return wanted
    fit = int(limit * SHARE) // max(local.events * METRICS_BYTES_PER_EVENT, 1)
    return max(1, min(wanted, fit))


def local_summary(
    local: LocalJourneys,
    events: ir.Table,
    journey_map: JourneyMap,
    options: JourneyOptions,
    tables: dict[str, pa.Table],
) -> dict[str, Any]:
    """The summary, its figures counted off ``local``.

    The accounts and the value are asked of ``events`` in one scan: the value is the exact
    decimal sum the Ibis path takes (:func:`~journeymap.engine._tables.exact_sum`), the
    same whatever order the events come in.
    """
    conversion = events.conversion.cast(idt.boolean).fill_null(False)
    asked = (
        events.aggregate(
            accounts=events.account_id.cast(idt.string).nunique(),
            value=exact_sum(events.value.cast(idt.float64), value=True, where=conversion),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    first = int(local.first_micros.min()) if local.journeys else None
    last = int(local.last_micros.max()) if local.journeys else None
    figures = {
        "journeys": local.journeys,
        "conversions": int(local.converted.sum()),
        "value": asked["value"],
        "events": local.events,
        "conversion_events": int(local.conversion.sum()),
        "persons": local.persons,
        "accounts": asked["accounts"],
        "first_ts": _moment(first),
        "last_ts": _moment(last),
    }
    outcomes = outcome_ids(journey_map.touchpoints)
    return summary_of(
        figures,
        journey_map,
        options,
        tables,
        breakdown_varies={},  # local journeys have no breakdown columns
        personas_off_map=_personas_off_map(local, journey_map),
        variants_total=local_variants_total(local),
        measurement=_measurement(local, options, tables, outcomes),
    )


def _moment(micros: int | None) -> dt.datetime | None:
    if micros is None:
        return None
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)


def _personas_off_map(local: LocalJourneys, journey_map: JourneyMap) -> dict[str, int]:
    """Events per persona value the map has no persona for, the most first (as the Ibis)."""
    known = {persona.id for persona in journey_map.personas}
    if not known:
        return {}
    events = np.bincount(local.persona, minlength=len(local.persona_names))
    counts = [
        (str(name), int(events[number]))
        for number, name in enumerate(local.persona_names)
        if name is not None and name not in known and events[number]
    ]
    return dict(sorted(counts, key=lambda item: (-item[1], item[0])))


def _measurement(
    local: LocalJourneys,
    options: JourneyOptions,
    tables: dict[str, pa.Table],
    outcomes: list[str],
) -> dict[str, Any]:
    """``open_journeys`` and the rest of :func:`~journeymap.analysis._summary._measurement`."""
    horizon, basis = horizon_of(options, tables)
    converted = local.converted
    found: dict[str, Any] = {
        "at_first": int(np.sum(converted & (local.conversion_micros == local.first_micros))),
        "not_converted": int(np.sum(~converted)),
    }
    if horizon is not None and local.journeys:
        last = local.seconds_of(local.last_micros)  # to the bit as the engine's seconds
        recent = ~converted & (last > float(last.max()) - horizon)
        found["open"] = int(recent.sum())
        if outcomes:
            touched = outcome_events(local, outcomes)
            closed = np.bincount(local.journey_of[touched], minlength=local.journeys) > 0
            found["open"] = int(np.sum(recent & ~closed))
            found["ended"] = int(np.sum(recent & closed))
    return measured(found, horizon, basis, [], outcomes)
