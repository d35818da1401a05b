"""Shared plumbing of the task scripts: arguments, the benchmark map, the answer file."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["bench_map", "credits_by_model", "events", "journeys", "main", "markov_answer", "paths"]

PHASES = ("awareness", "consideration", "decision")


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
    """The generated events as an Ibis table on an in-memory DuckDB.

    The ``workspace.memory_limit`` setting (``JOURNEYMAP_WORKSPACE_MEMORY_LIMIT``) caps
    DuckDB's memory here as it does in a workspace.
    """
    import ibis

    from journeymap.ingest.workspace import duckdb_config

    con = ibis.duckdb.connect(**duckdb_config())
    return con.read_parquet(str(data / "events.parquet"), table_name="events")


def journeys(data: Path) -> tuple[Any, Any, Any]:
    """``(journey_map, options, journeys)``: the default journeys of the generated events."""
    from journeymap.engine.journeys import JourneyOptions, build_journeys

    journey_map, options = bench_map(), JourneyOptions()
    return journey_map, options, build_journeys(events(data), journey_map, options)


def paths(data: Path) -> Any:
    """The generated path-string file (the peers' input) read by ``from_paths``."""
    import ibis

    from journeymap.attribution import from_paths
    from journeymap.ingest.workspace import duckdb_config

    con = ibis.duckdb.connect(**duckdb_config())
    return from_paths(con.read_csv(str(data / "paths.csv")), bench_map())


def credits_by_model(table: Any) -> dict[str, Any]:
    """``{"credits": {model: {key: conversions}}}`` from ``compare_models``' long table."""
    credits: dict[str, dict[str, float]] = {}
    for row in table.to_pylist():
        credits.setdefault(row["model"], {})[row["key"]] = row["conversions"]
    return {"credits": credits}


def markov_answer(result: Any) -> dict[str, Any]:
    """Removal effects and conversions per key of a Markov ``AttributionResult``."""
    rows = result.table.to_pylist()
    return {
        "removal_effects": {row["key"]: row.get("removal_effect") for row in rows},
        "conversions": {row["key"]: row["conversions"] for row in rows},
    }


# What every journeymap task imports before its clock starts.
JOURNEYMAP = (
    "journeymap",
    "journeymap.analysis",
    "journeymap.attribution",
    # The package loads its models on first use: imports, not work (0.05 s at stop 26).
    "journeymap.attribution.api",
    "journeymap.ingest",
    # The map's YAML reader, loaded with the first map.
    "ruamel.yaml",
    "benchmarks.generate",
    "ibis.backends.duckdb",
    # ibis imports it (and pandas with it) at the first query's result, not at connect.
    "ibis.backends.duckdb.converter",
    # ibis loads it to hand DuckDB its first in-memory table (0.2 s from a cold cache).
    "pyarrow.dataset",
)


def main(run: Callable[[Path], dict[str, Any]], modules: tuple[str, ...] = JOURNEYMAP) -> None:
    """Parse ``--data DIR --out FILE``, run the task, write its answer as JSON.

    ``modules`` are imported first, so ``compute_seconds`` in the answer times the work alone:
    from reading the input to the answer, without the interpreter's start and the imports
    (the harness times the whole process as well).
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    try:
        for module in modules:
            importlib.import_module(module)
        started = time.perf_counter()
        result = run(args.data)
        answer: dict[str, Any] = {
            "status": "ok",
            "result": result,
            "compute_seconds": time.perf_counter() - started,
        }
    except ImportError as exc:  # a peer that is not installed
        answer = {"status": "not available", "reason": str(exc)}
    args.out.write_text(json.dumps(answer, default=str), encoding="utf-8")
    sys.exit(0)
