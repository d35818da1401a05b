"""Leaving the conversion event's own touchpoint out of the credit (``conversion_touch``).

When the conversion event is itself mapped to a touchpoint (the demo maps a signed contract
to ``checkout``), last touch gives it every conversion and linear a large share of each: the
outcome credited for itself. Without it, the touches before the conversion share the credit.
"""

from __future__ import annotations

import pandas as pd
import pytest
from attribution_journeys import events_of, journeys_table, map_of

from journeymap.attribution import MODELS, attribute, compare_models
from journeymap.engine.journeys import JourneyOptions, build_journeys
from journeymap.errors import UsageError

PHASES = {
    "ad": "awareness",
    "mail": "awareness",
    "web": "consideration",
    "demo": "consideration",
    "buy": "decision",
}
CHANNELS = {"ad": "paid", "mail": "owned", "web": "owned", "demo": "sales", "buy": "sales"}
# The last touch of a converting journey is its conversion event (``buy``).
PATHS = [
    (["ad", "web", "buy"], True, 100.0),
    (["mail", "demo", "web", "buy"], True, 40.0),
    (["mail", "buy"], True, 50.0),
    (["buy"], True, 20.0),  # no touch before the conversion: it keeps its own
    (["ad", "web"], False, 0.0),
    (["demo", "ad", "mail"], False, 0.0),
]
# Time decay measures ages from the conversion, which moving it would change.
TIMELESS = [m for m in MODELS if m != "time_decay"]
CUSTOM = (0.5, 0.3, 0.2)


def _without_conversion_touch(paths: list) -> list:
    """The same journeys with each conversion event's row dropped and its conversion (and
    value) moved onto the touch before it: what leaving it out must amount to."""
    return [
        (touches[:-1] if converted and len(touches) > 1 else touches, converted, value)
        for touches, converted, value in paths
    ]


def _credits(table: object) -> dict[tuple[str, str], tuple[float, float]]:
    rows = table.to_pylist()  # type: ignore[attr-defined]
    return {(r["model"], r["key"]): (r["conversions"], r["value"]) for r in rows}


def test_last_touch_goes_to_the_touch_before_the_conversion() -> None:
    journeys = journeys_table(PATHS, phases=PHASES)
    kept = attribute(journeys, model="last_touch")
    assert {r["key"]: r["conversions"] for r in kept.table.to_pylist()}["buy"] == 4
    left_out = attribute(journeys, model="last_touch", conversion_touch=False)
    credit = {r["key"]: r["conversions"] for r in left_out.table.to_pylist()}
    assert credit == pytest.approx({"web": 2, "mail": 1, "buy": 1, "ad": 0, "demo": 0})
    assert left_out.params["conversion_touch"] is False
    assert kept.params["conversion_touch"] is True


@pytest.mark.parametrize("level", ["touchpoint", "channel", "phase"])
def test_every_model_equals_the_journeys_with_the_conversion_moved_onto_the_touch_before(
    level: str,
) -> None:
    journey_map = map_of(PHASES, CHANNELS)
    left_out = compare_models(
        journeys_table(PATHS, phases=PHASES),
        journey_map,
        level=level,
        models=TIMELESS,
        conversion_touch=False,
        custom_weights=CUSTOM,
    )
    moved = compare_models(
        journeys_table(_without_conversion_touch(PATHS), phases=PHASES),
        journey_map,
        level=level,
        models=TIMELESS,
        custom_weights=CUSTOM,
    )
    expected = _credits(moved)
    found = _credits(left_out)
    assert found.keys() >= {k for k, v in expected.items() if v[0]}
    for key, (conversions, value) in expected.items():
        assert found.get(key, (0.0, 0.0)) == pytest.approx((conversions, value), abs=1e-9), key


