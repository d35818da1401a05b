"""Timing: time to convert (percentiles and histogram), time in phase, time between steps."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine._tables import nulls_last, records_table, seconds
from journeymap.engine.journeys import journey_facts

__all__ = [
    "PERCENTILES",
    "time_between_steps",
    "time_in_phase",
    "time_to_convert",
    "time_to_convert_histogram",
]

PERCENTILES = (0.1, 0.25, 0.5, 0.75, 0.9)

_HISTOGRAM_COLUMNS = [
    ("bin_start_seconds", pa.float64()),
    ("bin_end_seconds", pa.float64()),
    ("journeys", pa.int64()),
]
_PHASE_COLUMNS = [
    ("phase", pa.string()),
    ("journeys", pa.int64()),
    ("median_seconds", pa.float64()),
    ("p25_seconds", pa.float64()),
    ("p75_seconds", pa.float64()),
    ("mean_seconds", pa.float64()),
]
_STEP_COLUMNS = [
    ("from_touchpoint", pa.string()),
    ("to_touchpoint", pa.string()),
    ("transitions", pa.int64()),
    ("median_seconds", pa.float64()),
    ("mean_seconds", pa.float64()),
]


def _convert_seconds(journeys: ir.Table, facts: ir.Table | None) -> ir.Table:
    if facts is None:
        facts = journey_facts(journeys)
    facts = facts.filter(facts.converted)
    return facts.select(
        seconds=(seconds(facts.conversion_ts) - seconds(facts.first_ts)).cast(dt.float64)
    )


def time_to_convert(journeys: ir.Table, facts: ir.Table | None = None) -> pa.Table:
    """Percentiles of seconds from a journey's first event to its first conversion."""
    seconds = _convert_seconds(journeys, facts)
    result = (
        seconds.aggregate(**{f"p{int(p * 100)}": seconds.seconds.quantile(p) for p in PERCENTILES})
        .to_pyarrow()
        .to_pylist()[0]
    )
    return percentiles_table([result[f"p{int(p * 100)}"] for p in PERCENTILES])


def percentiles_table(seconds: Sequence[float | None]) -> pa.Table:
    """The ``time_to_convert`` table of the seconds at each of :data:`PERCENTILES`, in order.

    Both the Ibis path and :mod:`journeymap.engine._local_timing` build the table here.
    """
    rows = [{"percentile": p, "seconds": s} for p, s in zip(PERCENTILES, seconds, strict=True)]
    return records_table(rows, [("percentile", pa.float64()), ("seconds", pa.float64())])


def time_to_convert_histogram(
    journeys: ir.Table, bins: int = 10, facts: ir.Table | None = None
) -> pa.Table:
    """Equal-width bins from 0 to the longest time to convert; counts add up to conversions."""
    seconds = _convert_seconds(journeys, facts)
    top = seconds.aggregate(top=seconds.seconds.max(), n=seconds.count()).to_pyarrow()
    longest = top["top"][0].as_py()
    if longest is None:
        return histogram_table({}, None, bins)
    width = bin_width(longest, bins)
    index = ibis.least((seconds.seconds / width).floor().cast(dt.int64), bins - 1)
    counts = seconds.mutate(b=index).group_by("b").aggregate(n=lambda t: t.count())
    found = {row["b"]: row["n"] for row in counts.to_pyarrow().to_pylist()}
    return histogram_table(found, width, bins)


def bin_width(longest: float, bins: int) -> int:
    """The width of each of ``bins`` bins (whole seconds, at least 1) up to ``longest``."""
    return max(math.ceil(longest / bins), 1) if longest > 0 else 1


def histogram_table(found: Mapping[int, int], width: int | None, bins: int) -> pa.Table:
    """The ``time_to_convert_histogram`` table of the journeys ``found`` per bin number.

    Args:
        found: The journeys per bin number (bins without any may be left out).
        width: Each bin's width (:func:`bin_width`); None where nothing converted (no rows).
        bins: How many bins.
    """
    if width is None:
        return records_table([], _HISTOGRAM_COLUMNS)
    rows = [
        {
            "bin_start_seconds": float(b * width),
            "bin_end_seconds": float((b + 1) * width),
            "journeys": int(found.get(b, 0)),
        }
        for b in range(bins)
    ]
    return records_table(rows, _HISTOGRAM_COLUMNS)


def time_in_phase(journeys: ir.Table, phase_order: list[str]) -> pa.Table:
    """Seconds a journey spends in each phase, per phase: journeys, median, quartiles, mean.

    A visit to a phase lasts from its first event to the first event outside it (or the
    journey's last event); visits are summed per journey and phase. Summed per event, that is
    each event's time until the journey's next event (``next_ts``), credited to its phase.
    """
    phased = journeys.filter(journeys.phase.notnull())
    until_next = seconds(phased.next_ts) - seconds(phased.ts)
    per = phased.group_by(["journey_id", "phase"]).aggregate(
        seconds=until_next.fill_null(0).sum().cast(dt.float64)
    )
    stats = per.group_by("phase").aggregate(
        journeys=per.count(),
        median_seconds=per.seconds.quantile(0.5),
        p25_seconds=per.seconds.quantile(0.25),
        p75_seconds=per.seconds.quantile(0.75),
        mean_seconds=per.seconds.mean(),
    )
    return phases_table(stats.to_pyarrow().to_pylist(), phase_order)


def phases_table(rows: Iterable[Mapping[str, Any]], phase_order: Sequence[str]) -> pa.Table:
    """The ``time_in_phase`` table of one row per phase, the phases in ``phase_order``.

    Phases not in ``phase_order`` come after, by name. Both the Ibis path and
    :mod:`journeymap.engine._local_timing` build the table here.
    """
    rank = {phase_id: i for i, phase_id in enumerate(phase_order)}
    ordered = sorted(rows, key=lambda row: (rank.get(row["phase"], len(rank)), row["phase"]))
    return records_table(ordered, _PHASE_COLUMNS)


def time_between_steps(journeys: ir.Table) -> pa.Table:
    """Seconds between consecutive events, per (from, to) touchpoint pair."""
    steps = journeys.filter(journeys.previous_ts.notnull())
    pairs = steps.select(
        from_touchpoint=steps.previous_touchpoint,
        to_touchpoint=steps.touchpoint,
        seconds=(seconds(steps.ts) - seconds(steps.previous_ts)).cast(dt.float64),
    )
    stats = pairs.group_by(["from_touchpoint", "to_touchpoint"]).aggregate(
        transitions=pairs.count(),
        median_seconds=pairs.seconds.quantile(0.5),
        mean_seconds=pairs.seconds.mean(),
    )
    return steps_table(stats.to_pyarrow().to_pylist())


def steps_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """The ``time_between_steps`` table of one row per (from, to) touchpoint pair.

    Rows by ``transitions`` desc, then by ``from_touchpoint`` and ``to_touchpoint`` (a
    missing one last, as the engine orders them). Both the Ibis path and
    :mod:`journeymap.engine._local_timing` build the table here.
    """

    def order(row: Mapping[str, Any]) -> tuple[Any, ...]:
        pair = (row["from_touchpoint"], row["to_touchpoint"])
        return (-row["transitions"], *(nulls_last(t) for t in pair))

    ordered = sorted(rows, key=order)
    return records_table(ordered, _STEP_COLUMNS)
