"""Render time of the demo report: map + charts of a 16-touchpoint, 5-phase map (target < 1 s).

Run: ``.venv/bin/python -m benchmarks.bench_render [runs]``. The analysis is computed once
(not timed); each run draws the map SVG, the Sankey and every Vega-Lite chart, and separately
the whole self-contained HTML report. Prints the median of the runs.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from typing import Any

import pyarrow as pa

from journeymap.analysis import analyze
from journeymap.model import JourneyMap
from journeymap.render import render_map_svg, render_report_html
from journeymap.render.charts import render_charts_svg
from journeymap.render.measured import measured_from
from journeymap.render.sankey import render_sankey_svg


def bench_map() -> JourneyMap:
    phases = [{"id": f"ph{i}", "name": f"Phase {i}", "order": i} for i in range(5)]
    personas = [
        {"id": f"pe{i}", "first_name": f"Persona {i}", "role": "user", "joins_at": f"ph{i}"}
        for i in range(5)
    ]
    touchpoints = [
        {"id": f"tp{i:02d}", "name": f"Touchpoint {i:02d}", "phases": [f"ph{i % 5}"]}
        for i in range(16)
    ]
    cells = [
        {
            "phase": f"ph{p}",
            "persona": f"pe{q}",
            "emotion": {"score": (p + q) % 5 - 2},
            "actions": [f"Action {p}.{q} described in a sentence of moderate length"],
            "pain_points": [f"Pain point {p}.{q}"],
        }
        for p in range(5)
        for q in range(5)
    ]
    return JourneyMap.model_validate(
        {
            "id": "bench",
            "name": "Render benchmark",
            "phases": phases,
            "personas": personas,
            "touchpoints": touchpoints,
            "cells": cells,
        }
    )


def bench_events(journey_map: JourneyMap, journeys: int = 2000) -> pa.Table:
    rng = random.Random(5)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    rows: list[dict[str, Any]] = []
    for index in range(journeys):
        ts = start + dt.timedelta(hours=rng.randint(0, 3000))
        for phase in journey_map.ordered_phases():
            tp = rng.choice(journey_map.touchpoints_in(phase.id))
            ts += dt.timedelta(hours=rng.randint(1, 96))
            rows.append(
                {
                    "person_id": f"p{index}",
                    "account_id": None,
                    "ts": ts,
                    "touchpoint": tp.id,
                    "phase": phase.id,
                    "persona": None,
                    "conversion": False,
                    "value": None,
                    "source": "bench",
                }
            )
            if rng.random() < 0.25:
                break
        else:
            rows[-1]["conversion"] = True
    return pa.Table.from_pylist(rows)


def main(runs: int = 7) -> None:
    journey_map = bench_map()
    analysis = analyze(journey_map, bench_events(journey_map))
    measured = measured_from(analysis)
    assert measured is not None
    names = {tp.id: tp.name for tp in journey_map.touchpoints}

    def map_and_charts() -> None:
        render_map_svg(journey_map, analysis)
        render_sankey_svg(measured.rows("sankey"), names)
        render_charts_svg(measured, names)

    def report() -> None:
        render_report_html(journey_map, analysis)

    for label, job in (("map+charts", map_and_charts), ("html report", report)):
        job()  # warm-up: first vl-convert call starts its JS engine
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            job()
            times.append(time.perf_counter() - started)
        print(f"{label}: median {statistics.median(times):.3f} s over {runs} runs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