@pytest.mark.parametrize("level", ["touchpoint", "account"])
@pytest.mark.parametrize("lookback", [None, "1d"])
def test_credits_still_sum_to_every_conversion_and_its_value(
    level: str, lookback: str | None
) -> None:
    journeys = journeys_table(PATHS, phases=PHASES)
    table = compare_models(
        journeys,
        map_of(PHASES, CHANNELS),
        level=level,
        conversion_touch=False,
        lookback=lookback,
        custom_weights=CUSTOM,
    )
    for model in MODELS:
        if model == "participation":  # every key that took part gets 1: no sum to keep
            continue
        rows = [r for r in table.to_pylist() if r["model"] == model]
        assert sum(r["conversions"] for r in rows) == pytest.approx(4), model
        assert sum(r["value"] for r in rows) == pytest.approx(210), model


def test_a_lookback_that_leaves_no_touch_before_the_conversion_keeps_its_own() -> None:
    """Two days between the touches: a 1-day window keeps only the conversion itself."""
    journeys = journeys_table([(["ad", "buy"], True, 10.0)], phases=PHASES, days_apart=2)
    result = attribute(journeys, model="linear", lookback="1d", conversion_touch=False)
    credit = {r["key"]: r["conversions"] for r in result.table.to_pylist()}
    assert credit == pytest.approx({"buy": 1})


def test_time_decay_ages_the_touches_from_the_conversion() -> None:
    journeys = journeys_table([(["ad", "web", "buy"], True, 10.0)], phases=PHASES)
    result = attribute(journeys, model="time_decay", conversion_touch=False, half_life="1d")
    credit = {r["key"]: r["conversions"] for r in result.table.to_pylist()}
    # ad two days before the conversion, web one: weights 1/4 and 1/2.
    assert credit["ad"] == pytest.approx(1 / 3)
    assert credit["web"] == pytest.approx(2 / 3)


def test_repeat_conversions_each_lose_their_own_touch() -> None:
    """A journey that goes on after its purchase: each purchase closes a segment."""
    events = events_of([(["ad", "buy", "mail", "web", "buy"], False, None)]).mutate(
        conversion=ibis_in(["buy"]), value=10.0
    )
    journeys = build_journeys(
        events, map_of(PHASES, CHANNELS), JourneyOptions(after_conversion="continue")
    )
    for model in ("markov", "last_touch", "linear"):
        result = attribute(journeys, model=model, conversion_touch=False)
        credit = {r["key"]: r["conversions"] for r in result.table.to_pylist()}
        assert sum(credit.values()) == pytest.approx(2), model
        assert credit.get("buy", 0) == pytest.approx(0), model
    last = attribute(journeys, model="last_touch", conversion_touch=False).table.to_pylist()
    assert {r["key"]: r["conversions"] for r in last if r["conversions"]} == {"ad": 1, "web": 1}


def ibis_in(touchpoints: list[str]) -> object:
    import ibis

    return ibis._.touchpoint.isin(touchpoints)


def test_the_setting_and_text_values_are_read() -> None:
    journeys = journeys_table(PATHS, phases=PHASES)
    for given in ("no", "false", False):
        result = attribute(journeys, model="last_touch", conversion_touch=given)
        assert result.params["conversion_touch"] is False
    with pytest.raises(UsageError, match="conversion_touch takes True or False"):
        attribute(journeys, model="last_touch", conversion_touch="sometimes")


def test_the_setting_applies_when_no_parameter_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOURNEYMAP_ATTRIBUTION_CONVERSION_TOUCH", "no")
    result = attribute(journeys_table(PATHS, phases=PHASES), model="last_touch")
    credit = {r["key"]: r["conversions"] for r in result.table.to_pylist()}
    assert credit["buy"] == pytest.approx(1)


def test_path_data_have_no_conversion_touch_to_leave_out() -> None:
    from journeymap.attribution import from_paths

    frame = pd.DataFrame(
        {"path": ["ad > web", "mail"], "total_conversions": [2, 1], "total_null": [1, 3]}
    )
    with from_paths(frame) as paths:
        kept = compare_models(paths, models=["last_touch", "markov"])
        left_out = compare_models(paths, models=["last_touch", "markov"], conversion_touch=False)
        assert _credits(kept) == _credits(left_out)
