"""Drop-off, checkout abandonment, timing, paths, Sankey, variants, correlation, stats."""

from __future__ import annotations

import datetime as dt
import math
from statistics import NormalDist
from typing import Any

import ibis
import pytest

from engine_events import events
from journeymap.engine import correlation, dropoff, paths, stats, timing, variants
from journeymap.engine.journeys import JourneyOptions, build_journeys
from journeymap.model import JourneyMap

# p1 converts after 4 h, p4 after 10 h; p2 and p5 leave at checkout, p3 at reviews.
ROWS: list[tuple[Any, ...]] = [
    ("p1", 0, "ad"),
    ("p1", 1, "ad"),
    ("p1", 2, "reviews"),
    ("p1", 3, "checkout"),
    ("p1", 4, "buy", True),
    ("p2", 0, "ad"),
    ("p2", 1, "checkout"),
    ("p3", 0, "blog"),
    ("p3", 2, "reviews"),
    ("p4", 0, "ad"),
    ("p4", 2, "checkout"),
    ("p4", 10, "buy", True),
    ("p5", 0, "ad"),
    ("p5", 1, "checkout"),
]


@pytest.fixture
def journeys(shop_map: JourneyMap) -> ibis.Table:
    return build_journeys(events(ROWS), shop_map, JourneyOptions())


def test_dropoff_by_last_touchpoint(journeys: ibis.Table) -> None:
    rows = dropoff.dropoff(journeys).to_pylist()
    assert rows == [
        {
            "last_phase": "purchase",
            "last_touchpoint": "checkout",
            "journeys": 2,
            "share": pytest.approx(2 / 3),
        },
        {
            "last_phase": "consideration",
            "last_touchpoint": "reviews",
            "journeys": 1,
            "share": pytest.approx(1 / 3),
        },
    ]


def test_checkout_abandonment(journeys: ibis.Table, shop_map: JourneyMap) -> None:
    rows = dropoff.checkout_abandonment(journeys, shop_map, JourneyOptions()).to_pylist()
    assert rows == [
        {
            "touchpoint": "checkout",
            "reached": 4,
            "converted": 2,
            "abandoned": 2,
            "abandonment_rate": 0.5,
        }
    ]


def test_time_to_convert_percentiles_and_histogram(journeys: ibis.Table) -> None:
    # Converted journeys took 14400 s and 36000 s; percentiles interpolate linearly.
    rows = {r["percentile"]: r["seconds"] for r in timing.time_to_convert(journeys).to_pylist()}
    assert rows[0.5] == pytest.approx(25200)
    assert rows[0.1] == pytest.approx(14400 + 0.1 * 21600)
    histogram = timing.time_to_convert_histogram(journeys).to_pylist()
    assert sum(r["journeys"] for r in histogram) == 2
    assert len(histogram) == 10
    filled = [(r["bin_start_seconds"], r["journeys"]) for r in histogram if r["journeys"]]
    assert filled == [(14400.0, 1), (32400.0, 1)]


def test_time_in_phase_and_between_steps(journeys: ibis.Table) -> None:
    phases = {r["phase"]: r for r in timing.time_in_phase(journeys, ["awareness"]).to_pylist()}
    assert phases["awareness"]["journeys"] == 5
    assert phases["awareness"]["median_seconds"] == 7200
    assert phases["awareness"]["mean_seconds"] == pytest.approx(5760)
    assert phases["purchase"]["journeys"] == 4
    assert phases["purchase"]["mean_seconds"] == pytest.approx((3600 + 0 + 28800 + 0) / 4)
    pairs = {
        (r["from_touchpoint"], r["to_touchpoint"]): r
        for r in timing.time_between_steps(journeys).to_pylist()
    }
    assert pairs[("ad", "checkout")]["transitions"] == 3
    assert pairs[("ad", "checkout")]["median_seconds"] == 3600
    assert pairs[("ad", "checkout")]["mean_seconds"] == pytest.approx(4800)
    assert pairs[("ad", "ad")]["transitions"] == 1


