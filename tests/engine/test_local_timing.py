"""The timing tables counted locally are the Ibis path's tables."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pytest

from engine_events import events
from journeymap.engine import timing
from journeymap.engine._local_journeys import LocalJourneys, epoch_seconds, local_journeys
from journeymap.engine._local_timing import (
    grouped_quantile_cont,
    local_time_between_steps,
    local_time_in_phase,
    local_time_to_convert,
    local_time_to_convert_histogram,
    quantile_cont,
)
from journeymap.engine.journeys import JourneyOptions, build_journeys, journey_facts, phase_lookup
from journeymap.model import JourneyMap
from local_events import OPTIONS, journeys_of, local_map, option_id, random_events

HOUR = 3600.0


def _same(local: pa.Table, expected: pa.Table, exact: bool | set[str] = False) -> None:
    """The same schema and rows; floats equal to 1e-9 relative, to the bit where ``exact``.

    ``exact`` is True (every column) or the columns to hold to the bit.
    """
    assert local.schema == expected.schema
    assert local.num_rows == expected.num_rows
    for name in expected.column_names:
        mine, theirs = local[name].to_pylist(), expected[name].to_pylist()
        bitwise = exact is True or (isinstance(exact, set) and name in exact)
        if bitwise or not pa.types.is_floating(expected.schema.field(name).type):
            assert mine == theirs, name
        else:
            assert mine == pytest.approx(theirs, rel=1e-9, abs=1e-12), name


def _tables(
    journey_map: JourneyMap, journeys: ir.Table, local: LocalJourneys
) -> list[tuple[str, pa.Table, pa.Table]]:
    """(name, local, Ibis) per timing table, the Ibis ones as the analysis calls them."""
    facts = journey_facts(journeys, [], sequences=True, phase_of=phase_lookup(journey_map))
    order = [p.id for p in journey_map.ordered_phases()]
    return [
        (
            "time_to_convert",
            local_time_to_convert(local),
            timing.time_to_convert(journeys, facts),
        ),
        (
            "time_to_convert_histogram",
            local_time_to_convert_histogram(local),
            timing.time_to_convert_histogram(journeys, facts=facts),
        ),
        (
            "time_in_phase",
            local_time_in_phase(local, order),
            timing.time_in_phase(journeys, order),
        ),
        (
            "time_between_steps",
            local_time_between_steps(local),
            timing.time_between_steps(journeys),
        ),
    ]


# The seconds of a journey or a step are the engine's to the bit, and so are the percentiles
# and medians of them; the sums (time in phase) and means add in another order.
_EXACT: dict[str, bool | set[str]] = {
    "time_to_convert": True,
    "time_to_convert_histogram": True,
    "time_between_steps": {"median_seconds"},
}


@pytest.mark.parametrize("options", OPTIONS, ids=option_id)
@pytest.mark.parametrize("seed", [1, 2])
def test_local_timing_is_the_ibis_timing(options: JourneyOptions, seed: int) -> None:
    journey_map, journeys, local = journeys_of(seed, options)
    assert journeys.ts.type().timezone is None  # the test events' times have no zone
    for name, mine, theirs in _tables(journey_map, journeys, local):
        assert theirs.num_rows > 0, name
        _same(mine, theirs, exact=_EXACT.get(name, False))
    steps = local_time_between_steps(local).to_pylist()
    assert {row["from_touchpoint"] for row in steps} >= {None, "stray"}


@pytest.mark.parametrize("options", OPTIONS[:4], ids=option_id)
def test_local_timing_of_times_with_a_zone(options: JourneyOptions) -> None:
    zoned = random_events(3).mutate(ts=ibis._.ts.cast("timestamp('UTC')"))
    journey_map = local_map()
    journeys = build_journeys(zoned, journey_map, options)
    local = local_journeys(journeys, options)
    assert local is not None
    assert journeys.ts.type().timezone == "UTC"
    for name, mine, theirs in _tables(journey_map, journeys, local):
        _same(mine, theirs, exact=_EXACT.get(name, False))


def _hand_made() -> tuple[ir.Table, LocalJourneys]:
    """Four persons; b's conversion ends a journey; c has an event without a touchpoint."""
    rows = [
        ("a", 0, "search"),
        ("a", 1, "email"),
        ("a", 3, "demo"),
        ("a", 6, "shop", True),
        ("b", 0, "search"),
        ("b", 2, "search"),
        ("b", 10, "shop", True),
        ("b", 11, "checkout"),
        ("c", 0, "social"),
        ("c", 1, None),
        ("c", 4, "email"),
        ("d", 0, "search"),
        ("d", 5, "email"),
    ]
    options = JourneyOptions()
    journeys = build_journeys(events(rows), local_map(), options)
    local = local_journeys(journeys, options)
    assert local is not None
    return journeys, local


