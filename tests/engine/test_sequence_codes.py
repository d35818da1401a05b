"""A stored journeys table's sequences read from sortable integer keys, no ordered aggregate."""

from __future__ import annotations

import random

import ibis
import pytest

from engine_events import events
from journeymap.engine import _sequence_codes
from journeymap.engine._tables import drop_temporary, materialize
from journeymap.engine.journeys import (
    JourneyOptions,
    build_journeys,
    journey_facts,
    phase_lookup,
)
from journeymap.model import JourneyMap

_COLUMNS = ["journey_id", "touchpoints", "phases", "last_touchpoint", "last_phase", "persona"]


def _random_events(seed: int, touchpoints: list[str | None]) -> ibis.Table:
    """Journeys of up to 40 events (steps past 9 and 10 * width), some personas missing."""
    rng = random.Random(seed)
    rows = []
    for person in range(60):
        for hour in range(rng.randint(1, 40)):
            persona = rng.choice([None, None, f"persona-{person % 3}"])
            rows.append(
                (
                    f"p{person}",
                    hour + rng.random() / 2,
                    rng.choice(touchpoints),
                    rng.random() < 0.08,
                    None,
                    persona,
                )
            )
    return events(rows)


def _facts_both_ways(
    table: ibis.Table, journey_map: JourneyMap
) -> tuple[dict[str, dict[str, object]], dict[str, dict[str, object]], str]:
    """(stored table's facts, lazy table's facts) by journey, and the stored facts' SQL."""
    lazy = build_journeys(table, journey_map, JourneyOptions())
    # Stored in no useful order: the keys are collected as the rows come, then sorted.
    stored = materialize(lazy.order_by(ibis.random()))
    try:
        expr = journey_facts(stored, sequences=True, phase_of=phase_lookup(journey_map))
        sql = str(ibis.to_sql(expr, dialect="duckdb"))
        built = expr.to_pyarrow().select(_COLUMNS).to_pylist()
    finally:
        drop_temporary(stored)
    # A lazy table collects its sequences with ordered list aggregates: the reference.
    listed = journey_facts(lazy, sequences=True).to_pyarrow().select(_COLUMNS).to_pylist()
    return {r["journey_id"]: r for r in built}, {r["journey_id"]: r for r in listed}, sql


@pytest.mark.parametrize("own_phases", [False, True], ids=["map-phases", "own-phases"])
def test_coded_sequences_equal_the_ordered_lists(shop_map: JourneyMap, own_phases: bool) -> None:
    # Unmapped touchpoints, a missing one, the text separator and the empty text all read
    # back as they were; with phases of their own, each event's phase comes back too.
    touchpoints = ["ad", "blog", "reviews", "checkout", "buy", "mystery", None, "re\x1fv", ""]
    table = _random_events(7, touchpoints)
    if own_phases:
        table = table.mutate(
            phase=ibis.ifelse(table.touchpoint == "blog", "consideration", ibis.null("string"))
        )
    built, listed, sql = _facts_both_ways(table, shop_map)
    assert built == listed
    assert "ORDER BY" not in sql.upper()  # sorted as a list of integers, not in the grouping
    longest = max(built.values(), key=lambda r: len(r["touchpoints"]))  # type: ignore[arg-type]
    assert len(longest["touchpoints"]) > 20  # type: ignore[arg-type]
    phases = {p for r in built.values() for p in r["phases"]}  # type: ignore[attr-defined]
    assert ("consideration" in phases) and (None in phases)


def test_more_touchpoints_than_codes_are_collected_as_text(
    shop_map: JourneyMap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sequence_codes, "CODED_VALUES", 4)
    table = _random_events(11, ["ad", "blog", "reviews", "checkout", "buy", None])
    built, listed, sql = _facts_both_ways(table, shop_map)
    assert built == listed
    assert "ORDER BY" in sql.upper()  # the ordered text aggregate


def test_a_lazy_table_gets_no_codes(shop_map: JourneyMap) -> None:
    lazy = build_journeys(_random_events(3, ["ad", "buy"]), shop_map, JourneyOptions())
    assert _sequence_codes.sequence_codes(lazy, phase_lookup(shop_map)) is None
