"""The odds ratio's direction needs evidence: rare conversions no longer flip it.

Olist's leads: 62 journeys met trade media and none converted, 6 of the 7,057 others did. The
prior of 1 in every cell made that an odds ratio of 16 with a 95 % interval of 1.9 to 132,
"positive", and put it first among the drivers; the touchpoint that converted came out
"negative".
"""

from __future__ import annotations

import math

import pytest

from engine_events import events
from journeymap.engine import correlation
from journeymap.engine.journeys import JourneyOptions, build_journeys
from journeymap.model import JourneyMap


def _rows(rows: list[tuple[object, ...]], shop_map: JourneyMap) -> dict[str, dict[str, object]]:
    options = JourneyOptions(correlation_min_support=1)
    journeys = build_journeys(events(rows), shop_map, options)
    table = correlation.correlation(journeys, options).to_pylist()
    return {str(r["touchpoint"]): r for r in table}


def test_rare_conversions_do_not_make_a_never_converting_touchpoint_a_driver(
    shop_map: JourneyMap,
) -> None:
    rows: list[tuple[object, ...]] = [(f"b{i}", 0, "blog") for i in range(62)]
    rows += [(f"a{i}", 0, "ad") for i in range(7051)]
    rows += [(f"c{i}", 0, "ad", True) for i in range(6)]  # converting sessions: their channel
    found = _rows(rows, shop_map)
    blog, ad = found["blog"], found["ad"]
    assert (blog["journeys_with"], blog["converted_with"]) == (62, 0)
    assert (blog["journeys_without"], blog["converted_without"]) == (7057, 6)
    # Drawn towards 1 from below, never past it; 62 journeys cannot tell a direction.
    assert blog["odds_ratio"] < 1 and ad["odds_ratio"] > 1
    assert blog["ci_low"] < 1 < blog["ci_high"]
    assert blog["direction"] == "none" and ad["direction"] == "none"


def test_a_clear_difference_has_a_direction(shop_map: JourneyMap) -> None:
    # 300 journeys with reviews, half converting; 300 with the blog only, one in ten.
    rows: list[tuple[object, ...]] = []
    for i in range(300):
        rows += [(f"r{i}", 0, "reviews"), (f"r{i}", 1, "buy", i % 2 == 0)]
        rows += [(f"g{i}", 0, "blog"), (f"g{i}", 1, "buy", i % 10 == 0)]
    found = _rows(rows, shop_map)
    assert found["reviews"]["direction"] == "positive" and found["reviews"]["ci_low"] > 1
    assert found["blog"]["direction"] == "negative" and found["blog"]["ci_high"] < 1
    # The prior keeps the estimate between the plain odds ratio and 1.
    plain = (150 / 150) / (30 / 270)
    assert 1 < found["reviews"]["odds_ratio"] < plain


def test_no_ratio_and_no_direction_where_everybody_or_nobody_converted() -> None:
    for converted in (0, 10):  # of 10 journeys, 5 with the touchpoint
        ratio, low, high = correlation.odds_ratio(converted // 2, 5, converted // 2, 5)
        assert math.isnan(ratio) and math.isnan(low) and math.isnan(high)
        assert correlation.direction(low, high) == "none"


@pytest.mark.parametrize("prior", [0.5, 1.0, 2.0])
def test_at_an_even_rate_the_prior_is_added_to_every_cell(prior: float) -> None:
    ratio, _low, _high = correlation.odds_ratio(3, 5, 2, 5, prior)
    assert ratio == pytest.approx((3 + prior) * (3 + prior) / ((2 + prior) * (2 + prior)))
