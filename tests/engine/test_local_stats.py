"""Touchpoint statistics, drop-off, outcomes, checkout and correlation, counted locally."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from engine_events import events
from journeymap.engine import correlation, dropoff, stats
from journeymap.engine._local_journeys import local_journeys
from journeymap.engine._local_stats import (
    local_checkout_abandonment,
    local_correlation,
    local_dropoff,
    local_outcomes,
    local_touches,
    local_touchpoint_stats,
)
from journeymap.engine._pair_counts import touch_pair_counts
from journeymap.engine.journeys import (
    JourneyOptions,
    build_journeys,
    journey_facts,
    phase_lookup,
)
from journeymap.model.touchpoints import outcome_ids
from local_events import OPTIONS, journeys_of, local_map, option_id


def _assert_same(local: pa.Table, expected: pa.Table) -> None:
    """Same schema and rows: ints and texts equal, floats to 1e-9 relative (NaN to NaN)."""
    assert local.schema == expected.schema
    assert local.num_rows == expected.num_rows
    for got, want in zip(local.to_pylist(), expected.to_pylist(), strict=True):
        assert got.keys() == want.keys()
        for name, value in want.items():
            if isinstance(value, float):
                assert isinstance(got[name], float), name
                if math.isnan(value):
                    assert math.isnan(got[name]), (name, got, want)
                else:
                    assert got[name] == pytest.approx(value, rel=1e-9, abs=1e-12), (name, got)
            else:
                assert got[name] == value, (name, got, want)


def _tables(journeys: Any, journey_map: Any, options: JourneyOptions) -> dict[str, Any]:
    """The five Ibis tables, called as the analysis calls them."""
    facts = journey_facts(journeys, [], sequences=True, phase_of=phase_lookup(journey_map))
    pairs = touch_pair_counts(journeys, facts, options.breakdown)
    outcomes = outcome_ids(journey_map.touchpoints)
    return {
        "touchpoint_stats": stats.touchpoint_stats(journeys, journey_map, facts, pairs),
        "dropoff": dropoff.dropoff(journeys, facts=facts, outcomes=outcomes),
        "outcomes": dropoff.outcomes(journeys, outcomes, facts),
        "checkout_abandonment": dropoff.checkout_abandonment(
            journeys, journey_map, options, facts, pairs
        ),
        "correlation": correlation.correlation(journeys, options, facts, pairs, outcomes),
    }


def _local_tables(local: Any, journey_map: Any, options: JourneyOptions) -> dict[str, Any]:
    """The five local tables, sharing the touches as the analysis would."""
    touches = local_touches(local)
    outcomes = outcome_ids(journey_map.touchpoints)
    return {
        "touchpoint_stats": local_touchpoint_stats(local, journey_map, touches),
        "dropoff": local_dropoff(local, outcomes),
        "outcomes": local_outcomes(local, outcomes, touches),
        "checkout_abandonment": local_checkout_abandonment(local, journey_map, options, touches),
        "correlation": local_correlation(local, options, outcomes, touches),
    }


@pytest.mark.parametrize("options", OPTIONS, ids=option_id)
@pytest.mark.parametrize("seed", [1, 2])
def test_local_tables_equal_the_ibis_tables(options: JourneyOptions, seed: int) -> None:
    journey_map, journeys, local = journeys_of(seed, options)
    expected = _tables(journeys, journey_map, options)
    found = _local_tables(local, journey_map, options)
    for name, table in expected.items():
        _assert_same(found[name], table)
    # Each table holds rows to compare (a typo in a flag would show).
    assert expected["checkout_abandonment"].column("reached")[0].as_py() > 0
    assert expected["correlation"].num_rows > 0
    assert expected["outcomes"].column("reached")[0].as_py() > 0
    assert not all(expected["touchpoint_stats"].column("on_map").to_pylist())  # unmapped too
    # Each table alone, without the touches computed once.
    outcomes = outcome_ids(journey_map.touchpoints)
    _assert_same(local_touchpoint_stats(local, journey_map), expected["touchpoint_stats"])
    _assert_same(local_outcomes(local, outcomes), expected["outcomes"])
    _assert_same(
        local_checkout_abandonment(local, journey_map, options),
        expected["checkout_abandonment"],
    )
    _assert_same(local_correlation(local, options, outcomes), expected["correlation"])


@pytest.mark.parametrize("options", OPTIONS[:2], ids=option_id)
@pytest.mark.parametrize("seed", [3, 4])
def test_other_settings_and_no_outcomes(options: JourneyOptions, seed: int) -> None:
    journey_map, journeys, local = journeys_of(seed, options)
    facts = journey_facts(journeys, [], sequences=True, phase_of=phase_lookup(journey_map))
    pairs = touch_pair_counts(journeys, facts)
    touches = local_touches(local)
    checkout = dataclasses.replace(options, checkout_touchpoints=["shop", "demo", "declined"])
    _assert_same(
        local_checkout_abandonment(local, journey_map, checkout, touches),
        dropoff.checkout_abandonment(journeys, journey_map, checkout, facts, pairs),
    )
    loose = dataclasses.replace(
        options, correlation_prior=0.25, correlation_min_support=1, confidence=0.8
    )
    for outcomes in ([], ["declined", "shop"]):
        expected = correlation.correlation(journeys, loose, facts, pairs, outcomes)
        assert expected.num_rows > 0
        _assert_same(local_correlation(local, loose, outcomes, touches), expected)
        _assert_same(
            local_dropoff(local, outcomes),
            dropoff.dropoff(journeys, facts=facts, outcomes=outcomes),
        )
        _assert_same(local_outcomes(local, outcomes), dropoff.outcomes(journeys, outcomes, facts))
    _assert_same(local_dropoff(local, top=3), dropoff.dropoff(journeys, 3, facts))


def _hand_made() -> tuple[Any, Any]:
    """Three persons; ``a`` converts at checkout, ``b`` is declined, ``c`` wanders off."""
    rows = [
        ("a", 0, "search"),
        ("a", 1, "email"),
        ("a", 2, "email"),
        ("a", 3, "checkout", True),
        ("b", 0, "search"),
        ("b", 1, "checkout"),
        ("b", 2, "declined"),
        ("b", 3, "email"),
        ("c", 5, "social"),
        ("c", 6, None),
    ]
    journey_map, options = local_map(), JourneyOptions()
    local = local_journeys(build_journeys(events(rows), journey_map, options), options)
    assert local is not None
    return journey_map, local


def test_hand_made_journeys() -> None:
    journey_map, local = _hand_made()
    table = local_touchpoint_stats(local, journey_map).to_pylist()
    email = next(row for row in table if row["touchpoint"] == "email")
    assert (email["events"], email["journeys"], email["persons"]) == (3, 2, 2)
    assert (email["conversions"], email["repeat_journeys"]) == (1, 1)
    assert email["first_seen"] == dt.datetime(2024, 1, 1, 1, tzinfo=dt.UTC)
    assert email["last_seen"] == dt.datetime(2024, 1, 1, 3, tzinfo=dt.UTC)
    assert [row["touchpoint"] for row in table if not row["on_map"]] == [None]
    assert next(row for row in table if row["touchpoint"] == "demo")["journeys"] == 0

    drops = local_dropoff(local, ["declined"]).to_pylist()
    # b exits at checkout, before its decline; c at its missing touchpoint.
    assert [(row["last_touchpoint"], row["journeys"], row["share"]) for row in drops] == [
        ("checkout", 1, 0.5),
        (None, 1, 0.5),
    ]
    assert [row["last_touchpoint"] for row in local_dropoff(local).to_pylist()] == ["email", None]

    ends = local_outcomes(local, ["declined"]).to_pylist()
    assert [(r["touchpoint"], r["journeys"], r["converted"], r["reached"]) for r in ends] == [
        ("declined", 1, 0, 1),
        (None, 2, 1, 2),
    ]

    checkout = local_checkout_abandonment(local, journey_map, JourneyOptions()).to_pylist()
    assert checkout == [
        {
            "touchpoint": "checkout",
            "reached": 2,
            "converted": 1,
            "abandoned": 1,
            "abandonment_rate": 0.5,
        }
    ]

    # Support 1. a's checkout is its conversion, not a touch before it; the decline is an
    # outcome, left out. Email: 1 of 2 with it converted, 0 of 1 without, at a rate of 1/3:
    # (1 + 2/3) * (1 + 4/3) / ((1 + 4/3) * (0 + 2/3)) = 2.5.
    options = JourneyOptions(correlation_min_support=1)
    rows = local_correlation(local, options, ["declined"]).to_pylist()
    found = {row["touchpoint"]: row for row in rows}
    assert {name: row["journeys_with"] for name, row in found.items()} == {
        "search": 2,
        "email": 2,
        "checkout": 1,
        "social": 1,
        None: 1,
    }
    assert found["checkout"]["converted_with"] == 0
    assert found["email"]["odds_ratio"] == pytest.approx(2.5)
    assert rows[0]["touchpoint"] in ("search", "email")  # highest odds ratio first


@pytest.mark.parametrize("options", OPTIONS[:2], ids=option_id)
def test_ties_and_conversions_at_the_first_moment(options: JourneyOptions) -> None:
    rows = [
        ("d", 0, "social", True),  # converts at its first moment: social counts as before
        ("e", 0, "email"),
        ("e", 1, "search"),  # at the conversion's time: before it
        ("e", 1, "shop", True),  # the conversion itself, after email: not before
        ("f", 2, "search"),
        ("f", 2, "demo"),  # ties: the window orders them by touchpoint
        ("f", 3, "demo", True),
        ("g", 0, "email"),
        ("g", 1, "demo"),
    ]
    journey_map = local_map()
    journeys = build_journeys(events(rows), journey_map, options)
    local = local_journeys(journeys, options)
    assert local is not None
    loose = dataclasses.replace(options, correlation_min_support=1)
    expected = _tables(journeys, journey_map, loose)
    found = _local_tables(local, journey_map, loose)
    for name, table in expected.items():
        _assert_same(found[name], table)
    touched = {row["touchpoint"]: row["journeys_with"] for row in found["correlation"].to_pylist()}
    # Social: reached by a conversion only (left out), but touched before it at d's start.
    assert touched == {"email": 2, "search": 2, "demo": 2}
    social = local.touchpoint_names.index("social")
    assert local_touches(local).journeys[social].tolist() == [
        [[[0, 0], [0, 0]], [[0, 0], [0, 0]]],
        [[[0, 0], [0, 0]], [[1, 0], [0, 0]]],  # converted, before, no plain event, once
    ]
    demo = next(r for r in found["touchpoint_stats"].to_pylist() if r["touchpoint"] == "demo")
    assert (demo["events"], demo["journeys"], demo["conversions"], demo["repeat_journeys"]) == (
        3,
        2,
        1,
        1,
    )


@pytest.mark.parametrize("block", [1, 3, 4, 1 << 22])
def test_keys_are_compared_block_by_block_as_at_once(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeymap.engine import _local_stats

    monkeypatch.setattr(_local_stats, "_BLOCK", block)
    keys = np.array([0, 1, 3, 4, 4, 9, 8, 12, 13, 20], dtype=np.int64)
    out = np.zeros(len(keys) - 1, dtype=bool)
    _local_stats._neighbours_above(keys, 3, out, np.bitwise_xor)
    assert out.tolist() == ((keys[1:] ^ keys[:-1]) > 3).tolist()
    assert out.tolist() == [False, False, True, False, True, False, True, False, True]
    _local_stats._neighbours_above(keys, 1, out, np.subtract)
    assert out.tolist() == (np.diff(keys) > 1).tolist()
