"""Markov transition counts off the coded journeys equal the engine's window pass, row for row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ibis
import pytest
from attribution_journeys import map_of, random_events

from engine_queries import queries_run
from journeymap.attribution import SegmentCache, attribute
from journeymap.attribution._coded_transitions import coded_transitions, key_codes
from journeymap.attribution._levels import _level_key
from journeymap.attribution._transitions import touch_rows, transition_counts
from journeymap.engine._coded_journeys import coded_journeys
from journeymap.engine._tables import drop_temporary
from journeymap.engine.journeys import (
    JourneyOptions,
    build_journeys,
    materialize_journeys,
    unnumbered,
)
from journeymap.model import JourneyMap

TOUCHPOINTS = ["search", "email", "social", "shop", "ad", "print"]
CHANNELS = {"search": "paid", "social": "paid", "ad": "paid", "email": "owned", "shop": "owned"}


def _events(seed: int, touchpoints: list[str], persons: int = 80) -> ibis.Table:
    """Persons of up to 20 events, a repeat one time in three (collapsing has runs to drop)."""
    return random_events(
        seed, touchpoints, persons=persons, most=20, hours=300, repeats=0.35, converting=0.12
    )


def _keys(journey_map: JourneyMap, level: str) -> tuple[Any, Callable[[str], str]]:
    """The level's key as the engine reads it, and as the coded journeys read it."""
    channels = {t.id: t.channel for t in journey_map.touchpoints}
    python = str if level == "touchpoint" else (lambda name: channels.get(name, "(unmapped)"))
    return _level_key(journey_map, level, []), python


