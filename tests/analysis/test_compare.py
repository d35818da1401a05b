"""``compare``: two analyses side by side, each rate's change tested (Newcombe's interval).

The real check is BPI Challenge 2012 split into the loan applications submitted before 2012
and those submitted after: every compared count is recounted case by case from the raw XES.
Small, explicit events cover the rest: new and vanished touchpoints, the ranking, the notes
on analyses that were cut or measured differently, and the folders compare refuses.
"""

from __future__ import annotations

import functools
import json
import math
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest
from scipy.stats import norm

from bpic_cohorts import Cohort, cohort_analyses, raw_cohorts
from journeymap import Comparison, compare
from journeymap.analysis import Analysis, analyze
from journeymap.analysis._intervals import difference_interval
from journeymap.errors import AnalysisError, UsageError
from journeymap.model import JourneyMap, Phase, Touchpoint
from shop_journeys import shop_events

_events = functools.partial(shop_events, value=100.0)


def _analysis(journey_map: JourneyMap, events: pa.Table, **options: Any) -> Analysis:
    options.setdefault("attribution", False)
    return analyze(journey_map, events, **options)


def _rows(comparison: Comparison, name: str, key: str) -> dict[str, dict[str, Any]]:
    return {str(row[key]): row for row in comparison.table(name).to_pylist()}


# --- the interval -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "before", "expected"),
    [
        # Newcombe (1998), Statistics in Medicine 17, Table II, method 10.
        ((56, 70), (48, 80), (0.0524, 0.3339)),
        ((9, 10), (3, 10), (0.1705, 0.8090)),
        ((6, 7), (2, 7), (0.0582, 0.8062)),
        ((5, 56), (0, 29), (-0.0381, 0.1926)),
        ((0, 10), (0, 20), (-0.1611, 0.2775)),
        ((0, 10), (0, 10), (-0.2775, 0.2775)),
        ((10, 10), (0, 20), (0.6791, 1.0)),
        ((10, 10), (0, 10), (0.6075, 1.0)),
    ],
)
def test_the_interval_is_newcombes(
    after: tuple[int, int], before: tuple[int, int], expected: tuple[float, float]
) -> None:
    low, high = difference_interval(before[0], before[1], after[0], after[1])
    assert (round(low, 4), round(high, 4)) == expected


# --- headline, touchpoints, phases ------------------------------------------------------------


def test_a_conversion_rate_that_rose_is_significant_and_a_small_sample_is_not(
    shop_map: JourneyMap,
) -> None:
    april = _analysis(shop_map, _events(400, 80))
    may = _analysis(shop_map, _events(400, 120))
    overall = _rows(compare(april, may, warn=False), "overall", "metric")
    rate = overall["conversion_rate"]
    assert (rate["before"], rate["after"]) == (0.2, 0.3)
    assert rate["change"] == pytest.approx(0.1)
    assert (rate["ci_low"], rate["ci_high"]) == pytest.approx(
        difference_interval(80, 400, 120, 400)
    )
    assert rate["significant"] is True
    assert (overall["conversions"]["before"], overall["conversions"]["after"]) == (80, 120)
    assert overall["conversions"]["relative_change"] == pytest.approx(0.5)
    assert (overall["value"]["before"], overall["value"]["after"]) == (8000, 12000)
    assert overall["journeys"]["change"] == 0
    # Three hours from the first touch to the purchase, on both sides.
    assert overall["time_to_convert_median"]["before"] == 3 * 3600
    assert overall["time_to_convert_median"]["change"] == 0

    few = compare(
        _analysis(shop_map, _events(10, 2)), _analysis(shop_map, _events(10, 3)), warn=False
    )
    rate = _rows(few, "overall", "metric")["conversion_rate"]
    assert rate["change"] == pytest.approx(0.1)
    assert rate["significant"] is False and rate["ci_low"] < 0 < rate["ci_high"]


