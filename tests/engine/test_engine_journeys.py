"""Journeys per person and per account, session split, after-conversion, phase fill-in."""

from __future__ import annotations

import ibis
import pytest

from engine_events import at, events
from journeymap.engine._facts import _sequence_plan
from journeymap.engine._tables import drop_temporary, materialize
from journeymap.engine.funnel import phase_funnel
from journeymap.engine.journeys import (
    JourneyOptions,
    build_journeys,
    journey_facts,
    parse_duration,
    phase_lookup,
)
from journeymap.errors import AnalysisError, UsageError
from journeymap.model import JourneyMap


def _rows(table: ibis.Table) -> list[dict[str, object]]:
    return table.order_by(["journey_id", "step"]).to_pyarrow().to_pylist()


def test_account_reaches_a_phase_when_any_member_does(shop_map: JourneyMap) -> None:
    table = events(
        [
            ("ann", 0, "ad", False, "acme"),
            ("ben", 1, "reviews", False, "acme"),
            ("ann", 2, "checkout", False, "acme"),
        ]
    )
    by_account = JourneyOptions(by="account")
    journeys = build_journeys(table, shop_map, by_account)
    rows = _rows(journeys)
    assert {r["journey_id"] for r in rows} == {"acme#0"}
    assert [r["step"] for r in rows] == [1, 2, 3]
    assert [r["person_id"] for r in rows] == ["ann", "ben", "ann"]
    funnel = phase_funnel(journeys, shop_map, by_account).to_pylist()
    assert [r["reached"] for r in funnel] == [1, 1, 1]
    by_person = JourneyOptions(by="person")
    funnel = phase_funnel(build_journeys(table, shop_map, by_person), shop_map, by_person)
    # Alone, ann skips consideration and ben never saw awareness.
    assert [r["reached"] for r in funnel.to_pylist()] == [1, 0, 0]


def test_session_gap_splits_journeys(shop_map: JourneyMap) -> None:
    table = events([("p1", 0, "ad"), ("p1", 0.25, "blog"), ("p1", 2, "reviews")])
    rows = _rows(build_journeys(table, shop_map, JourneyOptions(session_gap="30m")))
    assert [(r["journey_id"], r["step"]) for r in rows] == [("p1#0", 1), ("p1#0", 2), ("p1#1", 1)]
    rows = _rows(build_journeys(table, shop_map, JourneyOptions()))
    assert {r["journey_id"] for r in rows} == {"p1#0"}


def test_after_conversion_end_starts_a_new_journey(shop_map: JourneyMap) -> None:
    table = events(
        [("p1", 0, "ad"), ("p1", 1, "buy", True), ("p1", 2, "ad"), ("p1", 3, "buy", True)]
    )
    ended = _rows(build_journeys(table, shop_map, JourneyOptions(after_conversion="end")))
    assert [(r["journey_id"], r["step"]) for r in ended] == [
        ("p1#0", 1),
        ("p1#0", 2),
        ("p1#1", 1),
        ("p1#1", 2),
    ]
    kept = _rows(build_journeys(table, shop_map, JourneyOptions(after_conversion="continue")))
    assert [r["step"] for r in kept] == [1, 2, 3, 4]
    assert {r["journey_id"] for r in kept} == {"p1#0"}


def test_phase_comes_from_the_event_else_the_map(shop_map: JourneyMap) -> None:
    table = ibis.memtable(
        {
            "person_id": ["p1", "p1", "p1"],
            "account_id": [None, None, None],
            "ts": [at(0), at(1), at(2)],
            "touchpoint": ["ad", "reviews", "mystery"],
            "phase": ["purchase", None, None],
            "persona": [None, None, None],
            "conversion": [False, False, False],
            "value": [None, None, None],
        },
        schema={
            "person_id": "string",
            "account_id": "string",
            "ts": "timestamp",
            "touchpoint": "string",
            "phase": "string",
            "persona": "string",
            "conversion": "boolean",
            "value": "float64",
        },
    )
    rows = _rows(build_journeys(table, shop_map, JourneyOptions()))
    assert [r["phase"] for r in rows] == ["purchase", "consideration", None]


def test_missing_columns_are_named(shop_map: JourneyMap) -> None:
    table = ibis.memtable(
        {"person_id": ["p1"], "touchpoint": ["ad"]},
        schema={"person_id": "string", "touchpoint": "string"},
    )
    with pytest.raises(AnalysisError, match="ts"):
        build_journeys(table, shop_map, JourneyOptions())


def test_bad_options_fail_with_the_choices() -> None:
    with pytest.raises(UsageError, match="person, account"):
        JourneyOptions(by="household")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="30m"):
        parse_duration("thirty minutes")
    assert parse_duration("2h") is not None and parse_duration("2h").total_seconds() == 7200  # type: ignore[union-attr]


