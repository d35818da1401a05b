"""Designed versus measured feelings: n, mean, 95 % t-interval, gap and flag per element."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest
from scipy import stats

from journeymap.analysis.feedback import MIN_ANSWERS, compare_feedback, feedback_in
from journeymap.examples import example_path
from journeymap.ingest.feedback import import_feedback
from journeymap.ingest.workspace import Workspace
from journeymap.mapfile import load_map
from journeymap.model import JourneyMap

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]


@pytest.fixture
def shop() -> JourneyMap:
    """Designed: purchase +1.5 (phase), consideration -0.5, Sara at the size guide +1."""
    return load_map(example_path("fashion-webshop"))


def _answers(*rows: tuple[str | None, str | None, str | None, float]) -> pa.Table:
    return pa.table(
        {
            "touchpoint": [row[0] for row in rows],
            "phase": [row[1] for row in rows],
            "persona": [row[2] for row in rows],
            "score": [row[3] for row in rows],
        }
    )


def test_checkout_below_design_is_flagged_with_its_t_interval(shop: JourneyMap) -> None:
    scores = [-1.0, -1.0, -2.0, -1.0, 0.0, -1.0, -0.5, -1.5]
    result = compare_feedback(shop, _answers(*[("checkout", None, None, s) for s in scores]))
    row = result.rows("touchpoint")[0]
    mean = sum(scores) / len(scores)
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / (len(scores) - 1))
    half = stats.t.ppf(0.975, len(scores) - 1) * sd / math.sqrt(len(scores))
    assert (row["name"], row["phase"], row["n"]) == ("Checkout", "purchase", 8)
    assert row["mean"] == pytest.approx(mean)
    assert (row["low"], row["high"]) == pytest.approx((mean - half, mean + half))
    # The checkout has no cell of its own: the purchase phase's designed +1.5 stands for it.
    assert (row["designed"], row["designed_from"]) == (1.5, "phase")
    assert row["gap"] == pytest.approx(mean - 1.5)
    assert row["significant"] is True
    phase = result.rows("phase")[0]
    assert (phase["name"], phase["n"], phase["significant"]) == ("Purchase", 8, True)


def test_a_measured_feeling_that_fits_the_design_is_not_flagged(shop: JourneyMap) -> None:
    scores = [2.0, 1.0, 2.0, 1.0, 1.5, 2.0]
    result = compare_feedback(shop, _answers(*[("checkout", None, None, s) for s in scores]))
    row = result.rows("touchpoint")[0]
    assert row["low"] < 1.5 < row["high"]
    assert row["significant"] is False


def test_few_answers_are_never_flagged(shop: JourneyMap) -> None:
    few = [("checkout", None, None, -2.0)] * (MIN_ANSWERS - 1)
    row = compare_feedback(shop, _answers(*few)).rows("touchpoint")[0]
    assert (row["n"], row["gap"], row["significant"]) == (MIN_ANSWERS - 1, -3.5, False)
    single = compare_feedback(shop, _answers(("checkout", None, None, 1.0))).rows("touchpoint")[0]
    assert (single["low"], single["high"]) == (None, None)


def test_persona_rows_take_the_personas_own_designed_emotion(shop: JourneyMap) -> None:
    answers = [("size-guide", None, "sara", -1.0)] * 6 + [("size-guide", None, None, 0.0)] * 4
    result = compare_feedback(shop, _answers(*answers))
    sara = result.rows("persona_touchpoint")[0]
    assert (sara["name"], sara["n"]) == ("Sara Jensen · Size guide", 6)
    assert (sara["designed"], sara["designed_from"]) == (1.0, "touchpoint")
    everyone = result.rows("touchpoint")[0]
    assert (everyone["n"], everyone["designed"], everyone["designed_from"]) == (10, -0.5, "phase")
    assert result.rows("persona")[0]["phase"] == "consideration"


def test_largest_significant_gaps_come_first(shop: JourneyMap) -> None:
    answers = (
        [("checkout", None, None, -1.0)] * 5
        + [("checkout", None, None, -0.5)] * 5
        + [("size-guide", None, None, 0.5)] * 5
        + [("size-guide", None, None, 0.0)] * 5
        + [(None, "loyalty", None, 2.0)] * 3
    )
    result = compare_feedback(shop, _answers(*answers))
    names = [row["name"] for row in result.rows()]
    assert names[:2] == ["Checkout", "Purchase"]  # gap -2.25, then the unflagged rows
    flags = [row["significant"] for row in result.rows()]
    assert flags == sorted(flags, reverse=True)
    assert result.rows()[-1]["name"] == "Loyalty"  # 3 answers, gap 0: last
    assert list(result.to_pandas().columns)[:6] == [
        "level",
        "phase",
        "touchpoint",
        "persona",
        "name",
        "n",
    ]
    assert result.to_polars().height == len(names)


def test_answers_about_elements_the_map_lost_are_counted_not_compared(shop: JourneyMap) -> None:
    result = compare_feedback(
        shop, _answers(("gone", None, None, 1.0), ("checkout", None, None, 1.0))
    )
    assert (result.answers, result.off_map) == (1, {"gone": 1})


def test_the_workspace_feedback_is_compared_for_its_map(shop: JourneyMap) -> None:
    with Workspace("duckdb://") as workspace:
        assert feedback_in(workspace, shop) is None
        answers = pa.table({"touchpoint": ["checkout"] * 6, "csat": ["1", "2", "2", "1", "3", "2"]})
        import_feedback(workspace, answers, shop)
        result = feedback_in(workspace, shop)
    assert result is not None
    row = result.rows("touchpoint")[0]
    assert (row["n"], row["mean"], row["significant"]) == (6, pytest.approx(-7 / 6), True)