def test_hand_made_time_to_convert() -> None:
    journeys, local = _hand_made()
    # a converts 6 hours after its first event, b 10 hours after.
    expected = [(0.1, 23040.0), (0.25, 25200.0), (0.5, 28800.0), (0.75, 32400.0), (0.9, 34560.0)]
    for table in (local_time_to_convert(local), timing.time_to_convert(journeys)):
        assert [(r["percentile"], r["seconds"]) for r in table.to_pylist()] == expected
    # Bins an hour wide (10 hours / 10): a's 6 hours in bin 6, b's 10 in the last.
    for table in (
        local_time_to_convert_histogram(local),
        timing.time_to_convert_histogram(journeys),
    ):
        rows = table.to_pylist()
        assert [r["journeys"] for r in rows] == [0, 0, 0, 0, 0, 0, 1, 0, 0, 1]
        assert (rows[6]["bin_start_seconds"], rows[6]["bin_end_seconds"]) == (6 * HOUR, 7 * HOUR)


def test_hand_made_time_in_phase() -> None:
    journeys, local = _hand_made()
    # look (search, email): a 3 h, b's first journey 10 h, c 0 (email last), d 5 h;
    # try (social, demo): a 3 h (demo to shop), c 1 h (c's missing touchpoint has no phase);
    # buy: the last events of a, b's two journeys, 0 each.
    expected = [
        ("look", 4, 4 * HOUR, 2.25 * HOUR, 6.25 * HOUR, 4.5 * HOUR),
        ("try", 2, 2 * HOUR, 1.5 * HOUR, 2.5 * HOUR, 2 * HOUR),
        ("buy", 3, 0.0, 0.0, 0.0, 0.0),
    ]
    order = ["look", "try", "buy"]
    for table in (
        local_time_in_phase(local, order),
        timing.time_in_phase(journeys, order),
    ):
        assert [tuple(row.values()) for row in table.to_pylist()] == expected


def test_hand_made_time_between_steps() -> None:
    journeys, local = _hand_made()
    # search -> email twice (1 h for a, 5 h for d) comes first; then by from, to, None last.
    expected = [
        ("search", "email", 2, 3 * HOUR, 3 * HOUR),
        ("demo", "shop", 1, 3 * HOUR, 3 * HOUR),
        ("email", "demo", 1, 2 * HOUR, 2 * HOUR),
        ("search", "search", 1, 2 * HOUR, 2 * HOUR),
        ("search", "shop", 1, 8 * HOUR, 8 * HOUR),
        ("social", None, 1, HOUR, HOUR),
        (None, "email", 1, 3 * HOUR, 3 * HOUR),
    ]
    for table in (
        local_time_between_steps(local),
        timing.time_between_steps(journeys),
    ):
        assert [tuple(row.values()) for row in table.to_pylist()] == expected