def test_new_and_vanished_touchpoints_and_the_biggest_changes_first(
    shop_map: JourneyMap,
) -> None:
    # Last month every journey came by the blog and 20 % bought; this month by the ad, 50 %.
    before = _analysis(shop_map, _events(200, 40, first="blog"))
    after = _analysis(shop_map, _events(200, 100, first="ad"))
    comparison = compare(before, after, warn=False)
    touchpoints = comparison.table("touchpoints").to_pylist()
    # Significant changes first (30 points each, by name), then what only one side has (the
    # most journeys first), then the rest.
    assert [row["touchpoint"] for row in touchpoints] == [
        "checkout",
        "reviews",
        "ad",
        "blog",
        "buy",
    ]
    found = {row["touchpoint"]: row for row in touchpoints}
    assert (
        found["ad"]["status"],
        found["ad"]["journeys_before"],
        found["ad"]["journeys_after"],
    ) == (
        "new",
        0,
        200,
    )
    assert found["ad"]["conversion_rate_before"] is None
    assert found["ad"]["conversion_rate_change"] is None
    assert (found["blog"]["status"], found["blog"]["journeys_after"]) == ("vanished", 0)
    checkout = found["checkout"]
    assert (checkout["ended_before"], checkout["ended_after"]) == (160, 100)
    assert (checkout["exit_rate_before"], checkout["exit_rate_after"]) == (0.8, 0.5)
    assert checkout["exit_rate_significant"] and checkout["conversion_rate_significant"]
    assert found["buy"]["conversion_rate_change"] == 0
    assert not found["buy"]["conversion_rate_significant"]
    # The funnel: awareness reached by all 200 on both sides; purchase's drop-off fell.
    phases = _rows(comparison, "phases", "phase")
    assert (phases["awareness"]["reached_before"], phases["awareness"]["reached_after"]) == (
        200,
        200,
    )
    purchase = phases["purchase"]
    assert (purchase["dropped_before"], purchase["dropped_after"]) == (160, 100)
    assert purchase["dropoff_rate_change"] == pytest.approx(-0.3)
    assert purchase["dropoff_rate_significant"] is True
    assert next(iter(phases)) == "purchase"  # the biggest change first


def test_a_saved_folder_compares_as_the_analysis_itself(
    shop_map: JourneyMap, tmp_path: Path
) -> None:
    before = _analysis(shop_map, _events(50, 10), attribution=True)
    after = _analysis(shop_map, _events(60, 30), attribution=True)
    in_memory = compare(before, after, warn=False)
    saved = compare(
        before.save(tmp_path / "march"), str(after.save(tmp_path / "april")), warn=False
    )
    assert saved.to_dict()["tables"] == in_memory.to_dict()["tables"]
    assert saved.summary["before"]["label"] == str(tmp_path / "march")
    assert in_memory.summary["after"]["label"] == "after"
    assert (saved.summary["method"], saved.summary["confidence"]) == ("newcombe", 0.95)
    # Attribution: each model's share of conversions per key, before and after.
    shares = {
        (row["model"], row["key"]): row
        for row in saved.table("attribution").to_pylist()
        if row["level"] == "touchpoint"
    }
    credits = {
        side: {
            (row["model"], row["key"]): row["share"]
            for row in analysis.table("attribution").to_pylist()
            if row["level"] == "touchpoint"
        }
        for side, analysis in (("before", before), ("after", after))
    }
    for key, row in shares.items():
        assert row["share_change"] == pytest.approx(credits["after"][key] - credits["before"][key])
    # JSON, pandas and polars say the same.
    document = json.loads(saved.to_json())
    assert set(document["tables"]) == {
        "overall",
        "phases",
        "touchpoints",
        "attribution",
        "time_to_convert",
    }
    frame = saved.to_pandas("touchpoints")
    assert list(frame["touchpoint"]) == [r["touchpoint"] for r in document["tables"]["touchpoints"]]
    assert saved.to_polars("phases").height == len(shop_map.phases)
    with pytest.raises(AnalysisError, match="no table 'funnel' in this comparison"):
        saved.table("funnel")


# --- what makes two analyses less than comparable ---------------------------------------------


def test_journeys_cut_and_funnels_measured_differently_are_warned(shop_map: JourneyMap) -> None:
    events = _events(30, 6)
    before = _analysis(shop_map, events, session_gap="30m", conversion_window="7d")
    after = _analysis(shop_map, events)
    with pytest.warns(UserWarning) as warned:
        comparison = compare(before, after)
    said = [str(warning.message) for warning in warned]
    assert said == comparison.notes
    assert any(
        note.startswith("the journeys were cut differently: session gap 30m vs none")
        for note in said
    )
    assert any(
        note.startswith("the funnels were measured differently: conversion window 7d vs 30d")
        for note in said
    )