def test_paths_top_n_with_other_adding_up(journeys: ibis.Table) -> None:
    rows = paths.paths(journeys, JourneyOptions(top_paths=1)).to_pylist()
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row)
    assert [(r["path"], r["journeys"]) for r in by_kind["all"]] == [
        ("ad > checkout", 2),
        ("Other", 3),
    ]
    assert sum(r["journeys"] for r in by_kind["converted"]) == 2
    assert by_kind["converted"][0]["path"] == "ad > checkout > buy"
    assert sum(r["journeys"] for r in by_kind["dropped"]) == 3
    assert sum(r["share"] for r in by_kind["all"]) == pytest.approx(1.0)


def test_collapse_repeats(journeys: ibis.Table) -> None:
    collapsed = paths.paths(journeys, JourneyOptions(top_paths=10, collapse_repeats=True))
    kept = paths.paths(journeys, JourneyOptions(top_paths=10, collapse_repeats=False))
    assert "ad > reviews > checkout > buy" in collapsed.column("path").to_pylist()
    assert "ad > ad > reviews > checkout > buy" in kept.column("path").to_pylist()


def test_sankey_edges_conserve_journeys(journeys: ibis.Table) -> None:
    edges = paths.sankey(journeys, JourneyOptions(), depth=6).to_pylist()
    assert sum(e["journeys"] for e in edges if e["step"] == 1) == 5
    for step in range(2, 6):
        inflow: dict[str, int] = {}
        for e in edges:
            if e["step"] == step - 1 and not e["target"].startswith("("):
                inflow[e["target"]] = inflow.get(e["target"], 0) + e["journeys"]
        outflow: dict[str, int] = {}
        for e in edges:
            if e["step"] == step:
                outflow[e["source"]] = outflow.get(e["source"], 0) + e["journeys"]
        assert inflow == outflow
    ends = sum(e["journeys"] for e in edges if e["target"] in {"(converted)", "(dropped)"})
    assert ends == 5
    assert sum(e["journeys"] for e in edges if e["target"] == "(converted)") == 2
    # Cut at two steps, the longer journeys end in their outcome at step 2: p1 (five steps)
    # converted later; every journey still reaches an outcome.
    short = paths.sankey(journeys, JourneyOptions(), depth=2).to_pylist()
    assert {e["step"] for e in short} == {1, 2}
    ends = {e["target"]: 0 for e in short if e["target"].startswith("(")}
    for e in short:
        if e["target"] in ends:
            ends[e["target"]] += e["journeys"]
    assert ends == {"(converted)": 2, "(dropped)": 3}


def test_variants_with_conversion_rate(journeys: ibis.Table) -> None:
    rows = {r["variant"]: r for r in variants.variants(journeys).to_pylist()}
    assert rows["ad > checkout"]["journeys"] == 2
    assert rows["ad > checkout"]["conversion_rate"] == 0
    assert rows["ad > ad > reviews > checkout > buy"]["length"] == 5
    assert rows["ad > ad > reviews > checkout > buy"]["conversion_rate"] == 1
    assert sum(r["journeys"] for r in rows.values()) == 5


@pytest.mark.parametrize("name", ["ad", "ad\x1fsplit"])
def test_paths_and_variants_keep_a_touchpoint_whole(shop_map: JourneyMap, name: str) -> None:
    # Paths are grouped as text joined by U+001F; a touchpoint holding that character
    # makes them group by the arrays instead, and the result is the same.
    table = events([("p1", 0, name), ("p1", 1, "reviews"), ("p2", 0, name), ("p2", 1, "reviews")])
    journeys = build_journeys(table, shop_map, JourneyOptions())
    top = paths.paths(journeys, JourneyOptions()).to_pylist()
    assert [(r["kind"], r["path"], r["journeys"]) for r in top] == [
        ("all", f"{name} > reviews", 2),
        ("dropped", f"{name} > reviews", 2),
    ]
    edges = paths.sankey(journeys, JourneyOptions()).to_pylist()
    assert [(e["source"], e["target"], e["journeys"]) for e in edges] == [
        (name, "reviews", 2),
        ("reviews", "(dropped)", 2),
    ]
    (variant,) = variants.variants(journeys).to_pylist()
    assert (variant["variant"], variant["length"], variant["journeys"]) == (
        f"{name} > reviews",
        2,
        2,
    )


