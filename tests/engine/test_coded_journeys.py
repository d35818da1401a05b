"""Each journey's events read as coded integers in one grouping: the window's order, no sort."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pyarrow.parquet as pq
import pytest

from engine_events import at, events
from engine_queries import queries_run
from journeymap.engine._coded_journeys import (
    BYTES_PER_EVENT,
    CODED_VALUES,
    CodedJourneys,
    coded_journeys,
)
from journeymap.engine._tables import drop_temporary
from journeymap.engine.journeys import JourneyOptions, build_journeys, materialize_journeys
from journeymap.model import JourneyMap, Phase, Touchpoint

TOUCHPOINTS = ["search", "email", "social", "shop", "ad"]


def _map(touchpoints: list[str]) -> JourneyMap:
    """Touchpoints in two phases, alternately."""
    return JourneyMap(
        id="m",
        name="M",
        phases=[Phase(id="look", name="Look", order=1), Phase(id="buy", name="Buy", order=2)],
        touchpoints=[
            Touchpoint(id=t, name=t, phases=["look" if n % 2 else "buy"])
            for n, t in enumerate(touchpoints)
        ],
    )


def _random_rows(seed: int, *, ties: bool) -> list[tuple[Any, ...]]:
    """Persons with up to 25 events; some in the same hour, some missing a touchpoint.

    With ``ties``, events of one person share a time (with different touchpoints, which the
    window orders by name). Two persons' events never share one.
    """
    rng = random.Random(seed)
    rows: list[tuple[Any, ...]] = []
    for person in range(50):
        hours = sorted(rng.sample(range(400), rng.randint(1, 25)))
        for whole_hour in hours:
            hour = whole_hour + person / 1000
            touchpoint = rng.choice([*TOUCHPOINTS, None])
            converted = rng.random() < 0.15
            value = rng.choice([None, round(rng.uniform(1, 500), 2)]) if converted else None
            account = f"a{person % 7}" if person % 3 else None
            rows.append((f"p{person}", hour, touchpoint, converted, account, None, value))
            if ties and rng.random() < 0.2:
                other = rng.choice([t for t in TOUCHPOINTS if t != touchpoint])
                rows.append((f"p{person}", hour, other, False, account, None, None))
    rng.shuffle(rows)  # the events' order in the table decides nothing
    return rows


def _window_journeys(journeys: ibis.Table) -> list[list[tuple[Any, ...]]]:
    """Each journey's (touchpoint, conversion, value) in the window's order, journeys sorted."""
    rows = journeys.select("journey_id", "step", "touchpoint", "phase", "conversion", "value")
    found: dict[str, list[tuple[int, tuple[Any, ...]]]] = {}
    for row in rows.to_pyarrow().to_pylist():
        value = row["value"] if row["conversion"] else None
        event = (row["touchpoint"], row["phase"], row["conversion"], value)
        found.setdefault(row["journey_id"], []).append((row["step"], event))
    ordered = [
        [event for _step, event in sorted(steps, key=lambda s: s[0])] for steps in found.values()
    ]
    return sorted(ordered, key=repr)


def _coded_journeys(coded: CodedJourneys) -> list[list[tuple[Any, ...]]]:
    """The same, read off the arrays (a conversion's value 0 where it had none)."""
    values = iter(coded.value.tolist())
    journeys: list[list[tuple[Any, ...]]] = []
    for code, conversion, starts in zip(
        coded.code.tolist(), coded.conversion.tolist(), coded.starts.tolist(), strict=True
    ):
        if starts:
            journeys.append([])
        value = next(values) if conversion else None
        journeys[-1].append((coded.touchpoints[code], coded.phases[code], conversion, value))
    return sorted(journeys, key=repr)


def _missing_as_zero(journeys: list[list[tuple[Any, ...]]]) -> list[list[tuple[Any, ...]]]:
    return sorted(
        [[(t, p, c, (v or 0.0) if c else None) for t, p, c, v in journey] for journey in journeys],
        key=repr,
    )


OPTIONS = [
    JourneyOptions(),
    JourneyOptions(after_conversion="continue"),
    JourneyOptions(session_gap="30h"),
    JourneyOptions(session_gap="30h", after_conversion="continue"),
    JourneyOptions(by="account"),
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: f"{o.by}-{o.after_conversion}-gap")
@pytest.mark.parametrize("seed", [1, 2])
def test_coded_events_are_the_journeys_in_the_windows_order(
    options: JourneyOptions, seed: int
) -> None:
    table = events(_random_rows(seed, ties=options.by == "person"))
    journeys = build_journeys(table, _map(TOUCHPOINTS), options)
    with queries_run() as queries:
        coded = coded_journeys(journeys)
    assert coded is not None
    assert not any("OVER" in query.upper() for query in queries)  # no window pass
    window = _window_journeys(journeys)
    assert _coded_journeys(coded) == _missing_as_zero(window)
    assert int(coded.starts.sum()) == len(window)


def test_events_with_phases_of_their_own_are_coded_by_touchpoint_and_phase() -> None:
    # Most events take the map's phase; some carry their own, so a touchpoint meets two.
    table = events(_random_rows(4, ties=True))
    own = ibis.ifelse(table.ts.hour() % 3 == 0, ibis.literal("own"), ibis.null("string"))
    with_phases = table.mutate(phase=own)
    journeys = build_journeys(with_phases, _map(TOUCHPOINTS))
    coded = coded_journeys(journeys)
    assert coded is not None
    assert "own" in coded.phases and "look" in coded.phases
    assert len(set(coded.touchpoints)) < len(coded.touchpoints)  # one touchpoint, two codes
    assert _coded_journeys(coded) == _missing_as_zero(_window_journeys(journeys))


@pytest.mark.parametrize("options", OPTIONS[:3], ids=["end", "continue", "gap"])
def test_a_stored_journeys_table_is_read_by_its_steps(options: JourneyOptions) -> None:
    table = events(_random_rows(3, ties=True))
    journeys = build_journeys(table, _map(TOUCHPOINTS), options)
    stored = materialize_journeys(journeys)
    try:
        coded = coded_journeys(stored)
        assert coded is not None
        assert _coded_journeys(coded) == _missing_as_zero(_window_journeys(journeys))
    finally:
        drop_temporary(stored)


def test_ties_broken_by_file_order_or_person_are_left_to_the_window() -> None:
    # Two events of one actor in the same microsecond: the window orders them by the events'
    # tie-break (here the row number, or the person within an account), not the touchpoint.
    rows = [("p1", 1, "social", False, "a1"), ("p1", 1, "email", False, "a1")]
    tied = events(rows).mutate(row_number=ibis.row_number().cast("int64"))
    assert coded_journeys(build_journeys(tied, _map(TOUCHPOINTS))) is None
    by_account = [("p1", 1, "social", False, "a1"), ("p2", 1, "email", True, "a1")]
    account = build_journeys(events(by_account), _map(TOUCHPOINTS), JourneyOptions(by="account"))
    assert coded_journeys(account) is None
    # Apart in time, the same events are coded.
    apart = events([("p1", 1, "social", False, "a1"), ("p1", 2, "email", False, "a1")])
    coded = coded_journeys(
        build_journeys(apart.mutate(row_number=ibis.literal(1, "int64")), _map(TOUCHPOINTS))
    )
    assert coded is not None
    assert [coded.touchpoints[c] for c in coded.code.tolist()] == ["social", "email"]


@pytest.mark.parametrize(
    "when",
    [dt.datetime(2700, 1, 1), dt.datetime(1300, 1, 1), None],
    ids=["far-future", "far-past", "missing"],
)
def test_times_out_of_range_are_left_to_the_window(when: dt.datetime | None) -> None:
    table = events([("p1", 1, "search"), ("p1", 2, "email", True)])
    odd = table.mutate(
        ts=ibis.ifelse(table.touchpoint == "email", ibis.literal(when, "timestamp"), table.ts)
    )
    assert coded_journeys(build_journeys(odd, _map(TOUCHPOINTS))) is None


def test_times_before_1970_keep_their_order() -> None:
    table = events([("p1", 0, "search"), ("p1", 1, "email"), ("p1", 2, "shop", True)])
    early = table.mutate(ts=table.ts - ibis.interval(days=365 * 80))
    coded = coded_journeys(build_journeys(early, _map(TOUCHPOINTS)))
    assert coded is not None
    assert [coded.touchpoints[c] for c in coded.code.tolist()] == ["search", "email", "shop"]
    assert coded.conversion.tolist() == [False, False, True]


def test_more_touchpoints_than_codes_are_left_to_the_window() -> None:
    # 256 codes in 8 bits: one more touchpoint has none.
    names = [f"t{n:03d}" for n in range(CODED_VALUES + 1)]
    table = events([("p1", hour, name) for hour, name in enumerate(names)])
    assert coded_journeys(build_journeys(table, _map(names))) is None
    fewer = events([("p1", hour, name) for hour, name in enumerate(names[:-1])])
    coded = coded_journeys(build_journeys(fewer, _map(names)))
    assert coded is not None
    assert len(coded.code) == CODED_VALUES
    assert coded.touchpoints[int(coded.code[-1])] == names[-2]
    assert coded.touchpoints[int(coded.code[0])] == names[0]


def test_sub_second_order_is_kept() -> None:
    half = dt.timedelta(microseconds=1)
    table = events([("p1", 1, "social"), ("p1", 1, "email")])
    later = table.mutate(ts=ibis.ifelse(table.touchpoint == "email", at(1) - half, table.ts))
    coded = coded_journeys(build_journeys(later, _map(TOUCHPOINTS)))
    assert coded is not None
    assert [coded.touchpoints[c] for c in coded.code.tolist()] == ["email", "social"]


def test_events_too_many_for_the_memory_limit_are_left_to_the_window(tmp_path: Path) -> None:
    # The arrays take about BYTES_PER_EVENT an event; past half of DuckDB's memory_limit
    # the window pass (which DuckDB can spill) orders them instead.
    con = ibis.duckdb.connect()
    rows = [(f"p{n % 500}", n // 500, TOUCHPOINTS[n % 5], n % 7 == 0) for n in range(10_000)]
    pq.write_table(events(rows).to_pyarrow(), tmp_path / "events.parquet")
    table = con.read_parquet(tmp_path / "events.parquet")
    needed = 10_000 * BYTES_PER_EVENT
    con.raw_sql(f"SET memory_limit = '{needed // 1000 + 1}KB'").fetchall()  # half too little
    assert coded_journeys(build_journeys(table, _map(TOUCHPOINTS))) is None
    con.raw_sql(f"SET memory_limit = '{4 * needed // 1000}KB'").fetchall()  # twice enough
    coded = coded_journeys(build_journeys(table, _map(TOUCHPOINTS)))
    assert coded is not None and len(coded.code) == 10_000


def test_only_the_lists_out_of_order_are_sorted() -> None:
    from journeymap.engine._coded_journeys import _sorted_within

    # Groups [5, 7], [3, 1, 2], [9], [0, 4]: the second group's first key lies below the
    # first group's last, which is no disorder; the second group is out of order.
    keys = np.array([5, 7, 3, 1, 2, 9, 0, 4], dtype=np.int64)
    groups = np.array([0, 2, 5, 6, 8])
    assert _sorted_within(keys, groups).tolist() == [5, 7, 1, 2, 3, 9, 0, 4]
    ordered = np.array([5, 7, 1, 2, 3, 9, 0, 4], dtype=np.int64)
    assert _sorted_within(ordered, groups) is ordered  # nothing to sort, no copy


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lists_out_of_order_are_sorted_like_a_full_sort(seed: int) -> None:
    from journeymap.engine._coded_journeys import _sorted_within

    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 9, size=300)
    groups = np.concatenate(([0], np.cumsum(lengths)))
    keys = rng.integers(-1000, 1000, size=int(groups[-1]))
    group_of = np.repeat(np.arange(len(lengths)), lengths)
    expected = keys[np.lexsort((keys, group_of))]
    assert _sorted_within(keys, groups).tolist() == expected.tolist()


def test_lists_in_several_chunks_are_read_as_one_array() -> None:
    import pyarrow as pa

    from journeymap.engine._actor_groups import _list_values

    first = pa.array([[1, 2], [3]], pa.list_(pa.int64()))
    second = pa.array([[9], [4, 5, 6], [7]], pa.list_(pa.int64())).slice(1)  # [4, 5, 6], [7]
    values, offsets = _list_values(pa.chunked_array([first, second]))
    assert values.tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert offsets.tolist() == [0, 2, 3, 6, 7]
    one, bounds = _list_values(pa.chunked_array([second]))
    assert (one.tolist(), bounds.tolist()) == ([4, 5, 6, 7], [0, 3, 4])
    empty, none = _list_values(pa.chunked_array([], pa.list_(pa.int64())))
    assert (empty.tolist(), none.tolist()) == ([], [0])


def test_keys_that_cannot_be_written_are_sorted_in_a_copy() -> None:
    from journeymap.engine._coded_journeys import _sorted_within

    keys = np.array([2, 1, 5, 3], dtype=np.int64)
    keys.flags.writeable = False  # as DuckDB's Arrow buffer reads
    assert _sorted_within(keys, np.array([0, 2, 4])).tolist() == [1, 2, 3, 5]
    assert keys.tolist() == [2, 1, 5, 3]
    writable = np.array([2, 1, 5, 3], dtype=np.int64)
    assert _sorted_within(writable, np.array([0, 2, 4])) is writable  # sorted in place
    assert writable.tolist() == [1, 2, 3, 5]


def test_conversions_listed_out_of_order_keep_their_values() -> None:
    # Two conversions of one person, the later first in the table: DuckDB lists them in the
    # table's order, so their values must be put in time order with them.
    rows = [
        ("p1", 30.0, "shop", True, None, None, 300.0),
        ("p1", 10.0, "shop", True, None, None, 100.0),
        ("p1", 20.0, "email", False, None, None, None),
        ("p2", 5.0, "shop", True, None, None, 50.0),
    ]
    options = JourneyOptions(after_conversion="continue")
    coded = coded_journeys(build_journeys(events(rows), _map(TOUCHPOINTS), options))
    assert coded is not None
    times = coded.micros(coded.conversion)
    assert times is not None
    pairs = zip(times.tolist(), coded.value.tolist(), strict=True)
    in_time = [value for _time, value in sorted(pairs)]
    assert in_time == [50.0, 100.0, 300.0]
