"""Where the time of one analysis goes: each step of ``analyze()`` timed on its own.

``python -m benchmarks.profile --data DIR`` runs, in one process on the generated
``DIR/events.parquet``, the DuckDB floor query, then the steps ``analyze(attribution=False)``
takes (journeys, facts, distinct paths, each metric) with the same shared tables, and prints
seconds per step and the total as a multiple of the floor. Run it on an idle machine: it
measures, it does not repeat.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["profile"]


def profile(data: Path) -> dict[str, float]:
    """Seconds per step of the metrics on ``data`` (the floor query under ``floor``)."""
    import duckdb

    from benchmarks.tasks._common import bench_map, events
    from benchmarks.tasks.duckdb_floor import QUERY
    from journeymap.analysis.run import quiet_driver
    from journeymap.engine import correlation, dropoff, funnel, paths, stats, timing, variants
    from journeymap.engine._tables import materialize
    from journeymap.engine.journeys import (
        JourneyOptions,
        build_journeys,
        journey_facts,
        phase_lookup,
        touch_pairs,
    )

    seconds: dict[str, float] = {}

    def timed(name: str, step: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = step()
        seconds[name] = time.perf_counter() - start
        print(f"{name:26s} {seconds[name]:7.2f} s", flush=True)
        return result

    timed("floor", lambda: duckdb.sql(QUERY.format(path=data / "events.parquet")).fetchall())
    journey_map, options = bench_map(), JourneyOptions()
    phases = [p.id for p in journey_map.ordered_phases()]
    with quiet_driver():
        source = events(data)
        j = timed("journeys", lambda: materialize(build_journeys(source, journey_map, options)))
        lookup = phase_lookup(journey_map)
        f = timed(
            "facts",
            lambda: materialize(journey_facts(j, [], sequences=True, phase_of=lookup)),
        )
        c = timed("path_counts", lambda: materialize(paths.path_counts(j, True, f)))
        p = timed("touch_pairs", lambda: materialize(touch_pairs(j, f)))
        steps: dict[str, Callable[[], Any]] = {
            "phase_funnel": lambda: funnel.phase_funnel(j, journey_map, options, f),
            "touchpoint_funnel": lambda: funnel.touchpoint_funnel(j, journey_map, options, f),
            "touchpoint_stats": lambda: stats.touchpoint_stats(j, journey_map, f, p),
            "dropoff": lambda: dropoff.dropoff(j, facts=f),
            "checkout_abandonment": lambda: dropoff.checkout_abandonment(
                j, journey_map, options, f, p
            ),
            "time_to_convert": lambda: timing.time_to_convert(j, f),
            "time_to_convert_histogram": lambda: timing.time_to_convert_histogram(j, facts=f),
            "time_in_phase": lambda: timing.time_in_phase(j, phases),
            "time_between_steps": lambda: timing.time_between_steps(j),
            "paths": lambda: paths.paths(j, options, c),
            "sankey": lambda: paths.sankey(j, options, counts=c),
            "variants": lambda: variants.variants(j, options.top_variants, f),
            "correlation": lambda: correlation.correlation(j, options, f, p),
        }
        for name, step in steps.items():
            timed(name, step)
    total = sum(v for k, v in seconds.items() if k != "floor")
    print(f"{'all metrics':26s} {total:7.2f} s = {total / seconds['floor']:.1f}x the floor query")
    return seconds


def main() -> None:
    """Parse ``--data DIR`` and print the profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="a benchmarks.generate folder")
    profile(parser.parse_args().data)


if __name__ == "__main__":
    main()
