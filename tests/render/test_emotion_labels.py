"""An emotion's label ("annoyed") is shown beside its point, in its tooltip, and by ``show``.

The user test: a cell ``emotion: {score: -2, label: annoyed}`` was drawn as a bare point, its
tooltip read "Nils Newcomer, Purchase: -2" and ``journeymap show`` printed only "-2 ▼▼".
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app, console
from journeymap.model import JourneyMap
from journeymap.render import render_report_html
from journeymap.render.map_svg import render_map_svg

SVG = "{http://www.w3.org/2000/svg}"


def _labels(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    """(persona id, phase id) -> the label group drawn beside that point."""
    return {
        (g.get("data-ref", ""), g.get("data-phase", "")): g
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "jm-emotion-label"
    }


def _point(root: ET.Element, persona: str, phase: str) -> ET.Element:
    [point] = [
        c
        for c in root.iter(f"{SVG}circle")
        if c.get("data-ref") == persona and c.get("data-phase") == phase
    ]
    return point


def test_the_label_is_written_beside_its_point(user_test_map: JourneyMap) -> None:
    root = ET.fromstring(render_map_svg(user_test_map))
    label = _labels(root)[("nils", "purchase")]
    text = label.find(f"{SVG}text")
    assert text is not None and text.text == "annoyed"
    point = _point(root, "nils", "purchase")
    # Right of the point, at about its height (the three labels of this phase are stacked).
    assert 0 < float(text.get("x", "")) - float(point.get("cx", "")) < 20
    assert abs(float(text.get("y", "")) - float(point.get("cy", ""))) < 3 * 13
    # A point without a label has none beside it.
    assert ("nils", "consideration") not in _labels(root)


def test_the_tooltip_names_the_label(user_test_map: JourneyMap) -> None:
    root = ET.fromstring(render_map_svg(user_test_map))
    title = _point(root, "nils", "purchase").find(f"{SVG}title")
    assert title is not None and title.text == "Nils Newcomer, Purchase: -2 (annoyed)"
    title = _point(root, "nils", "consideration").find(f"{SVG}title")
    assert title is not None and title.text == "Nils Newcomer, Consideration: 0"


def test_a_long_label_is_wrapped_whole_with_its_tooltip(user_test_map: JourneyMap) -> None:
    # Before, it was cut to "relieved but…" (the rest only in the tooltip).
    root = ET.fromstring(render_map_svg(user_test_map))
    label = _labels(root)[("bo", "purchase")]
    text, title = label.find(f"{SVG}text"), label.find(f"{SVG}title")
    assert text is not None and title is not None
    lines = [span.text for span in text.iter(f"{SVG}tspan")]
    assert lines == ["relieved but", "still a little", "unsure about it"]
    assert title.text == "relieved but still a little unsure about it"


def test_a_persona_without_its_own_cell_shows_no_label_the_buying_center_curve_does(
    user_test_map_dict: Callable[[str], dict[str, Any]],
) -> None:
    # Before, each persona without a cell in loyalty was labelled "delighted" as if it were
    # their own feeling; the phase's shared cell is the whole buying center's.
    data = user_test_map_dict("en")
    data["cells"].append({"phase": "loyalty", "emotion": {"score": 2, "label": "delighted"}})
    root = ET.fromstring(render_map_svg(JourneyMap.model_validate(data)))
    labels = _labels(root)
    assert [persona for persona, phase in labels if phase == "loyalty"] == [""]
    assert "".join(labels[("", "loyalty")].find(f"{SVG}text").itertext()) == "delighted"  # type: ignore[union-attr]


@pytest.mark.browser
@pytest.mark.slow
def test_labels_of_one_phase_do_not_overlap_and_stay_in_their_lane_and_column(
    browser: Any, user_test_map: JourneyMap, tmp_path: Path
) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_report_html(user_test_map), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(path.as_uri())
    boxes = page.eval_on_selector_all(
        "g.jm-emotion-label text",
        "els => els.map(e => { const b = e.getBoundingClientRect();"
        " return {text: e.textContent, x: b.x, y: b.y, width: b.width, height: b.height,"
        " size: parseFloat(getComputedStyle(e).fontSize)}; })",
    )
    long = "relieved but still a little unsure about it"
    assert {box["text"] for box in boxes} == {"curious", "annoyed", "angry", long}
    assert min(box["size"] for box in boxes) >= 10  # legible, as the cards' badges at least
    purchase = [box for box in boxes if box["text"] != "curious"]
    for i, a in enumerate(purchase):
        for b in purchase[i + 1 :]:
            assert a["y"] + a["height"] <= b["y"] + 0.5 or b["y"] + b["height"] <= a["y"] + 0.5
    lane = page.eval_on_selector(
        "g.jm-label[data-lane='emotion'] rect",
        "e => { const b = e.getBoundingClientRect(); return {top: b.y, bottom: b.bottom}; }",
    )
    column = page.eval_on_selector(
        "g.jm-header[data-ref='purchase'] rect",
        "e => { const b = e.getBoundingClientRect(); return {left: b.x, right: b.right}; }",
    )
    for box in purchase:
        assert lane["top"] <= box["y"] and box["y"] + box["height"] <= lane["bottom"]
        assert column["left"] <= box["x"] and box["x"] + box["width"] <= column["right"]
    page.close()


@pytest.fixture
def console_160() -> Iterator[None]:
    saved = console._width
    console.width = 160
    yield
    console._width = saved


def test_show_prints_the_label_after_the_glyph(
    tmp_path: Path, console_160: None, user_test_map_dict: Callable[[str], dict[str, Any]]
) -> None:
    path = tmp_path / "map.json"
    path.write_text(json.dumps(user_test_map_dict("en")), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["show", str(path)], env={"JOURNEYMAP_LANG": "en", "COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    assert "-2 ▼▼ annoyed" in result.output
    assert "+1 ▲ curious" in result.output