def test_neighbours_stop_at_the_journey_ends(shop_map: JourneyMap) -> None:
    # The conversion ends journey 0; its neighbours do not reach into journey 1.
    table = events([("p1", 0, "ad"), ("p1", 1, "buy", True), ("p1", 3, "blog"), ("p2", 5, "ad")])
    rows = _rows(build_journeys(table, shop_map, JourneyOptions()))
    assert [(r["journey_id"], r["previous_touchpoint"]) for r in rows] == [
        ("p1#0", None),
        ("p1#0", "ad"),
        ("p1#1", None),
        ("p2#0", None),
    ]
    assert [r["previous_ts"] for r in rows] == [None, at(0), None, None]
    assert [r["next_ts"] for r in rows] == [at(1), None, None, None]


@pytest.mark.parametrize(
    ("name", "own_phase", "plan", "phase"),
    [
        ("reviews", None, (True, True), "consideration"),  # phases are the map's: text
        ("reviews", "purchase", (True, False), "purchase"),  # an event's own phase: text
        ("re\x1fviews", None, (False, True), None),  # holds the text separator: lists
        ("", None, (False, True), None),  # empty: lists
    ],
)
def test_sequences_built_as_text_equal_the_lists(
    shop_map: JourneyMap,
    name: str,
    own_phase: str | None,
    plan: tuple[bool, bool],
    phase: str | None,
) -> None:
    # A materialized journeys table collects its sequences as text (which spills) and may
    # read the phases off the touchpoints; the result must be the ordered lists, nulls kept.
    rows = [("p1", 0, "ad"), ("p1", 1, "mystery"), ("p1", 1.5, None), ("p1", 2, name)]
    rows += [("p1", 3, "buy", True)]
    rows += [("p1", 4, "ad"), ("p2", 0, name)]
    table = events(rows)
    table = table.mutate(
        phase=ibis.ifelse(table.touchpoint == name, own_phase, ibis.null("string"))
    )
    lazy = build_journeys(table, shop_map, JourneyOptions())
    journeys = materialize(lazy)
    lookup = phase_lookup(shop_map)
    try:
        assert _sequence_plan(journeys, lookup) == plan
        built = journey_facts(journeys, sequences=True, phase_of=lookup).to_pyarrow()
        listed = journey_facts(lazy, sequences=True).to_pyarrow()  # lazy: list aggregates
    finally:
        drop_temporary(journeys)
    columns = ["journey_id", "touchpoints", "phases", "last_touchpoint", "last_phase"]
    by_id = {r["journey_id"]: r for r in built.select(columns).to_pylist()}
    assert by_id == {r["journey_id"]: r for r in listed.select(columns).to_pylist()}
    assert by_id["p1#0"]["touchpoints"] == ["ad", "mystery", None, name, "buy"]
    assert by_id["p1#0"]["phases"] == ["awareness", None, None, phase, "purchase"]
    assert (by_id["p2#0"]["last_touchpoint"], by_id["p2#0"]["last_phase"]) == (name, phase)


def _sql(expr: ibis.Table) -> str:
    return " ".join(str(ibis.to_sql(expr, dialect="duckdb")).split())


def test_the_journeys_sort_carries_no_copy_of_a_column(shop_map: JourneyMap) -> None:
    # Every column of the window pass is carried through DuckDB's sort: the person and the
    # touchpoint are ordered by as they are (1M generated journeys: Markov 1.12 s -> 1.08 s).
    table = events([("p1", 0, "ad"), ("p1", 0, "blog"), ("p1", 1, "buy", True)])
    sql = _sql(build_journeys(table, shop_map, JourneyOptions()))
    assert '"_actor"' not in sql and '"_tie"' not in sql and '"_row"' not in sql
    assert 'PARTITION BY "t1"."person_id" ORDER BY "t1"."ts" ASC, "t1"."touchpoint" ASC' in sql
    # Per account the actor is a column of its own; imported events break ties by file order.
    keyed = table.mutate(row_number=ibis.literal(1, "int64"), event_key=table.touchpoint)
    by_account = JourneyOptions(by="account")
    sql = _sql(build_journeys(keyed, shop_map, by_account))
    assert 'ORDER BY "t1"."ts" ASC, "t1"."_row" ASC, "t1"."_tie" ASC, "t1"."person_id"' in sql
    assert 'PARTITION BY "t1"."_actor"' in sql
    rows = _rows(build_journeys(table, shop_map, JourneyOptions()))
    assert [r["touchpoint"] for r in rows] == ["ad", "blog", "buy"]  # the tie: touchpoint order