def _hand_odds(cw: int, nw: int, cwo: int, nwo: int, prior: float) -> tuple[float, float, float]:
    # Each row of the table gets 2 * prior journeys at the overall conversion rate.
    rate = (cw + cwo) / (nw + nwo)
    yes, no = 2 * prior * rate, 2 * prior * (1 - rate)
    a, b, c, d = cw + yes, nw - cw + no, cwo + yes, nwo - cwo + no
    ratio = a * d / (b * c)
    z = NormalDist().inv_cdf(0.975)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se)


def test_correlation_odds_ratio_with_prior_and_ci(journeys: ibis.Table) -> None:
    options = JourneyOptions(correlation_prior=1.0, correlation_min_support=1)
    rows = {r["touchpoint"]: r for r in correlation.correlation(journeys, options).to_pylist()}
    # checkout: 4 journeys with it (2 converted), 1 without (0 converted).
    assert rows["checkout"]["odds_ratio"] == pytest.approx(2.8 * 2.2 / (3.2 * 0.8))
    _, low, high = _hand_odds(2, 4, 0, 1, 1.0)
    assert (rows["checkout"]["ci_low"], rows["checkout"]["ci_high"]) == (
        pytest.approx(low),
        pytest.approx(high),
    )
    assert rows["reviews"]["odds_ratio"] == pytest.approx(_hand_odds(1, 2, 1, 3, 1.0)[0])
    # Five journeys say nothing for sure: every interval holds 1.
    assert {row["direction"] for row in rows.values()} == {"none"}
    assert "buy" not in rows  # only conversion events reach it: the outcome, not a driver
    strict = {
        r["touchpoint"]
        for r in correlation.correlation(
            journeys, JourneyOptions(correlation_prior=1.0, correlation_min_support=2)
        ).to_pylist()
    }
    # blog: one journey with it; ad and checkout: one journey (p3) without them.
    assert strict == {"reviews"}
    loose = {
        r["touchpoint"]: r
        for r in correlation.correlation(
            journeys, JourneyOptions(correlation_prior=0.5, correlation_min_support=1)
        ).to_pylist()
    }
    assert loose["blog"]["odds_ratio"] == pytest.approx(_hand_odds(0, 1, 2, 4, 0.5)[0])
    assert loose["blog"]["odds_ratio"] < 1 and loose["blog"]["direction"] == "none"


def test_touchpoint_stats_show_unused_and_unmapped(shop_map: JourneyMap) -> None:
    table = events(
        [
            ("p1", 0, "ad"),
            ("p1", 1, "mystery"),
            ("p2", 0, "ad"),
            ("p2", 1, "buy", True),
            ("p3", 0, "mystery"),
            ("p3", 1, "mystery"),
        ]
    )
    journeys = build_journeys(table, shop_map, JourneyOptions())
    rows = {r["touchpoint"]: r for r in stats.touchpoint_stats(journeys, shop_map).to_pylist()}
    assert rows["ad"] == {
        "touchpoint": "ad",
        "on_map": True,
        "events": 2,
        "journeys": 2,
        "persons": 2,
        "conversions": 1,
        "first_seen": dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        "last_seen": dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        "repeat_journeys": 0,
    }
    assert rows["blog"]["events"] == 0 and rows["blog"]["on_map"] is True
    assert rows["blog"]["repeat_journeys"] == 0
    assert rows["mystery"]["on_map"] is False and rows["mystery"]["events"] == 3
    assert (rows["mystery"]["journeys"], rows["mystery"]["repeat_journeys"]) == (2, 1)  # p3


def test_correlation_ignores_touches_after_the_first_conversion(shop_map: JourneyMap) -> None:
    table = events(
        [
            ("p1", 0, "ad"),
            ("p1", 1, "buy", True),
            ("p1", 2, "reviews"),  # after the purchase: cannot have caused it
            ("p2", 0, "ad"),
            ("p2", 1, "reviews"),
        ]
    )
    options = JourneyOptions(
        after_conversion="continue", correlation_prior=0.5, correlation_min_support=1
    )
    journeys = build_journeys(table, shop_map, options)
    rows = {r["touchpoint"]: r for r in correlation.correlation(journeys, options).to_pylist()}
    assert rows["reviews"]["journeys_with"] == 1
    assert rows["reviews"]["converted_with"] == 0
    assert rows["reviews"]["odds_ratio"] < 1


