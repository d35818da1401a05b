"""Where the time of one analysis goes: each step of ``analyze()`` timed on its own.

``python -m benchmarks.profile --data DIR`` runs, in one process on the generated
``DIR/events.parquet``, the DuckDB floor query, then ``analyze(attribution=False)``, timing
each step it reports (journeys, facts, the shared tables, each metric, the summary), and prints
seconds per step and the total as a multiple of the floor. Run it on an idle machine: it
measures, it does not repeat.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

__all__ = ["profile"]


def profile(data: Path) -> dict[str, float]:
    """Seconds per step of the metrics on ``data`` (the floor query under ``floor``).

    The steps are those ``analyze()`` reports through its ``progress`` callback: each lasts
    until the next one starts (the last until ``analyze()`` returns).
    """
    import duckdb

    from benchmarks.tasks._common import bench_map, events
    from benchmarks.tasks.duckdb_floor import QUERY
    from journeymap.analysis import analyze

    start = time.perf_counter()
    duckdb.sql(QUERY.format(path=data / "events.parquet")).fetchall()
    seconds = {"floor": time.perf_counter() - start}
    print(f"{'floor':26s} {seconds['floor']:7.2f} s", flush=True)
    marks: list[tuple[str, float]] = []

    def mark(step: str) -> None:
        marks.append((step, time.perf_counter()))

    with analyze(bench_map(), events(data), attribution=False, progress=mark):
        marks.append(("", time.perf_counter()))
    for (step, began), (_next, ended) in itertools.pairwise(marks):
        seconds[step] = ended - began
        print(f"{step:26s} {seconds[step]:7.2f} s", flush=True)
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
