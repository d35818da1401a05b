"""The metric steps of an analysis: every table, sharing the facts, paths and counted pairs."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import TypeVar

import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine import correlation, dropoff, funnel, paths, stats, timing, variants
from journeymap.engine._pair_counts import touch_pair_counts
from journeymap.engine._tables import drop_temporary, materialize
from journeymap.engine.journeys import JourneyOptions
from journeymap.i18n import N_
from journeymap.model import JourneyMap
from journeymap.model.touchpoints import outcome_ids
from journeymap.settings import Setting, register, whole_number

METRICS = (
    "phase_funnel",
    "touchpoint_funnel",
    "touchpoint_stats",
    "dropoff",
    "outcomes",
    "checkout_abandonment",
    "time_to_convert",
    "time_to_convert_histogram",
    "time_in_phase",
    "time_between_steps",
    "paths",
    "sankey",
    "variants",
    "correlation",
)
"""The metric tables of an analysis, in the order they are computed (on either path)."""

T = TypeVar("T")


WORKERS = 2
"""Threads that count the local metrics at once by default (setting ``analysis.threads``).

NumPy lets go of the interpreter's lock in its loops, so two metrics count side by side: at
1M generated journeys ``analyze()`` took 1.27-1.40 s in two threads against 1.46-2.08 s in
one (three runs each, in turn; ``benchmarks/README.md``, stop 29). Two, as the floor query's
DuckDB has two cores on the benchmark machines; and each thread holds its own arrays of the
events.
"""

register(
    Setting(
        "analysis.threads",
        WORKERS,
        N_(
            "How many tables an analysis counts at once off the journeys' arrays (at most "
            "the cores, and as many as memory allows); 1: one at a time."
        ),
        whole_number(1),
    )
)


@contextlib.contextmanager
def metric_pool(threads: int = WORKERS) -> Iterator[Executor | None]:
    """Up to ``threads`` threads for :func:`computed`, no more than the usable cores.

    None where that is one thread: the metrics count in the caller's. On the way out,
    whatever was not started is cancelled (a metric failed) and what runs is waited for.
    """
    # The cores this process may run on (Linux); elsewhere (macOS, Windows) the machine's.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = min(threads, cores or 1)
    if workers < 2:
        yield None
        return
    pool = ThreadPoolExecutor(workers, thread_name_prefix="journeymap-metrics")
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def started(pool: Executor | None, work: Callable[[], T]) -> Callable[[], T]:
    """What gives ``work``'s result: ``work`` started in ``pool``, else run when first asked.

    In a pool, ``work`` runs in a copy of this context (the document's language, ...); the
    function returned waits for it. Without one, ``work`` runs once, at the first call.
    """
    if pool is None:
        return functools.cache(work)
    return pool.submit(contextvars.copy_context().run, work).result


def computed(
    metrics: Mapping[str, Callable[[], pa.Table]],
    step: Callable[[str], None],
    pool: Executor | None = None,
) -> dict[str, pa.Table]:
    """Each table of :data:`METRICS` from its function in ``metrics``, its step named first.

    With a ``pool`` every table is started in it, in that order, and ``step`` names each in
    turn, in this thread, as its table is waited for.
    """
    tables = {name: started(pool, metrics[name]) for name in METRICS}
    found: dict[str, pa.Table] = {}
    for name in METRICS:
        step(name)
        found[name] = tables[name]()
    return found


def _metrics(
    journeys: ir.Table,
    facts: ir.Table,
    journey_map: JourneyMap,
    options: JourneyOptions,
    step: Callable[[str], None],
) -> dict[str, pa.Table]:
    """Every metric, sharing the per-journey facts, the distinct paths and the counted pairs."""
    phase_order = [p.id for p in journey_map.ordered_phases()]
    outcomes = outcome_ids(journey_map.touchpoints)
    step("shared")
    counts = materialize(paths.path_counts(journeys, options.collapse_repeats, facts))
    pairs = materialize(touch_pair_counts(journeys, facts, options.breakdown))
    metrics: dict[str, Callable[[], pa.Table]] = {
        "phase_funnel": lambda: funnel.phase_funnel(journeys, journey_map, options, facts),
        "touchpoint_funnel": lambda: funnel.touchpoint_funnel(
            journeys, journey_map, options, facts
        ),
        "touchpoint_stats": lambda: stats.touchpoint_stats(journeys, journey_map, facts, pairs),
        "dropoff": lambda: dropoff.dropoff(journeys, facts=facts, outcomes=outcomes),
        "outcomes": lambda: dropoff.outcomes(journeys, outcomes, facts),
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
        "correlation": lambda: correlation.correlation(journeys, options, facts, pairs, outcomes),
    }
    try:
        return computed(metrics, step)
    finally:
        drop_temporary(counts, pairs)