def test_attribution_on_one_side_only_is_said(shop_map: JourneyMap) -> None:
    events = _events(30, 6)
    comparison = compare(
        _analysis(shop_map, events), _analysis(shop_map, events, attribution=True), warn=False
    )
    assert "attribution" not in comparison.tables
    assert any(
        note.startswith("only the after analysis has attribution") for note in comparison.notes
    )


def test_other_maps_are_matched_by_id_or_refused(shop_map: JourneyMap) -> None:
    events = _events(30, 6)
    renamed = shop_map.model_copy(update={"id": "shop-2025"})
    comparison = compare(_analysis(shop_map, events), _analysis(renamed, events), warn=False)
    assert comparison.notes[0] == (
        "the analyses measured different maps (shop and shop-2025); phases and touchpoints are "
        "matched by their ids"
    )
    loans = JourneyMap(
        id="loans",
        name="Loans",
        phases=[Phase(id="apply", name="Apply", order=1)],
        touchpoints=[Touchpoint(id="submitted", name="Submitted", phases=["apply"])],
    )
    submitted = _events(5, 1).to_pandas()
    submitted["touchpoint"] = "submitted"
    with pytest.raises(AnalysisError, match=r"no touchpoint in common \(maps shop and loans\)"):
        compare(_analysis(shop_map, events), _analysis(loans, submitted), warn=False)


@pytest.fixture
def saved(shop_map: JourneyMap, tmp_path: Path) -> Iterator[Path]:
    yield _analysis(shop_map, _events(20, 4)).save(tmp_path / "saved")


