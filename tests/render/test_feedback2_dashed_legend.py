"""On a persona's map, the marks of all answers and their legend sample are both dashed.

Frank (the CFO of the industrial-machinery map) answered about the quote only: the hotline
and webinar marks are all answers, dashed, and the legend's entry for them must look like
them (it was drawn solid) and say what they are, in Chromium as a reader sees and hears it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.examples import example_path

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

MAP = example_path("industrial-machinery")
SVG = "{http://www.w3.org/2000/svg}"
# CSAT 1..5: Frank and Nadine about the quote; Nadine and anonymous answers about the
# hotline; the webinar's anonymous.
ANSWERS = [
    ("quote", "frank", [1, 2, 1, 2, 3, 1, 2, 2]),
    ("quote", "nadine", [5, 4, 5, 4, 5, 3, 5, 4]),
    ("service-hotline", "nadine", [1, 2, 2, 1, 2, 1]),
    ("service-hotline", "", [5, 4, 5, 5, 4, 5]),
    ("webinar", "", [4, 3, 5, 4, 4]),
]
FALLBACK_LEGEND = "dashed: all answers (none from Frank Möller)"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("feedback2")
    lines = ["respondent,touchpoint,persona,csat"]
    for touchpoint, persona, scores in ANSWERS:
        lines += [f"r{len(lines)},{touchpoint},{persona},{score}" for score in scores]
    survey = folder / "survey.csv"
    survey.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = folder / "ws.duckdb"
    result = CliRunner().invoke(
        app, ["feedback", "import", str(survey), "--map", str(MAP), "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    return db


def _render(workspace: Path, out: Path) -> Path:
    args = ["render", str(MAP), "--persona", "frank", "--feedback", str(workspace), "-o", str(out)]
    result = CliRunner().invoke(app, args, env={"JOURNEYMAP_LANG": "en"})
    assert result.exit_code == 0, result.output
    return out


def _legend(root: ET.Element) -> dict[str, ET.Element]:
    """The measured entries of the legend by their whole name (a cut one's is its title)."""
    found = {}
    for entry in root.iter(f"{SVG}g"):
        if "jm-legend-measured" in (entry.get("class") or ""):
            named = entry.find(f"{SVG}title")
            if named is None:
                named = entry.find(f"{SVG}text")
            assert named is not None
            found["".join(named.itertext())] = entry
    return found


def test_the_legend_sample_of_all_answers_is_dashed_like_its_marks(
    workspace: Path, tmp_path: Path
) -> None:
    root = ET.parse(_render(workspace, tmp_path / "frank.svg")).getroot()
    legend = _legend(root)
    assert list(legend) == ["feedback of Frank Möller, 95 % interval", FALLBACK_LEGEND]
    dashed = legend[FALLBACK_LEGEND].find(f"{SVG}circle")
    solid = legend["feedback of Frank Möller, 95 % interval"].find(f"{SVG}circle")
    mark = next(
        g.find(f"{SVG}circle")
        for g in root.iter(f"{SVG}g")
        if "jm-feedback-fallback" in (g.get("class") or "")
    )
    assert dashed is not None and solid is not None and mark is not None
    assert dashed.get("stroke-dasharray") == mark.get("stroke-dasharray") == "2 1.5"
    assert solid.get("stroke-dasharray") is None


@pytest.mark.browser
@pytest.mark.slow
def test_in_chromium_the_dashed_marks_and_legend_sample_say_all_answers(
    browser: Any, workspace: Path, tmp_path: Path
) -> None:
    report = _render(workspace, tmp_path / "frank.html")
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    dashes = (
        "g => [...g.querySelectorAll('circle')].map(c => {"
        " const r = c.getBoundingClientRect();"
        " return [getComputedStyle(c).strokeDasharray, r.width, r.height]; })"
    )
    try:
        page.goto(report.as_uri())
        svg = page.locator(".map-scroll svg.jm-map")
        # The marks of all answers: named so for screen readers, dashed on screen.
        fallback = svg.get_by_role("img", name=re.compile(r"all answers: none from Frank"))
        assert fallback.count() == 4  # hotline and webinar, and their phases retention, ...
        touchpoints = svg.locator("g.jm-feedback-fallback").evaluate_all(
            "gs => gs.map(g => g.dataset.touchpoint || g.dataset.phase).sort()"
        )
        assert touchpoints == ["consideration", "retention", "service-hotline", "webinar"]
        for index in range(fallback.count()):
            [(dasharray, width, height)] = fallback.nth(index).evaluate(dashes)
            assert dasharray == "2px, 1.5px" and width > 5 and height > 5
        own = svg.get_by_role("img", name=re.compile(r"^Frank Möller · Quote: designed"))
        assert own.evaluate(dashes)[0][0] == "none"  # Frank's own answers: solid
        # The legend entry for them: its whole name read, its sample dashed like them.
        entry = svg.get_by_role("img", name=FALLBACK_LEGEND, exact=True)
        assert entry.count() == 1
        [(dasharray, width, height)] = entry.evaluate(dashes)
        assert dasharray == "2px, 1.5px" and width > 5 and height > 5
        assert "all answers" in entry.evaluate("g => g.textContent")  # on screen too
        first = svg.locator("g.jm-legend-measured").first.evaluate(dashes)
        assert first[0][0] == "none"  # the persona's own feedback: a solid sample
    finally:
        page.close()
