"""Stored journeys equal the lazy ones: steps renumbered after a conversion, ties, accounts."""

from __future__ import annotations

import ibis
import pytest

from engine_events import events
from engine_queries import queries_run
from journeymap.engine._tables import drop_temporary, is_temporary, materialize
from journeymap.engine.journeys import (
    NEIGHBOUR_COLUMNS,
    JourneyOptions,
    build_journeys,
    ends_at_conversions,
    materialize_journeys,
    unnumbered,
)
from journeymap.model import JourneyMap

# p1 converts twice and goes on: three journeys, the later two numbered from 1 again; p2
# converts at its last event; p3 never converts; p4 has two touches at the same moment.
REPEATS = [
    ("p1", 0, "ad"),
    ("p1", 1, "mail"),
    ("p1", 2, "buy", True, "acme"),
    ("p1", 3, "ad"),
    ("p1", 4, "buy", True, "acme"),
    ("p1", 5, "mail"),
    ("p1", 6, "ad"),
    ("p2", 0, "mail", False, "acme"),
    ("p2", 1, "buy", True, "acme"),
    ("p3", 0, "ad"),
    ("p3", 2, "mail"),
    ("p4", 1, "mail"),
    ("p4", 1, "ad"),
    ("p4", 3, "buy", True),
]


def _rows(table: ibis.Table) -> list[dict[str, object]]:
    return table.order_by(["journey_id", "step"]).to_pyarrow().to_pylist()


@pytest.mark.parametrize(
    "options",
    [
        JourneyOptions(),
        JourneyOptions(by="account"),
        JourneyOptions(after_conversion="continue"),
        JourneyOptions(session_gap="90m"),
    ],
    ids=["person", "account", "continue", "session gap"],
)
def test_stored_journeys_equal_the_lazy_ones(shop_map: JourneyMap, options: JourneyOptions) -> None:
    journeys = build_journeys(events(REPEATS), shop_map, options)
    stored = materialize_journeys(journeys)
    try:
        assert is_temporary(stored)
        assert stored.columns == journeys.columns
        assert _rows(stored) == _rows(journeys)
    finally:
        drop_temporary(stored)


def test_later_journeys_are_numbered_from_one(shop_map: JourneyMap) -> None:
    stored = materialize_journeys(build_journeys(events(REPEATS), shop_map, JourneyOptions()))
    try:
        steps = [(r["journey_id"], r["step"], r["touchpoint"]) for r in _rows(stored)]
    finally:
        drop_temporary(stored)
    assert [s for s in steps if s[0].startswith("p1")] == [
        ("p1#0", 1, "ad"),
        ("p1#0", 2, "mail"),
        ("p1#0", 3, "buy"),
        ("p1#1", 1, "ad"),
        ("p1#1", 2, "buy"),
        ("p1#2", 1, "mail"),
        ("p1#2", 2, "ad"),
    ]


@pytest.mark.parametrize("repeats", [True, False], ids=["later journeys", "one journey each"])
def test_chosen_columns_are_stored_alone(shop_map: JourneyMap, repeats: bool) -> None:
    rows = REPEATS if repeats else [r for r in REPEATS if r[0] != "p1"]
    journeys = build_journeys(events(rows), shop_map, JourneyOptions())
    columns = ["person_id", "touchpoint", "step"]
    stored = materialize_journeys(journeys, columns)
    try:
        assert list(stored.columns) == columns
        found = stored.order_by(["person_id", "step", "touchpoint"]).to_pyarrow().to_pylist()
    finally:
        drop_temporary(stored)
    expected = journeys.select(*columns).order_by(["person_id", "step", "touchpoint"])
    assert found == expected.to_pyarrow().to_pylist()


def test_unnumbered_journeys_keep_each_journeys_order(shop_map: JourneyMap) -> None:
    journeys = build_journeys(events(REPEATS), shop_map, JourneyOptions())
    lean = unnumbered(journeys, neighbours=False)
    assert not set(NEIGHBOUR_COLUMNS) & set(lean.columns)
    assert set(unnumbered(journeys).columns) == set(journeys.columns)
    found = [(r["journey_id"], r["step"], r["touchpoint"]) for r in _rows(lean)]
    # p1's later journeys go on counting its events; every journey keeps its order.
    assert [s for s in found if s[0].startswith("p1")] == [
        ("p1#0", 1, "ad"),
        ("p1#0", 2, "mail"),
        ("p1#0", 3, "buy"),
        ("p1#1", 4, "ad"),
        ("p1#1", 5, "buy"),
        ("p1#2", 6, "mail"),
        ("p1#2", 7, "ad"),
    ]
    ordered = [(j, t) for j, _, t in found]
    assert ordered == [(r["journey_id"], r["touchpoint"]) for r in _rows(journeys)]
    stored = materialize_journeys(journeys)
    try:
        assert unnumbered(stored) is stored  # a stored table is as it is
    finally:
        drop_temporary(stored)


@pytest.mark.parametrize("after_conversion", ["end", "continue"])
@pytest.mark.parametrize("store", ["materialize_journeys", "materialize"])
def test_a_stored_table_is_asked_once_whether_conversions_end_its_journeys(
    shop_map: JourneyMap, after_conversion: str, store: str
) -> None:
    """A stored table's answer takes a scan; every Markov chain of order 2+ asks for it.

    None when materialize_journeys stored journeys built to end at conversions: it knows.
    """
    options = JourneyOptions(after_conversion=after_conversion)
    journeys = build_journeys(events(REPEATS), shop_map, options)
    stored = (
        materialize_journeys(journeys) if store == "materialize_journeys" else materialize(journeys)
    )
    try:
        with queries_run() as queries:
            answers = [ends_at_conversions(stored) for _ in range(3)]
    finally:
        drop_temporary(stored)
    # p1 converts and goes on: its conversion ends a journey only when journeys end there.
    assert answers == [after_conversion == "end"] * 3
    assert answers[0] == ends_at_conversions(journeys)
    known = store == "materialize_journeys" and after_conversion == "end"
    assert len(queries) == (0 if known else 1)