def test_folders_that_hold_no_analysis_are_refused(saved: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(AnalysisError, match=r"holds no analysis \(analysis\.json is missing\)"):
        compare(empty, saved)
    with pytest.raises(AnalysisError, match="is a file"):
        compare(saved, saved / "analysis.json")
    with pytest.raises(UsageError, match="not a dict"):
        compare({"summary": {}}, saved)  # type: ignore[arg-type]
    listed = tmp_path / "listed"
    listed.mkdir()
    (listed / "analysis.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(AnalysisError, match="is not an analysis journeymap wrote"):
        compare(saved, listed)
    (listed / "analysis.json").write_text("{", encoding="utf-8")
    with pytest.raises(AnalysisError, match="cannot read the analysis"):
        compare(saved, listed)
    (saved / "phase_funnel.parquet").write_bytes(b"PAR1 cut off by a full disk")
    with pytest.raises(AnalysisError, match="cannot read the analysis"):
        compare(saved, saved)


def test_an_analysis_of_an_older_format_is_refused_plainly(saved: Path) -> None:
    document = json.loads((saved / "analysis.json").read_text(encoding="utf-8"))
    # As an analysis saved before the options were kept, and before touchpoint_stats.
    del document["summary"]["options"]
    del document["tables"]["touchpoint_stats"]
    (saved / "touchpoint_stats.parquet").unlink()
    (saved / "analysis.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(AnalysisError) as raised:
        compare(saved, saved)
    assert str(raised.value).startswith(
        f"the analysis in {saved} is of an older format that compare cannot read (it lacks "
        "options, touchpoint_stats); analyse the events again"
    )


# --- BPI Challenge 2012: applications of 2011 against those of 2012 ---------------------------


@pytest.fixture(scope="module")
def bpic(bpic2012_events: ibis.Table, datasets: Path) -> tuple[Comparison, Cohort, Cohort]:
    before, after = cohort_analyses(bpic2012_events)
    with pytest.warns(UserWarning, match="may still be under way"):
        comparison = compare(before, after)
    return (comparison, *raw_cohorts(datasets))


@pytest.mark.slow
def test_bpic_cohorts_headline_matches_the_raw_log(bpic: tuple[Comparison, Cohort, Cohort]) -> None:
    comparison, before, after = bpic
    assert before.journeys + after.journeys == 13087
    overall = _rows(comparison, "overall", "metric")
    assert (overall["journeys"]["before"], overall["journeys"]["after"]) == (
        before.journeys,
        after.journeys,
    )
    assert (overall["conversions"]["before"], overall["conversions"]["after"]) == (
        before.conversions,
        after.conversions,
    )
    rate = overall["conversion_rate"]
    p_before, p_after = before.conversions / before.journeys, after.conversions / after.journeys
    assert rate["change"] == pytest.approx(p_after - p_before)
    assert (rate["ci_low"], rate["ci_high"]) == pytest.approx(
        difference_interval(before.conversions, before.journeys, after.conversions, after.journeys)
    )
    # The classic pooled two-proportion z-test agrees: the fall is more than chance.
    pooled = (before.conversions + after.conversions) / (before.journeys + after.journeys)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / before.journeys + 1 / after.journeys))
    p_value = 2 * norm.sf(abs(p_after - p_before) / spread)
    assert p_value < 0.05 and rate["significant"] is True and rate["change"] < 0
    for side, cohort in (("before", before), ("after", after)):
        assert overall["time_to_convert_median"][side] == pytest.approx(
            statistics.median(cohort.seconds_to_convert)
        )
    # The 2012 cohort's cases were still being worked on when the log ends: said.
    assert any("2,128 (37.8%) after" in note for note in comparison.notes)


@pytest.mark.slow
def test_bpic_cohorts_touchpoints_match_the_raw_log(
    bpic: tuple[Comparison, Cohort, Cohort],
) -> None:
    comparison, before, after = bpic
    rows = _rows(comparison, "touchpoints", "touchpoint")
    assert set(rows) == set(before.met) | set(after.met)
    for touchpoint, row in rows.items():
        assert (row["journeys_before"], row["journeys_after"]) == (
            before.met[touchpoint],
            after.met[touchpoint],
        ), touchpoint
        assert (row["conversions_before"], row["conversions_after"]) == (
            before.met_converted[touchpoint],
            after.met_converted[touchpoint],
        ), touchpoint
        assert (row["ended_before"], row["ended_after"]) == (
            before.ended[touchpoint],
            after.ended[touchpoint],
        ), touchpoint
        if row["status"] == "both":
            low, high = difference_interval(
                before.ended[touchpoint],
                before.met[touchpoint],
                after.ended[touchpoint],
                after.met[touchpoint],
            )
            assert (row["exit_rate_ci_low"], row["exit_rate_ci_high"]) == pytest.approx((low, high))
            assert row["exit_rate_significant"] == (low > 0 or high < 0)
    # The call to chase up offers ("Nabellen offertes") lost most: more cases end there.
    first = comparison.table("touchpoints").to_pylist()[0]
    assert first["touchpoint"] == "W_Nabellen offertes"
    assert first["exit_rate_change"] == pytest.approx(652 / 2175 - 638 / 2836)
    assert first["exit_rate_significant"] and first["conversion_rate_significant"]


@pytest.mark.slow
def test_bpic_cohorts_funnel_and_attribution(bpic: tuple[Comparison, Cohort, Cohort]) -> None:
    comparison, _before, _after = bpic
    before, after = comparison.before, comparison.after
    funnel = {
        side: {row["phase"]: row for row in analysis.table("phase_funnel").to_pylist()}
        for side, analysis in (("before", before), ("after", after))
    }
    phases = comparison.table("phases").to_pylist()
    assert phases[0]["phase_name"] == "O_SENT"  # the drop-off after the offer rose most
    for row in phases:
        for count in ("reached", "moved_on", "converted", "dropped"):
            for side in ("before", "after"):
                assert row[f"{count}_{side}"] == funnel[side][row["phase"]][count]
        assert row["dropoff_rate_change"] == pytest.approx(
            funnel["after"][row["phase"]]["dropoff_rate"]
            - funnel["before"][row["phase"]]["dropoff_rate"]
        )
    assert phases[0]["dropoff_rate_significant"] is True
    last_touch = {
        row["key"]: row
        for row in comparison.table("attribution").to_pylist()
        if row["model"] == "last_touch" and row["level"] == "touchpoint"
    }
    # Every approval is its own last touch (conversion_touch): 100 % on both sides.
    assert (last_touch["A_APPROVED"]["share_before"], last_touch["A_APPROVED"]["share_after"]) == (
        1.0,
        1.0,
    )
