"""Shared plumbing of the task scripts: arguments, the benchmark map, the answer file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["bench_map", "events", "main", "not_available"]

PHASES = ("awareness", "consideration", "decision")


class NotAvailable(Exception):
    """The API or peer a task needs is missing; the task reports ``not available``."""


def not_available(reason: str) -> NotAvailable:
    """An exception that makes the task report ``not available`` with ``reason``."""
    return NotAvailable(reason)


def bench_map() -> Any:
    """The journey map of the generated data: the 15 channels over three phases."""
    from benchmarks.generate import CHANNELS
    from journeymap.mapfile import loads_map

    lines = ["id: bench", "name: Benchmark", "phases:"]
    lines += [f"  - {{id: {phase}, name: {phase.title()}}}" for phase in PHASES]
    lines.append("touchpoints:")
    for index, channel in enumerate(CHANNELS):
        phase = PHASES[min(index // 5, 2)] if channel != "checkout" else "decision"
        lines.append(f"  - {{id: {channel}, name: {channel}, phases: [{phase}]}}")
    return loads_map("\n".join(lines) + "\n")


def events(data: Path) -> Any:
    """The generated events as an Ibis table on an in-memory DuckDB."""
    import ibis

    con = ibis.duckdb.connect()
    return con.read_parquet(str(data / "events.parquet"), table_name="events")


def main(run: Callable[[Path], dict[str, Any]]) -> None:
    """Parse ``--data DIR --out FILE``, run the task, write its answer as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    try:
        answer: dict[str, Any] = {"status": "ok", "result": run(args.data)}
    except (NotAvailable, ImportError) as exc:
        answer = {"status": "not available", "reason": str(exc)}
    args.out.write_text(json.dumps(answer, default=str), encoding="utf-8")
    sys.exit(0)
