"""Each actor's events read in the engine's scan order where they lie together, else grouped.

Either way the coded journeys must be the window's: these tests compare both readings with
the journeys' window pass, and say which reading ran by the queries the engine saw.
"""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pytest

from engine_events import events, one_phase_map
from engine_queries import queries_run
from journeymap.engine import _actor_groups
from journeymap.engine._actor_groups import scanned
from journeymap.engine._coded_journeys import CodedJourneys, coded_journeys
from journeymap.engine.journeys import JourneyOptions, build_journeys

TOUCHPOINTS = ["search", "email", "social", "shop"]
MAP = one_phase_map(TOUCHPOINTS)

# p2 lies in the file before p1; p1's events are out of time order, its later conversion
# first; p3 has one event. Each person's events lie together.
TOGETHER = [
    ("p2", 0.5, "email"),
    ("p2", 6, "shop", True, None, None, 20.0),
    ("p1", 3, "shop", True, None, None, 300.0),
    ("p1", 1, "social"),
    ("p1", 2, "shop", True, None, None, 100.0),
    ("p1", 0, "search"),
    ("p3", 4, "search"),
]
# The same events in time order: p1 and p2 take turns.
IN_TIME = sorted(TOGETHER, key=lambda row: row[1])


def _journeys(coded: CodedJourneys) -> list[tuple[str, list[tuple[str | None, bool, float]]]]:
    """Each journey's id, and its (touchpoint, conversion, value) in order."""
    assert coded.actors is not None and coded.groups is not None
    values = iter(coded.value.tolist())
    events = [
        (coded.touchpoints[code], conversion, next(values) if conversion else 0.0)
        for code, conversion in zip(coded.code.tolist(), coded.conversion.tolist(), strict=True)
    ]
    bounds = coded.groups.tolist()
    return [
        (actor, events[start:end])
        for actor, start, end in zip(coded.actors.to_pylist(), bounds[:-1], bounds[1:], strict=True)
    ]


EXPECTED = {
    "p1": [
        ("search", False, 0.0),
        ("social", False, 0.0),
        ("shop", True, 100.0),
        ("shop", True, 300.0),
    ],
    "p2": [("email", False, 0.0), ("shop", True, 20.0)],
    "p3": [("search", False, 0.0)],
}


def _read(rows: list[tuple[Any, ...]]) -> tuple[CodedJourneys, list[str]]:
    journeys = build_journeys(events(rows), MAP, JourneyOptions(after_conversion="continue"))
    with queries_run() as queries:
        coded = coded_journeys(journeys, ids=True)
    assert coded is not None
    return coded, queries


def _grouped(queries: list[str]) -> bool:
    return any("GROUP BY" in query.upper() for query in queries)


def test_events_lying_together_are_read_as_they_lie_without_a_grouping() -> None:
    coded, queries = _read(TOGETHER)
    assert not _grouped(queries)
    found = _journeys(coded)
    assert [actor for actor, _events in found] == ["p2", "p1", "p3"]  # the file's order
    assert dict(found) == EXPECTED
    assert coded.starts.tolist() == [True, False, True, False, False, False, True]


def test_events_in_time_order_are_grouped() -> None:
    coded, queries = _read(IN_TIME)
    assert _grouped(queries)
    assert dict(_journeys(coded)) == EXPECTED


@pytest.mark.parametrize("rows", [TOGETHER, IN_TIME], ids=["together", "in-time"])
def test_the_converting_persons_alone_are_read_in_either_order(rows: list[Any]) -> None:
    # p3 never converts. Read as they lie, every person is read and p3 left out locally; a
    # join with the converting persons would hand the events over in no set order.
    journeys = build_journeys(events(rows), MAP, JourneyOptions(after_conversion="continue"))
    with queries_run() as queries:
        coded = coded_journeys(journeys, converting_only=True, ids=True)
    assert coded is not None
    assert _grouped(queries) == (rows is IN_TIME)
    found = _journeys(coded)
    if rows is TOGETHER:
        assert [actor for actor, _events in found] == ["p2", "p1"]
    assert dict(found) == {"p1": EXPECTED["p1"], "p2": EXPECTED["p2"]}
    assert int(coded.starts.sum()) == 2  # one journey each: they continue after converting


@pytest.mark.parametrize("rows", [1, 2, 3, 5])
def test_a_person_across_batches_is_one_journey(monkeypatch: Any, rows: int) -> None:
    monkeypatch.setattr(_actor_groups, "_BATCH_ROWS", rows)
    coded, queries = _read(TOGETHER)
    assert not _grouped(queries)
    assert [actor for actor, _events in _journeys(coded)] == ["p2", "p1", "p3"]
    assert dict(_journeys(coded)) == EXPECTED


def test_a_person_back_in_a_later_batch_is_grouped(monkeypatch: Any) -> None:
    # Each batch of two rows holds two persons once, but p1 comes back in the third.
    monkeypatch.setattr(_actor_groups, "_BATCH_ROWS", 2)
    rows = [("p1", 0, "search"), ("p2", 1, "email"), ("p3", 2, "shop"), ("p4", 3, "shop")]
    rows += [("p1", 4, "shop", True, None, None, 9.0)]
    coded, queries = _read(rows)
    assert _grouped(queries)
    found = dict(_journeys(coded))
    assert found["p1"] == [("search", False, 0.0), ("shop", True, 9.0)]
    assert len(found) == 4


def test_a_person_back_among_persons_out_of_order_is_grouped(monkeypatch: Any) -> None:
    # The first batch's persons are out of order, so each is kept and the repeat is found
    # once every batch is read.
    monkeypatch.setattr(_actor_groups, "_BATCH_ROWS", 2)
    rows = [("p2", 0, "search"), ("p1", 1, "email"), ("p3", 2, "shop")]
    rows += [("p2", 4, "shop", True, None, None, 9.0)]
    coded, queries = _read(rows)
    assert _grouped(queries)
    assert dict(_journeys(coded))["p2"] == [("search", False, 0.0), ("shop", True, 9.0)]


def test_a_missing_actor_leaves_the_rows_to_the_grouping() -> None:
    rows = ibis.memtable(
        {"_g": ["a", None, None], "_k": [1, 2, 3], "_c": [False, True, False], "_v": [0.0, 5.0, 0]}
    )
    assert scanned(rows, ids=False) is None
    together = rows.mutate(_g=rows._g.fill_null("b"))
    found = scanned(together, ids=True)
    assert found is not None
    assert found.groups.tolist() == [0, 1, 3]
    assert found.actors is not None and found.actors.to_pylist() == ["a", "b"]
    assert (found.converted_keys.tolist(), found.values.tolist()) == ([2], [5.0])
    assert found.conversion_groups().tolist() == [1]


def test_no_rows_are_no_groups() -> None:
    rows = ibis.memtable({"_g": ["a"], "_k": [1], "_c": [False], "_v": [0.0]}).filter(
        ibis.literal(False)
    )
    found = scanned(rows, ids=False)
    assert found is not None
    assert (found.keys.tolist(), found.groups.tolist()) == ([], [0])
    assert np.asarray(found.values).dtype == np.float64
