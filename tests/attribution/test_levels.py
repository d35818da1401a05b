"""Levels read off the touchpoint (channel; phase when the phases are the map's) are mapped
from the touchpoint level's results; they must equal their own aggregation, model by model."""

from __future__ import annotations

from typing import Any

import pytest
from attribution_journeys import events_of, map_of

from journeymap.attribution import MODELS, SegmentCache, _by_touchpoint, compare_models
from journeymap.attribution import api as attribution_api
from journeymap.engine._tables import drop_temporary, materialize
from journeymap.engine.journeys import JourneyOptions, build_journeys

PHASES = {"search": "awareness", "social": "awareness", "email": "consideration",
          "direct": "decision", "call": "decision"}  # fmt: skip
CHANNELS = {"search": "paid", "social": "paid", "email": "owned", "direct": "owned"}
PATHS = [
    (["search", "email", "direct"], True, 120.0),
    (["search", "email"], False, 0.0),
    (["social", "social", "search"], True, 80.0),
    (["email"], True, 40.0),
    (["social", "direct", "call"], False, 0.0),
    (["search", "direct", "email", "search", "call"], True, 60.0),
    (["direct"], False, 0.0),
    (["call", "social"], True, 25.0),
]
PARAMS: dict[str, Any] = {"custom_weights": [0.5, 0.3, 0.2], "direct_touchpoints": ["owned"]}


@pytest.mark.parametrize("level", ["channel", "phase"])
def test_levels_mapped_from_the_touchpoint_equal_their_own_aggregation(
    level: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    journey_map = map_of(PHASES, CHANNELS)  # "call" is its own channel
    journeys = materialize(build_journeys(events_of(PATHS), journey_map, JourneyOptions()))
    calls: list[list[str]] = []
    credits = _by_touchpoint.credits

    def spy(t: Any, models: Any, **options: Any) -> Any:
        calls.append(list(models))
        return credits(t, models, **options)

    monkeypatch.setattr(_by_touchpoint, "credits", spy)
    try:
        with SegmentCache(journeys) as cache:
            compare_models(journeys, journey_map, models=list(MODELS), cache=cache, **PARAMS)
            calls.clear()
            mapped = compare_models(
                journeys, journey_map, level=level, models=list(MODELS), cache=cache, **PARAMS
            ).to_pylist()
        # Only the two models that cannot be summed were aggregated at the level itself.
        assert calls == [["last_non_direct", "participation"]]
        monkeypatch.setattr(attribution_api, "_from_touchpoint", lambda *args: None)
        own = compare_models(
            journeys, journey_map, level=level, models=list(MODELS), **PARAMS
        ).to_pylist()
    finally:
        drop_temporary(journeys)
    assert len(mapped) == len(own) > 0
    got = {(r["model"], r["key"]): (r["conversions"], r["value"]) for r in mapped}
    for row in own:
        assert got[(row["model"], row["key"])] == pytest.approx(
            (row["conversions"], row["value"]), abs=1e-9
        ), row
    assert {r["key"] for r in own} >= ({"paid", "owned", "call"} if level == "channel"
                                       else {"awareness", "consideration", "decision"})  # fmt: skip


def test_one_cache_answers_each_map_with_its_own_channels() -> None:
    # The cache keeps chains and mapped credits by what the level reads from the map, so a
    # second map with other channels gets its own answer, not the first map's.
    first = map_of(PHASES, CHANNELS)
    second = map_of(PHASES, {"search": "paid", "social": "social", "email": "paid"})
    journeys = materialize(build_journeys(events_of(PATHS), first, JourneyOptions()))
    models = ["markov", "linear", "shapley"]
    try:
        with SegmentCache(journeys) as cache:
            answers = [
                compare_models(journeys, m, level="channel", models=models, cache=cache)
                for m in (first, second, first)
            ]
        fresh = compare_models(journeys, second, level="channel", models=models)
    finally:
        drop_temporary(journeys)
    credit = [{(r["model"], r["key"]): r["conversions"] for r in a.to_pylist()} for a in answers]
    assert ("markov", "social") in credit[1] and ("markov", "social") not in credit[0]
    assert credit[0] == credit[2]
    expected = {(r["model"], r["key"]): r["conversions"] for r in fresh.to_pylist()}
    assert credit[1] == pytest.approx(expected)
