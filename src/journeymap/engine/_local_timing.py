"""The timing tables counted off the journeys' arrays: the twins of :mod:`~.timing`.

Each function returns the table its Ibis twin returns for the same journeys; the tables are
built by the twins' own helpers (:func:`~.timing.percentiles_table` and the like).

The seconds are those of the engine. Ibis reads a time's seconds with DuckDB's ``epoch``
(:func:`~journeymap.engine._tables.seconds`), which rounds them differently by the column's
type: a time without a zone is ``micros / 1e6``, one with a zone (what the import writes) is
``millis / 1e3 + micros_left / 1e6``. :meth:`LocalJourneys.seconds` does the same (the
journeys know their times' type), so each journey's or step's seconds are the engine's to
the bit, and so are the bins they fall in and the percentiles (:func:`quantile_cont`:
DuckDB's ``quantile_cont``, which Ibis writes for ``quantile``). Only sums and means add the
seconds in another order than the engine's threads do: they agree to the last bits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pyarrow as pa

from journeymap.engine._local_journeys import LocalJourneys
from journeymap.engine.timing import (
    PERCENTILES,
    bin_width,
    histogram_table,
    percentiles_table,
    phases_table,
    steps_table,
)

__all__ = [
    "grouped_quantile_cont",
    "local_time_between_steps",
    "local_time_in_phase",
    "local_time_to_convert",
    "local_time_to_convert_histogram",
    "quantile_cont",
]


def quantile_cont(values: np.ndarray, quantiles: Sequence[float]) -> list[float | None]:
    """DuckDB's ``quantile_cont`` of ``values`` at each of ``quantiles`` (None if empty).

    The sorted values at ``(n - 1) * q``, interpolated between the two around it as DuckDB
    does it, to the bit: ``lo * (1 - d) + hi * d`` with the product ``hi * d`` rounded and
    the rest rounded once (a fused multiply-add), which neither NumPy's ``linear`` method
    nor ``lo + (hi - lo) * d`` matches in the last bit. Only the values at the ranks read
    are put in place (a partition, no sort).
    """
    if not len(values):
        return [None] * len(quantiles)
    read = _ranks(len(values), quantiles)
    placed = np.partition(values, read)
    return _interpolated(len(values), quantiles, {rank: float(placed[rank]) for rank in read})


def _ranks(n: int, quantiles: Sequence[float]) -> list[int]:
    """The ranks (from 0) of the sorted values that the quantiles of ``n`` values read."""
    return sorted({i for q in quantiles for i in (math.floor((n - 1) * q), math.ceil((n - 1) * q))})


def _interpolated(n: int, quantiles: Sequence[float], at: dict[int, float]) -> list[float | None]:
    """The quantiles of ``n`` values, ``at`` holding the values of the ranks read."""
    found: list[float | None] = []
    for q in quantiles:
        rn = (n - 1) * q
        low, high = math.floor(rn), math.ceil(rn)
        lo, hi, d = at[low], at[high], rn - low
        found.append(
            lo if low == high else float(Fraction(lo) * Fraction(1 - d) + Fraction(hi * d))
        )
    return found


def grouped_quantile_cont(
    values: np.ndarray, groups: np.ndarray, size: int, quantiles: Sequence[float]
) -> list[list[float | None]]:
    """:func:`quantile_cont` of each group's values, for groups ``0`` to ``size - 1``.

    Without grouping (sorting) every value: each falls in one of a few thousand buckets by
    the order of its bits; counted per group and bucket, the buckets that hold the ranks
    read tell which few values to group and partition.
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    counts = np.bincount(groups, minlength=size)
    buckets = max(16, min(4096, (1 << 22) // max(size, 1)))
    bits = values.view(np.uint64)
    order = bits | np.uint64(1 << 63)  # floats' order, unsigned (in place from here)
    negative = np.flatnonzero(values < 0)
    order[negative] = ~bits[negative]
    low = order.min() if len(order) else np.uint64(0)
    span = int(order.max() - low) if len(order) else 0
    shift = np.uint64(max(0, span.bit_length() - buckets.bit_length() + 1))
    order -= low
    order >>= shift
    cell = order.view(np.int64)  # below ``buckets`` now
    cell += np.multiply(groups, buckets, dtype=np.int64)
    before = np.cumsum(np.bincount(cell, minlength=size * buckets).reshape(size, buckets), 1)
    wanted: dict[int, list[tuple[int, int]]] = {}  # cell: (rank in group, rank in cell)
    for group in np.flatnonzero(counts).tolist():
        for rank in _ranks(int(counts[group]), quantiles):
            bucket = int(np.searchsorted(before[group], rank, side="right"))
            start = int(before[group, bucket - 1]) if bucket else 0
            wanted.setdefault(group * buckets + bucket, []).append((rank, rank - start))
    chosen = np.zeros(size * buckets, dtype=bool)
    chosen[list(wanted)] = True
    kept = chosen[cell]
    cells, few = cell[kept], values[kept]
    by_cell = np.argsort(cells, kind="stable")
    cells, few = cells[by_cell], few[by_cell]
    at: list[dict[int, float]] = [{} for _ in range(size)]
    for found, ranks in wanted.items():
        first, end = np.searchsorted(cells, [found, found + 1]).tolist()
        placed = np.partition(few[first:end], sorted({inside for _, inside in ranks}))
        at[found // buckets].update({rank: float(placed[inside]) for rank, inside in ranks})
    return [
        _interpolated(int(n), quantiles, at[group]) if n else [None] * len(quantiles)
        for group, n in enumerate(counts.tolist())
    ]


def _convert_seconds(local: LocalJourneys) -> np.ndarray:
    """Each converted journey's seconds from its first event to its first conversion."""
    converted = local.converted
    first = local.seconds_of(local.first_micros[converted])
    seconds: np.ndarray = local.seconds_of(local.conversion_micros[converted]) - first
    return seconds


def local_time_to_convert(local: LocalJourneys) -> pa.Table:
    """:func:`~journeymap.engine.timing.time_to_convert` of the journeys ``local`` holds.

    Args:
        local: The journeys.
    """
    return percentiles_table(quantile_cont(_convert_seconds(local), PERCENTILES))


def local_time_to_convert_histogram(local: LocalJourneys, bins: int = 10) -> pa.Table:
    """:func:`~journeymap.engine.timing.time_to_convert_histogram` of ``local``'s journeys.

    Args:
        local: The journeys.
        bins: How many bins.
    """
    seconds = _convert_seconds(local)
    if not len(seconds):
        return histogram_table({}, None, bins)
    width = bin_width(float(seconds.max()), bins)
    index = np.minimum(np.floor(seconds / width).astype(np.int64), bins - 1)
    counts = np.bincount(index, minlength=bins)
    return histogram_table({b: int(n) for b, n in enumerate(counts) if n}, width, bins)


def _until_next(local: LocalJourneys) -> np.ndarray:
    """Each event's seconds until the next event of its journey; 0 for a journey's last."""
    epoch = local.seconds()
    until: np.ndarray = np.empty_like(epoch)
    np.subtract(epoch[1:], epoch[:-1], out=until[:-1])
    until[local.offsets[1:] - 1] = 0.0
    return until


def local_time_in_phase(local: LocalJourneys, phase_order: Sequence[str]) -> pa.Table:
    """:func:`~journeymap.engine.timing.time_in_phase` of the journeys ``local`` holds.

    As there: each event with a phase is credited its seconds until the journey's next
    event (none for the journey's last), summed per journey and phase; per phase, the
    journeys in it and the median, quartiles and mean of their sums.

    The sums are counted per journey and phase in a journey-by-phase matrix; where that
    would take more cells than there are events, for a block of phases at a time.

    Args:
        local: The journeys.
        phase_order: The map's phase ids in order (the rows' order).
    """
    names = local.phase_names
    rows = []
    if local.events:
        until = _until_next(local)
        block = max(1, min(len(names), local.events // local.journeys))
        cells = local.journeys * block
        for first in range(0, len(names), block):
            inside = local.phase - first if first else local.phase
            key = np.multiply(local.journey_of, block, dtype=np.int64)
            key += inside
            if block < len(names):  # the phases of other blocks: a cell left aside
                key[(inside < 0) | (inside >= block)] = cells
            counts = np.bincount(key, minlength=cells + 1)[:cells].reshape(-1, block)
            sums = np.bincount(key, weights=until, minlength=cells + 1)[:cells].reshape(-1, block)
            for column, name in enumerate(names[first : first + block]):
                present = counts[:, column] > 0
                if name is not None and present.any():
                    rows.append(_phase_row(name, sums[:, column][present]))
    return phases_table(rows, phase_order)


def _phase_row(phase: str | None, per: np.ndarray) -> dict[str, Any]:
    """The ``time_in_phase`` row of a phase, of each of its journeys' seconds in it."""
    p25, median, p75 = quantile_cont(per, (0.25, 0.5, 0.75))
    return {
        "phase": phase,
        "journeys": len(per),
        "median_seconds": median,
        "p25_seconds": p25,
        "p75_seconds": p75,
        "mean_seconds": float(per.sum() / len(per)),
    }


def local_time_between_steps(local: LocalJourneys) -> pa.Table:
    """:func:`~journeymap.engine.timing.time_between_steps` of the journeys ``local`` holds.

    Each event after its journey's first is a transition from the event before (either
    touchpoint may be missing, a pair of its own); per pair, the transitions and the median
    and mean of their seconds.

    Args:
        local: The journeys.
    """
    names = local.touchpoint_names
    size = len(names)
    within = np.ones(max(local.events - 1, 0), dtype=bool)  # event i + 1 is of i's journey
    within[local.offsets[1:-1] - 1] = False
    seconds = _until_next(local)[:-1][within]
    if not len(seconds):
        return steps_table([])
    pairs = size * size
    small = np.dtype(np.uint8 if pairs <= 1 << 8 else np.uint16 if pairs <= 1 << 16 else np.int64)
    touchpoint: np.ndarray = local.touchpoint.astype(small)
    pair = (touchpoint[:-1] * size + touchpoint[1:])[within]  # in the small type (NEP 50)
    counts = np.bincount(pair, minlength=pairs)
    sums = np.bincount(pair, weights=seconds, minlength=pairs)
    medians = grouped_quantile_cont(seconds, pair, pairs, (0.5,))
    rows = [
        {
            "from_touchpoint": names[found // size],
            "to_touchpoint": names[found % size],
            "transitions": int(counts[found]),
            "median_seconds": medians[found][0],
            "mean_seconds": float(sums[found] / counts[found]),
        }
        for found in np.flatnonzero(counts).tolist()
    ]
    return steps_table(rows)
