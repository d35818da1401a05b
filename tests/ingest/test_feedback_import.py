"""Feedback import: every survey row is stored on -2..+2 or quarantined with its reason, once."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeymap.errors import UsageError
from journeymap.examples import example_path
from journeymap.ingest.feedback import (
    FeedbackColumns,
    import_feedback,
    infer_scale,
    read_feedback,
    read_feedback_quarantine,
    scale_from,
)
from journeymap.ingest.workspace import Workspace
from journeymap.mapfile import load_map
from journeymap.model import JourneyMap

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

SURVEY = (
    "respondent_id,touchpoint,csat,persona,submitted_at\n"
    "r1,checkout,2,sara,2025-03-01 10:00\n"
    "r2,Checkout,1,,2025-03-01 11:00\n"  # the touchpoint's name, not its id
    "r3,chekout,4,,2025-03-02 09:00\n"  # a typo: quarantined with a did-you-mean
    "r4,size-guide,n/a,,2025-03-02 10:00\n"  # no number
    "r5,size-guide,7,,2025-03-02 11:00\n"  # off the 1..5 scale
    "r6,online-shop,5,saar,2025-03-03 12:00\n"  # unknown persona
    "r7,newsletter,4,,yesterday-ish\n"  # no time
    "r8,,3,,2025-03-04 08:00\n"  # about nothing
    "r9,checkout,2,,2025-03-05 08:00,extra\n"  # one field too many: a malformed line
    "r10,newsletter,5,,2025-03-05 09:00\n"
)


@pytest.fixture
def shop() -> JourneyMap:
    return load_map(example_path("fashion-webshop"))


def _file(tmp_path: Path, text: str = SURVEY, name: str = "survey.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_are_stored_or_quarantined_with_reason_and_row(
    tmp_path: Path, shop: JourneyMap
) -> None:
    with Workspace("duckdb://") as workspace:
        report = import_feedback(workspace, _file(tmp_path), shop, scale="csat")
        stored = read_feedback(workspace, shop.id).to_pylist()
        rejected = read_feedback_quarantine(workspace, shop.id).to_pylist()
    assert (report.rows_read, report.rows_imported, report.rows_quarantined) == (10, 3, 7)
    assert report.reasons == {
        "unknown touchpoint": 1,
        "unparseable score": 1,
        "score outside the scale": 1,
        "unknown persona": 1,
        "unparseable timestamp": 1,
        "missing touchpoint": 1,
        "malformed row": 1,
    }
    by_row = {row["row_number"]: row for row in rejected}
    assert by_row[3]["reason"] == "unknown touchpoint"
    assert (by_row[3]["value"], by_row[3]["suggestion"]) == ("chekout", "checkout")
    assert by_row[6]["suggestion"] == "sara"
    assert json.loads(by_row[4]["raw"])["csat"] == "n/a"
    # CSAT 1..5 maps to -2..+2 as score - 3; "Checkout" is the checkout's name.
    assert [(r["touchpoint"], r["persona"], r["score"]) for r in stored] == [
        ("checkout", "sara", -1.0),
        ("checkout", None, -2.0),
        ("newsletter", None, 2.0),
    ]
    assert stored[0]["person_id"] == "r1" and stored[0]["ts"].hour == 10


def test_importing_the_same_file_again_stores_nothing_twice(
    tmp_path: Path, shop: JourneyMap
) -> None:
    text = "touchpoint,score\ncheckout,2\ncheckout,2\ncheckout,5\n"  # two equal answers stay two
    path = _file(tmp_path, text)
    url = f"duckdb:///{tmp_path / 'ws.duckdb'}"
    with Workspace(url) as workspace:
        first = import_feedback(workspace, path, shop, scale="csat")
    with Workspace(url) as workspace:
        again = import_feedback(workspace, path, shop, scale="csat")
        assert read_feedback(workspace, shop.id).num_rows == 3
    assert (first.rows_imported, again.rows_imported, again.rows_already_imported) == (3, 0, 3)
    path.write_text(text + "checkout,1\n", encoding="utf-8")  # the next export: one answer more
    with Workspace(url) as workspace:
        grown = import_feedback(workspace, path, shop, scale="csat")
        assert read_feedback(workspace, shop.id).num_rows == 4
    assert (grown.rows_imported, grown.rows_already_imported) == (1, 3)


def test_replace_imports_a_file_again_on_another_scale(tmp_path: Path, shop: JourneyMap) -> None:
    path = _file(tmp_path, "touchpoint,score\ncheckout,5\ncheckout,4\n")
    with Workspace("duckdb://") as workspace:
        import_feedback(workspace, path, shop, scale="csat")
        report = import_feedback(workspace, path, shop, scale="1..10", replace=True)
        scores = read_feedback(workspace, shop.id).column("score").to_pylist()
    assert (report.rows_replaced, report.rows_imported) == (2, 2)
    assert scores == pytest.approx([-2 + 4 * 4 / 9, -2 + 4 * 3 / 9])


def test_scale_is_inferred_and_said(tmp_path: Path, shop: JourneyMap) -> None:
    with Workspace("duckdb://") as workspace:
        report = import_feedback(
            workspace, _file(tmp_path, "touchpoint,rating\ncheckout,0\ncheckout,10\n"), shop
        )
    assert report.scale == "NPS 0..10"
    assert report.scale_inferred == "the scores run from 0 to 10"


@pytest.mark.parametrize(
    ("scale", "raw", "expected"),
    [
        ("csat", "1", -2.0),
        ("csat", "4", 1.0),
        ("nps", "0", -2.0),
        ("nps", "7", 0.8),
        ("nps", "10", 2.0),
        ("ces", "7", 2.0),
        ("ces", "4", 0.0),
        ("emotion", "-0.5", -0.5),
        ("sentiment", "Negative", -2.0),
        ("sentiment", "neutral", 0.0),
        ("sentiment", "positiv", 2.0),
        ("1..10", "5,5", 0.0),
    ],
)
def test_every_scale_maps_its_ends_to_minus_two_and_plus_two(
    scale: str, raw: str, expected: float
) -> None:
    score, reason = scale_from(scale).normalise(raw)
    assert reason is None
    assert score == pytest.approx(expected)


def test_reverse_turns_a_scale_whose_one_is_best_around() -> None:
    assert scale_from("ces", reverse=True).normalise("1") == (2.0, None)
    assert scale_from("csat").normalise("6") == (None, "score outside the scale")
    with pytest.raises(UsageError, match="numeric scales"):
        scale_from("sentiment", reverse=True)
    with pytest.raises(UsageError, match="unknown scale 'stars'"):
        scale_from("stars")


def test_inference_reads_names_labels_and_ranges() -> None:
    assert infer_scale("NPS score", ["3"])[0].name == "nps"
    assert infer_scale("mood", ["positive", "Negative"])[0].name == "sentiment"
    assert infer_scale("score", ["-1", "2"])[0].name == "emotion"
    assert infer_scale("score", ["1", "5"])[0].name == "csat"
    assert infer_scale("score", ["1", "6"])[0].name == "ces"
    with pytest.raises(UsageError, match="give it with --scale"):
        infer_scale("score", ["12", "85"])


def test_parquet_and_jsonl_with_a_constant_touchpoint(tmp_path: Path, shop: JourneyMap) -> None:
    """An order-review export: every score is about one touchpoint (the checkout)."""
    parquet = tmp_path / "reviews.parquet"
    pq.write_table(pa.table({"order_id": ["o1", "o2"], "review_score": [5, 1]}), parquet)
    jsonl = tmp_path / "reviews.jsonl"
    jsonl.write_text(
        '{"order_id": "o3", "review_score": 3}\n{"order_id": "o4", "review_score": 4}\nnot json\n',
        encoding="utf-8",
    )
    columns = FeedbackColumns(touchpoint="Checkout", person="order_id")
    with Workspace("duckdb://") as workspace:
        first = import_feedback(workspace, parquet, shop, scale="csat", columns=columns)
        second = import_feedback(workspace, jsonl, shop, scale="csat", columns=columns)
        stored = read_feedback(workspace, shop.id).to_pylist()
    assert (first.rows_imported, second.rows_imported, second.rows_quarantined) == (2, 2, 1)
    assert second.reasons == {"malformed row": 1}
    assert {row["touchpoint"] for row in stored} == {"checkout"}
    assert {row["person_id"]: row["score"] for row in stored} == {
        "o1": 2.0,
        "o2": -2.0,
        "o3": 0.0,
        "o4": 1.0,
    }


def test_mistakes_in_the_options_are_said_plainly(tmp_path: Path, shop: JourneyMap) -> None:
    path = _file(tmp_path, "touchpoint,score\ncheckout,2\n")
    with Workspace("duckdb://") as workspace:
        with pytest.raises(UsageError, match="did you mean 'touchpoint'"):
            import_feedback(
                workspace, path, shop, columns=FeedbackColumns(touchpoint_column="touchpiont")
            )
        with pytest.raises(UsageError, match="did you mean 'checkout'"):
            import_feedback(workspace, path, shop, columns=FeedbackColumns(touchpoint="chekout"))
        with pytest.raises(UsageError, match="nothing says what the feedback is about"):
            import_feedback(workspace, _file(tmp_path, "score\n2\n", "bare.csv"), shop)
        with pytest.raises(UsageError, match="no score column"):
            import_feedback(workspace, _file(tmp_path, "touchpoint\nad\n", "none.csv"), shop)
        assert read_feedback(workspace).num_rows == 0