def test_no_conversions_no_percentiles_nor_bins() -> None:
    rows = [("a", 0, "search"), ("a", 1, "email")]
    options = JourneyOptions()
    journeys = build_journeys(events(rows), local_map(), options)
    local = local_journeys(journeys, options)
    assert local is not None
    _same(local_time_to_convert(local), timing.time_to_convert(journeys), exact=True)
    assert local_time_to_convert(local)["seconds"].null_count == 5
    empty = local_time_to_convert_histogram(local)
    _same(empty, timing.time_to_convert_histogram(journeys), exact=True)
    assert empty.num_rows == 0


def _duckdb(sql: str, **tables: Any) -> list[Any]:
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    return [row[0] for row in con.sql(sql).fetchall()]


@pytest.mark.parametrize(
    "values",
    [[5.0], [2.0, 1.0], [1.0, 1.0, 1.0, 7.0], [0.1, 0.7, 0.3], [3.0] * 5 + [1e9] * 4],
    ids=["one", "two", "ties", "three", "tie-heavy"],
)
def test_quantile_cont_is_duckdbs(values: list[float]) -> None:
    rng = np.random.default_rng(len(values))
    cases = [values, list(rng.random(11) * 1e4 + 1.7e9), list(rng.integers(0, 4, 9) * 0.1)]
    quantiles = (0.1, 0.25, 0.5, 0.75, 0.9)
    for case in cases:
        data = pa.table({"x": pa.array(case, pa.float64())})
        sql = " union all ".join(
            f"select {n} n, quantile_cont(x, {q}) from data" for n, q in enumerate(quantiles)
        )
        expected = _duckdb(f"select q from ({sql}) t(n, q) order by n", data=data)
        assert quantile_cont(np.array(case), quantiles) == expected  # to the bit
    assert quantile_cont(np.array([]), quantiles) == [None] * 5


@pytest.mark.parametrize("zone", [None, "UTC"])
def test_epoch_seconds_is_duckdbs(zone: str | None) -> None:
    rng = np.random.default_rng(7)
    micros = np.concatenate(
        [rng.integers(-(2 * 10**15), 2 * 10**15, 20_000), rng.integers(-(10**7), 10**7, 2_000)]
    )
    data = pa.table({"ts": pa.array(micros, pa.timestamp("us", tz=zone))})
    expected = np.array(_duckdb("select epoch(ts) from data", data=data))
    assert np.array_equal(epoch_seconds(micros, zoned=zone is not None), expected)
    other: Callable[..., np.ndarray] = epoch_seconds
    assert not np.array_equal(other(micros, zoned=zone is None), expected)  # the type matters
    assert math.isclose(float(expected[0]), micros[0] / 1e6, rel_tol=1e-15)


def test_one_journey_in_each_phase() -> None:
    rows = [("a", 0, "search"), ("a", 1, "demo"), ("a", 3, "shop")]
    options = JourneyOptions()
    journeys = build_journeys(events(rows), local_map(), options)
    local = local_journeys(journeys, options)
    assert local is not None
    expected = [("look", 1, HOUR), ("try", 1, 2 * HOUR), ("buy", 1, 0.0)]
    table = local_time_in_phase(local, ["look", "try", "buy"])
    assert [(r["phase"], r["journeys"], r["mean_seconds"]) for r in table.to_pylist()] == expected


def test_grouped_quantiles_are_each_groups() -> None:
    rng = np.random.default_rng(11)
    values = np.concatenate(
        [
            np.zeros(3000),  # many equal gaps
            rng.exponential(5000.0, 20_000),
            np.full(500, 3600.0),
            [1e12, -2.5, -0.0, 5e-324],
        ]
    )
    groups = rng.integers(0, 40, len(values))
    groups[groups == 7] = 8  # group 7 is empty
    groups[-4:] = [3, 3, 39, 0]
    quantiles = (0.1, 0.25, 0.5, 0.75, 0.9)
    found = grouped_quantile_cont(values, groups, 41, quantiles)
    for group in range(41):
        assert found[group] == quantile_cont(values[groups == group], quantiles), group
    assert found[7] == found[40] == [None] * 5
