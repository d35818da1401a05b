"""The measured feeling beside the designed emotion: a hollow circle with its 95 % whisker."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from journeymap.analysis.feedback import FeedbackComparison, compare_feedback
from journeymap.examples import example_path
from journeymap.mapfile import load_map
from journeymap.model import JourneyMap
from journeymap.render import render_map_svg, render_report_html
from journeymap.render.emotion_curve import emotion_y
from journeymap.render.feedback_marks import measured_feelings
from journeymap.render.map_svg import build_layout

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def shop() -> JourneyMap:
    return load_map(example_path("fashion-webshop"))


@pytest.fixture(scope="module")
def comparison(shop: JourneyMap) -> FeedbackComparison:
    """Checkout well below its designed +1.5; the size guide on its design (-0.5 via phase)."""
    checkout = [-1.0, -1.0, -2.0, -1.0, 0.0, -1.0]
    guide = [-1.0, 0.0, -0.5, 0.0, -1.0, -0.5]
    touchpoints = ["checkout"] * 6 + ["size-guide"] * 6
    answers = pa.table({"touchpoint": touchpoints, "score": checkout + guide})
    return compare_feedback(shop, answers)


def _marks(svg: str) -> dict[tuple[str, str], ET.Element]:
    root = ET.fromstring(svg)
    return {
        (g.get("data-level", ""), g.get("data-touchpoint") or g.get("data-phase", "")): g
        for g in root.iter(f"{SVG}g")
        if "jm-feedback-mark" in g.get("class", "").split()
    }


def test_without_feedback_the_map_draws_no_measured_mark(shop: JourneyMap) -> None:
    svg = render_map_svg(shop)
    assert "jm-feedback-mark" not in svg and "jm-legend-measured" not in svg


def test_each_touchpoint_and_phase_with_feedback_has_a_mark_at_its_mean(
    shop: JourneyMap, comparison: FeedbackComparison
) -> None:
    with measured_feelings(comparison):
        svg = render_map_svg(shop)
        layout, _measured = build_layout(shop)
    marks = _marks(svg)
    assert set(marks) == {
        ("touchpoint", "checkout"),
        ("touchpoint", "size-guide"),
        ("phase", "purchase"),
        ("phase", "consideration"),
    }
    band = layout.lanes["emotion"]
    row = comparison.rows("touchpoint")[0]
    checkout = marks[("touchpoint", "checkout")]
    circle = checkout.find(f"{SVG}circle")
    assert circle is not None and circle.get("fill") == "#ffffff"  # hollow: not a designed point
    assert float(circle.get("cy", "0")) == pytest.approx(emotion_y(band, row["mean"]), abs=0.1)
    whisker = checkout.find(f"{SVG}line")
    assert whisker is not None
    ends = sorted(float(whisker.get(end, "0")) for end in ("y1", "y2"))
    expected = sorted(emotion_y(band, value) for value in (row["low"], row["high"]))
    assert ends == pytest.approx(expected, abs=0.1)
    assert "jm-feedback-significant" in checkout.get("class", "")
    assert "jm-feedback-significant" not in marks[("touchpoint", "size-guide")].get("class", "")


def test_each_mark_is_named_for_screen_readers_and_in_the_legend(
    shop: JourneyMap, comparison: FeedbackComparison
) -> None:
    with measured_feelings(comparison):
        svg = render_map_svg(shop)
    checkout = _marks(svg)[("touchpoint", "checkout")]
    assert checkout.get("role") == "img"
    label = checkout.get("aria-label", "")
    assert label.startswith("Checkout: designed +1.5, measured -1.0 (n=6, 95 % -1.")
    assert label.endswith("the interval excludes the designed emotion")
    title = checkout.find(f"{SVG}title")
    assert title is not None and title.text == label
    root = ET.fromstring(svg)
    legends = [g for g in root.iter(f"{SVG}g") if "jm-legend-measured" in g.get("class", "")]
    assert len(legends) == 1
    assert "".join(legends[0].itertext()).split() == ["feedback,", "95", "%", "interval"]


def test_the_mark_speaks_the_maps_language(comparison: FeedbackComparison) -> None:
    danish = load_map(example_path("fashion-webshop")).model_copy(update={"language": "da"})
    with measured_feelings(comparison):
        svg = render_map_svg(danish)
    label = _marks(svg)[("touchpoint", "checkout")].get("aria-label", "")
    assert "designet +1,5, målt -1,0" in label


@pytest.mark.browser
@pytest.mark.slow
def test_in_chromium_the_marks_stand_in_the_emotion_lane_beside_the_design(
    browser: Any, shop: JourneyMap, comparison: FeedbackComparison, tmp_path: Path
) -> None:
    path = tmp_path / "report.html"
    with measured_feelings(comparison):
        path.write_text(render_report_html(shop), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    try:
        page.goto(path.as_uri())
        box = "e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom, r.left]; }"
        lane = page.eval_on_selector(
            ".map-scroll svg.jm-map g.jm-label[data-lane='emotion'] rect", box
        )
        marks = page.eval_on_selector_all(
            ".map-scroll svg.jm-map g.jm-feedback-mark",
            "els => els.map(g => { const r = g.getBoundingClientRect();"
            " return [g.dataset.touchpoint || g.dataset.phase, r.top, r.bottom, r.width]; })",
        )
        assert sorted(mark[0] for mark in marks) == [
            "checkout",
            "consideration",
            "purchase",
            "size-guide",
        ]
        for _name, top, bottom, width in marks:
            assert lane[0] <= top and bottom <= lane[1]  # inside the emotion lane
            assert width > 4  # drawn, not collapsed
        diamond = page.eval_on_selector(
            ".map-scroll svg.jm-map g.jm-emotion-marker[data-touchpoint='size-guide'] path",
            "e => e.getBoundingClientRect().right",
        )
        guide = page.eval_on_selector(
            ".map-scroll svg.jm-map g.jm-feedback-mark[data-touchpoint='size-guide'] circle",
            "e => e.getBoundingClientRect().left",
        )
        assert guide >= diamond - 1  # beside the designed diamond, not on it
        legend = page.eval_on_selector(
            ".map-scroll svg.jm-map g.jm-legend-measured",
            "g => [g.textContent, g.getBoundingClientRect().width]",
        )
        assert "feedback" in legend[0] and legend[1] > 20
    finally:
        page.close()


def test_an_analysis_that_took_the_feedback_along_draws_it(
    example_map: JourneyMap, example_analysis: Any, tmp_path: Path
) -> None:
    """``analyze`` of a workspace with feedback keeps it as its ``feedback`` table."""
    from journeymap.analysis import Analysis
    from journeymap.services.render import render_file

    touchpoint = example_map.touchpoints[0].id
    answers = pa.table({"touchpoint": [touchpoint] * 6, "score": [-2.0, -1, -2, -1, -2, -1]})
    tables = {**example_analysis.tables, "feedback": compare_feedback(example_map, answers).table}
    folder = tmp_path / "analysis"
    Analysis(tables, dict(example_analysis.summary), journey_map=example_map).save(folder)
    map_file = tmp_path / "map.yaml"
    map_file.write_text(example_path("payment-provider").read_text(encoding="utf-8"))
    written = render_file(map_file, folder, "svg", tmp_path / "map.svg")
    marks = _marks(written.path.read_text(encoding="utf-8"))
    assert ("touchpoint", touchpoint) in marks
    assert written.feedback_answers == 6
