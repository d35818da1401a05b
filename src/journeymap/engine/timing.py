"""Timing: time to convert (percentiles and histogram), time in phase, time between steps."""

from __future__ import annotations

import math

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine._tables import records_table
from journeymap.engine.journeys import journey_facts

__all__ = [
    "PERCENTILES",
    "time_between_steps",
    "time_in_phase",
    "time_to_convert",
    "time_to_convert_histogram",
]

PERCENTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def _convert_seconds(journeys: ir.Table) -> ir.Table:
    facts = journey_facts(journeys).filter(lambda t: t.converted)
    return facts.select(
        seconds=(facts.conversion_ts.epoch_seconds() - facts.first_ts.epoch_seconds()).cast(
            "float64"
        )
    )


def time_to_convert(journeys: ir.Table) -> pa.Table:
    """Percentiles of seconds from a journey's first event to its first conversion."""
    seconds = _convert_seconds(journeys)
    result = (
        seconds.aggregate(**{f"p{int(p * 100)}": seconds.seconds.quantile(p) for p in PERCENTILES})
        .to_pyarrow()
        .to_pylist()[0]
    )
    rows = [{"percentile": p, "seconds": result[f"p{int(p * 100)}"]} for p in PERCENTILES]
    return records_table(rows, [("percentile", pa.float64()), ("seconds", pa.float64())])


def time_to_convert_histogram(journeys: ir.Table, bins: int = 10) -> pa.Table:
    """Equal-width bins from 0 to the longest time to convert; counts add up to conversions."""
    seconds = _convert_seconds(journeys)
    top = seconds.aggregate(top=seconds.seconds.max(), n=seconds.count()).to_pyarrow()
    longest = top["top"][0].as_py()
    columns = [
        ("bin_start_seconds", pa.float64()),
        ("bin_end_seconds", pa.float64()),
        ("journeys", pa.int64()),
    ]
    if longest is None:
        return records_table([], columns)
    width = max(math.ceil(longest / bins), 1) if longest > 0 else 1
    index = ibis.least((seconds.seconds / width).floor().cast("int64"), bins - 1)
    counts = seconds.mutate(b=index).group_by("b").aggregate(n=lambda t: t.count())
    found = {row["b"]: row["n"] for row in counts.to_pyarrow().to_pylist()}
    rows = [
        {
            "bin_start_seconds": float(b * width),
            "bin_end_seconds": float((b + 1) * width),
            "journeys": int(found.get(b, 0)),
        }
        for b in range(bins)
    ]
    return records_table(rows, columns)


def time_in_phase(journeys: ir.Table, phase_order: list[str]) -> pa.Table:
    """Seconds a journey spends in each phase, per phase: journeys, median, quartiles, mean.

    A visit to a phase lasts from its first event to the first event outside it (or the
    journey's last event); visits are summed per journey and phase.
    """
    ordered = ibis.window(group_by=journeys.journey_id, order_by=journeys.step)
    running = ibis.window(
        group_by=journeys.journey_id, order_by=journeys.step, preceding=None, following=0
    )
    phase = journeys.phase.fill_null("")
    table = journeys.mutate(
        _phase=phase,
        _sec=journeys.ts.epoch_seconds(),
        _new=ibis.ifelse(phase != phase.lag().over(ordered), 1, 0).fill_null(1),
    )
    table = table.mutate(_run=table._new.sum().over(running))
    runs = table.group_by(["journey_id", "_run"]).aggregate(
        phase=table._phase.first(), start=table._sec.min(), stop=table._sec.max()
    )
    following = ibis.window(group_by=runs.journey_id, order_by=runs._run)
    runs = runs.mutate(_end=ibis.coalesce(runs.start.lead().over(following), runs.stop))
    runs = runs.filter(runs.phase != "")
    per = runs.group_by(["journey_id", "phase"]).aggregate(
        seconds=(runs._end - runs.start).sum().cast("float64")
    )
    stats = per.group_by("phase").aggregate(
        journeys=per.count(),
        median_seconds=per.seconds.quantile(0.5),
        p25_seconds=per.seconds.quantile(0.25),
        p75_seconds=per.seconds.quantile(0.75),
        mean_seconds=per.seconds.mean(),
    )
    rows = stats.to_pyarrow().to_pylist()
    rank = {phase_id: i for i, phase_id in enumerate(phase_order)}
    rows.sort(key=lambda row: (rank.get(row["phase"], len(rank)), row["phase"]))
    return records_table(
        rows,
        [
            ("phase", pa.string()),
            ("journeys", pa.int64()),
            ("median_seconds", pa.float64()),
            ("p25_seconds", pa.float64()),
            ("p75_seconds", pa.float64()),
            ("mean_seconds", pa.float64()),
        ],
    )


def time_between_steps(journeys: ir.Table) -> pa.Table:
    """Seconds between consecutive events, per (from, to) touchpoint pair."""
    ordered = ibis.window(group_by=journeys.journey_id, order_by=journeys.step)
    pairs = journeys.select(
        from_touchpoint=journeys.touchpoint.lag().over(ordered),
        to_touchpoint=journeys.touchpoint,
        seconds=(
            journeys.ts.epoch_seconds() - journeys.ts.lag().over(ordered).epoch_seconds()
        ).cast("float64"),
    )
    pairs = pairs.filter(pairs.from_touchpoint.notnull())
    stats = pairs.group_by(["from_touchpoint", "to_touchpoint"]).aggregate(
        transitions=pairs.count(),
        median_seconds=pairs.seconds.quantile(0.5),
        mean_seconds=pairs.seconds.mean(),
    )
    stats = stats.order_by([stats.transitions.desc(), "from_touchpoint", "to_touchpoint"])
    return records_table(
        stats.to_pyarrow().to_pylist(),
        [
            ("from_touchpoint", pa.string()),
            ("to_touchpoint", pa.string()),
            ("transitions", pa.int64()),
            ("median_seconds", pa.float64()),
            ("mean_seconds", pa.float64()),
        ],
    )
