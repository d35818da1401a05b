"""Touch pairs counted from the journeys' sequences equal the pairs grouped from the events."""

from __future__ import annotations

import random

import ibis
import pytest

from engine_events import events
from journeymap.engine import correlation, dropoff, stats
from journeymap.engine._pair_counts import touch_pair_counts
from journeymap.engine._tables import drop_temporary, materialize
from journeymap.engine.journeys import (
    JourneyOptions,
    build_journeys,
    journey_facts,
    materialize_journeys,
    phase_lookup,
)
from journeymap.model import JourneyMap


def _events(seed: int) -> ibis.Table:
    """People with repeats, missing touchpoints, conversions at a journey's first moment."""
    rng = random.Random(seed)
    touchpoints = ["ad", "blog", "reviews", "checkout", "buy", None]
    rows = []
    for person in range(80):
        hour = 0.0
        for _ in range(rng.randint(1, 12)):
            hour += rng.choice([0.0, 0.5, 1.0])  # ties in time: a conversion may share the start
            rows.append((f"p{person}", hour, rng.choice(touchpoints), rng.random() < 0.2))
    return events(rows, channel=[rng.choice(["web", "store", None]) for _ in rows])


def _sorted(table: ibis.Table) -> list[dict[str, object]]:
    return sorted(table.to_pyarrow().to_pylist(), key=lambda r: [str(v) for v in r.values()])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_from_the_sequences_equal_the_grouped_pairs(shop_map: JourneyMap, seed: int) -> None:
    options = JourneyOptions(breakdown=["channel"])
    journeys = materialize_journeys(build_journeys(_events(seed), shop_map, options))
    facts = materialize(
        journey_facts(journeys, ["channel"], sequences=True, phase_of=phase_lookup(shop_map))
    )
    try:
        from_sequences = touch_pair_counts(journeys, facts, ["channel"])
        from_events = touch_pair_counts(journeys, None, ["channel"])  # no sequences: grouped
        assert "UNNEST" in ibis.to_sql(from_sequences, dialect="duckdb").upper()
        assert "UNNEST" not in ibis.to_sql(from_events, dialect="duckdb").upper()
        counted = _sorted(from_sequences)
        assert counted == _sorted(from_events)
        assert any(r["touchpoint"] is None for r in counted)  # missing touchpoints counted
        assert any(r["repeat"] for r in counted) and any(not r["plain"] for r in counted)
        # The metrics read the same numbers either way.
        shared = materialize(from_sequences)
        try:
            assert stats.touchpoint_stats(journeys, shop_map, facts, shared).equals(
                stats.touchpoint_stats(journeys, shop_map)
            )
            assert dropoff.checkout_abandonment(journeys, shop_map, options, facts, shared).equals(
                dropoff.checkout_abandonment(journeys, shop_map, options)
            )
            assert correlation.correlation(journeys, options, facts, shared).equals(
                correlation.correlation(journeys, options)
            )
        finally:
            drop_temporary(shared)
    finally:
        drop_temporary(facts, journeys)


def test_journeys_that_go_on_after_a_conversion_group_the_pairs(shop_map: JourneyMap) -> None:
    # A conversion inside a journey: the sequence alone cannot tell which touches preceded it.
    options = JourneyOptions(after_conversion="continue")
    journeys = materialize_journeys(build_journeys(_events(4), shop_map, options))
    facts = materialize(journey_facts(journeys, sequences=True))
    try:
        counts = touch_pair_counts(journeys, facts)
        assert "UNNEST" not in ibis.to_sql(counts, dialect="duckdb").upper()
        before = {r["touchpoint"]: r for r in _sorted(counts) if not r["before"]}
        assert before  # touches after the first conversion, which the correlation leaves out
    finally:
        drop_temporary(facts, journeys)