def _both(
    journeys: ibis.Table, keys_of: tuple[Any, Callable[[str], str]], order: int, collapse: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    key, key_of = keys_of
    coded = coded_journeys(journeys)
    assert coded is not None
    keys, key_of_code = key_codes(coded.touchpoints, key_of)
    found = coded_transitions(coded, keys, key_of_code, order, collapse)
    window = transition_counts(
        *touch_rows(unnumbered(journeys, neighbours=False), key), order, collapse
    )
    return found, window


def _same(found: list[dict[str, Any]], window: list[dict[str, Any]]) -> None:
    assert [(r["from"], r["to"], r["count"]) for r in found] == [
        (r["from"], r["to"], r["count"]) for r in window
    ]
    assert [r["value"] for r in found] == pytest.approx([r["value"] for r in window], abs=1e-9)


@pytest.mark.parametrize("collapse", [True, False], ids=["collapsed", "repeats"])
@pytest.mark.parametrize("order", [1, 2, 3, 4])
@pytest.mark.parametrize("after", ["end", "continue"])
def test_coded_counts_equal_the_window_pass(order: int, collapse: bool, after: str) -> None:
    journey_map = map_of(dict.fromkeys(TOUCHPOINTS, "all"), CHANNELS)
    journeys = build_journeys(
        _events(order, TOUCHPOINTS), journey_map, JourneyOptions(after_conversion=after)
    )
    for level in ("touchpoint", "channel"):
        found, window = _both(journeys, _keys(journey_map, level), order, collapse)
        assert any(r["to"] == "(conversion)" and r["value"] > 0 for r in found)
        _same(found, window)


@pytest.mark.parametrize("chunk", [1, 2, 7])
@pytest.mark.parametrize("collapse", [True, False], ids=["collapsed", "repeats"])
def test_first_order_counted_a_few_events_at_a_time_is_the_same(
    monkeypatch: pytest.MonkeyPatch, chunk: int, collapse: bool
) -> None:
    # The first order counts its pairs a chunk of events at a time: a pair across two
    # chunks, and a repeat across them, count once, as in one pass.
    from journeymap.attribution import _coded_transitions

    monkeypatch.setattr(_coded_transitions, "_CHUNK", chunk)
    journey_map = map_of(dict.fromkeys(TOUCHPOINTS, "all"), CHANNELS)
    journeys = build_journeys(_events(9, TOUCHPOINTS, persons=30), journey_map)
    for level in ("touchpoint", "channel"):
        _same(*_both(journeys, _keys(journey_map, level), 1, collapse))


def test_a_session_gap_cuts_the_coded_journeys_as_the_window_does() -> None:
    journey_map = map_of(dict.fromkeys(TOUCHPOINTS, "all"))
    options = JourneyOptions(session_gap="20h")
    journeys = build_journeys(_events(7, TOUCHPOINTS), journey_map, options)
    for order in (1, 2):
        _same(*_both(journeys, _keys(journey_map, "touchpoint"), order, True))


def test_many_keys_at_order_four_number_the_states_found() -> None:
    # 250 keys: the states' numbers at order 4 reach 251**4, and a pair of them would overflow
    # 64 bits; the states found are numbered instead.
    names = [f"t{n:03d}" for n in range(250)]
    journey_map = map_of(dict.fromkeys(names, "all"))
    journeys = build_journeys(_events(11, names, persons=300), journey_map, JourneyOptions())
    for order in (2, 4):
        _same(*_both(journeys, _keys(journey_map, "touchpoint"), order, True))


def test_markov_credits_are_the_same_either_way() -> None:
    journey_map = map_of(dict.fromkeys(TOUCHPOINTS, "all"), CHANNELS)
    journeys = build_journeys(_events(5, TOUCHPOINTS), journey_map, JourneyOptions())
    for order in (1, 3):
        coded = attribute(journeys, journey_map, model="markov", order=order).table.to_pylist()
        # A lookback of ten years cuts nothing off, but takes the prepared segments' path.
        window = attribute(
            journeys, journey_map, model="markov", order=order, lookback="3650d"
        ).table.to_pylist()
        assert [r["key"] for r in coded] == [r["key"] for r in window]
        for mine, theirs in zip(coded, window, strict=True):
            assert mine["conversions"] == pytest.approx(theirs["conversions"], abs=1e-9)
            assert mine["value"] == pytest.approx(theirs["value"], abs=1e-9)
            assert mine["removal_effect"] == pytest.approx(theirs["removal_effect"], abs=1e-12)


def test_a_stored_table_counts_first_order_from_its_neighbours() -> None:
    # Stored journeys know each event's neighbours: at order 1 one grouping counts the
    # transitions, cheaper than collecting every journey's events; above, the coded events
    # spare the window pass.
    journey_map = map_of(dict.fromkeys(TOUCHPOINTS, "all"))
    journeys = build_journeys(_events(8, TOUCHPOINTS), journey_map, JourneyOptions())
    stored = materialize_journeys(journeys)
    try:
        with queries_run() as first:
            one = attribute(stored, journey_map, model="markov", order=1)
        with queries_run() as third:
            attribute(stored, journey_map, model="markov", order=3)
    finally:
        drop_temporary(stored)
    assert not any('"_k"' in q for q in first)
    assert any('"_k"' in q for q in third)
    assert not any("OVER" in q.upper() for q in first + third)
    lazy = attribute(journeys, journey_map, model="markov", order=1)
    assert one.table.to_pylist() == lazy.table.to_pylist()


def test_the_coded_events_are_read_once_per_cache_and_again_for_a_new_one() -> None:
    # A cache lives for one call or one analysis, whose journeys do not change meanwhile; a
    # later call reads the events again, so events added since are counted.
    journey_map = map_of(dict.fromkeys(TOUCHPOINTS, "all"))
    journeys = build_journeys(_events(12, TOUCHPOINTS), journey_map, JourneyOptions())
    with SegmentCache(journeys) as cache:
        with queries_run() as first:
            attribute(journeys, journey_map, model="markov", order=2, cache=cache)
        with queries_run() as again:
            attribute(journeys, journey_map, model="markov", order=3, cache=cache)
    assert any('"_k"' in q for q in first)
    assert not any('"_k"' in q for q in again)
    with queries_run() as later:
        attribute(journeys, journey_map, model="markov", order=3)
    assert any('"_k"' in q for q in later)