def test_correlation_counts_the_converting_sessions_own_channel(shop_map: JourneyMap) -> None:
    # Session-level data: one row per session, its traffic source the touchpoint, a purchase
    # flag the conversion. The converting sessions' channel used to be dropped as "the
    # conversion event", so they counted as journeys *without* it: every channel came out
    # negative (OR 0), the best one included.
    sessions = [("s1", 0, "ad", True), ("s2", 0, "ad", True), ("s3", 0, "ad", True)]
    sessions += [("s4", 0, "ad"), ("s5", 0, "blog"), ("s6", 0, "blog")]
    sessions += [("s7", 0, "blog"), ("s8", 0, "blog", True)]
    options = JourneyOptions(correlation_prior=0.5, correlation_min_support=1)
    journeys = build_journeys(events(sessions), shop_map, options)
    rows = {r["touchpoint"]: r for r in correlation.correlation(journeys, options).to_pylist()}
    assert (rows["ad"]["journeys_with"], rows["ad"]["converted_with"]) == (4, 3)
    assert (rows["ad"]["journeys_without"], rows["ad"]["converted_without"]) == (4, 1)
    assert rows["ad"]["odds_ratio"] == pytest.approx(_hand_odds(3, 4, 1, 4, 0.5)[0])
    assert rows["ad"]["odds_ratio"] > 1 > rows["blog"]["odds_ratio"]


def test_times_after_2038_and_before_1901_are_measured_and_attributed(
    shop_map: JourneyMap,
) -> None:
    # Ibis types epoch seconds as a 32-bit integer: the attribution's stored reference time
    # overflowed for a 2040 conversion (a ConversionException traceback from `analyze`).
    from journeymap.analysis import analyze

    years = 16 * 365 * 24  # 2024 -> 2040, in hours
    rows = [("p1", years, "ad"), ("p1", years + 2.5, "reviews"), ("p1", years + 4, "buy", True)]
    rows += [("p2", -125 * years // 16, "ad"), ("p2", -125 * years // 16 + 1, "buy", True)]
    rows += [("p3", years, "blog")]
    with analyze(shop_map, events(rows)) as found:
        percentiles = {
            r["percentile"]: r["seconds"] for r in found.tables["time_to_convert"].to_pylist()
        }
        assert percentiles[0.5] == pytest.approx(2.5 * 3600)  # halfway between 1 h and 4 h
        bins = found.tables["time_to_convert_histogram"].to_pylist()
        assert sum(r["journeys"] for r in bins) == 2
        assert bins[-1]["bin_end_seconds"] == pytest.approx(4 * 3600)
        steps = {
            (r["from_touchpoint"], r["to_touchpoint"]): r["median_seconds"]
            for r in found.tables["time_between_steps"].to_pylist()
        }
        assert steps[("ad", "reviews")] == pytest.approx(2.5 * 3600)
        decay = found.attribution(model="time_decay").table.to_pylist()
        assert sum(r["conversions"] for r in decay) == pytest.approx(2)


def test_correlation_does_not_count_the_conversion_event_after_other_touches(
    shop_map: JourneyMap,
) -> None:
    """Event data where the purchase itself is a checkout event: counted as a touch, every
    buyer was 'with checkout' (BPIC's approval came out at an odds ratio of 24 million).
    A conversion with nothing before it (a session-level row) still counts its own channel."""
    table = events(
        [
            ("p1", 0, "ad"),
            ("p1", 1, "checkout"),
            ("p1", 2, "checkout", True),
            ("p2", 0, "ad"),
            ("p2", 1, "checkout", True),  # the outcome, after the ad: not a touch
            ("p3", 0, "ad"),
            ("p3", 1, "checkout"),
            ("p4", 0, "blog"),
            ("p5", 0, "checkout", True),  # nothing before it: its own channel counts
        ]
    )
    options = JourneyOptions(correlation_prior=0.5, correlation_min_support=1)
    journeys = build_journeys(table, shop_map, options)
    rows = {r["touchpoint"]: r for r in correlation.correlation(journeys, options).to_pylist()}
    checkout = rows["checkout"]
    assert (checkout["journeys_with"], checkout["converted_with"]) == (3, 2)
    assert (checkout["journeys_without"], checkout["converted_without"]) == (2, 1)
    assert checkout["odds_ratio"] == pytest.approx(_hand_odds(2, 3, 1, 2, 0.5)[0])
