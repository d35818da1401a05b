"""The report on a phone, by keyboard, for a screen reader and in a tagged PDF.

On a 390 px phone the breakdown table's rate column and half of each chart were cut at the
right edge with no hint; the scroll boxes could not be reached by keyboard (Tab landed
nowhere); a screen reader read the heatmap as "44 % 14 % 9 % ..." with no rows or columns;
the touchpoint cards' bars were explained only in a hover tooltip and in a legend whose lines
ran past the phone's edge; and the PDF was untagged.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from journeymap.analysis import Analysis
from journeymap.model import JourneyMap
from journeymap.render import render_report_html
from journeymap.render.export import render_report_pdf

Pair = tuple[dict[str, pa.Table], dict[str, Any]]
PHONE = {"width": 390, "height": 844}
BAR_NOTE = "Bar at the foot of a touchpoint (exit touchpoint)"


@pytest.fixture
def phone_page(
    browser: Any,
    example_map: JourneyMap,
    example_breakdown_analysis: Analysis,
    tmp_path: Path,
) -> Iterator[Any]:
    """The example's report with a persona breakdown and every chart, on a phone."""
    assert "attribution" in example_breakdown_analysis.tables
    path = tmp_path / "report.html"
    path.write_text(render_report_html(example_map, example_breakdown_analysis), encoding="utf-8")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    yield page
    assert errors == []
    context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_charts_fit_a_phone_or_say_that_they_scroll(phone_page: Any) -> None:
    charts = phone_page.evaluate(
        """() => [...document.querySelectorAll('.chart .vis-box')].map(box => {
            const svg = box.querySelector('svg').getBoundingClientRect();
            const hint = box.previousElementSibling;
            return {id: box.querySelector('.vis').id, svgWidth: svg.width,
                natural: +box.querySelector('svg').getAttribute('width'),
                boxWidth: box.clientWidth, overflows: box.scrollWidth > box.clientWidth + 1,
                hint: hint.classList.contains('scroll-hint')
                    && hint.getBoundingClientRect().height > 0};
        })"""
    )
    assert {chart["id"] for chart in charts} >= {"vis-funnel", "vis-attribution", "vis-sankey"}
    by_id = {chart["id"]: chart for chart in charts}
    # The funnel (627 px drawn) shrinks to the phone's width instead of being cut.
    funnel = by_id["vis-funnel"]
    assert funnel["natural"] > PHONE["width"]
    assert funnel["svgWidth"] <= funnel["boxWidth"] and not funnel["overflows"]
    for chart in charts:
        # Never below half its size; wider than the box only with the hint above it.
        assert chart["svgWidth"] >= chart["natural"] * 0.5 - 1, chart
        assert chart["hint"] == chart["overflows"], chart
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.browser
@pytest.mark.slow
def test_the_scroll_boxes_are_reached_by_keyboard_and_named(phone_page: Any) -> None:
    reached = []
    for _ in range(60):
        phone_page.keyboard.press("Tab")
        focused = phone_page.evaluate(
            """() => { const e = document.activeElement;
                return e && e.hasAttribute('data-scroll') ? {role: e.getAttribute('role'),
                name: e.getAttribute('aria-label'), cls: e.className,
                overflows: e.scrollWidth > e.clientWidth + 1} : null; }"""
        )
        if focused:
            reached.append(focused)
    names = [box["name"] for box in reached]
    assert "Phase funnel by persona" in names  # the breakdown table
    assert "Journey map" in names and "Funnel with drop-off" in names
    assert all(box["role"] == "region" and box["name"] for box in reached)
    # The breakdown table is wider than the phone: the arrow keys scroll it.
    box = phone_page.locator('[data-scroll][aria-label="Phase funnel by persona"]')
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    box.focus()
    phone_page.keyboard.press("ArrowRight")
    phone_page.keyboard.press("ArrowRight")
    # The browser may scroll smoothly: wait for it (on a busy machine it takes a while).
    box.evaluate(
        """e => new Promise((done, fail) => {
            const start = Date.now();
            (function check() {
                if (e.scrollLeft > 0) return done(true);
                if (Date.now() - start > 5000) return fail(new Error("not scrolled"));
                requestAnimationFrame(check);
            })();
        })"""
    )
    assert box.evaluate("e => e.scrollLeft") > 0
    # And says so above it.
    assert box.evaluate("e => e.previousElementSibling.getBoundingClientRect().height > 0")


@pytest.mark.browser
@pytest.mark.slow
def test_a_screen_reader_gets_each_chart_as_rows_and_columns(
    phone_page: Any, example_breakdown_analysis: Analysis
) -> None:
    heatmap = phone_page.locator("#chart-attribution details")
    heatmap.locator("summary").click()
    table = heatmap.get_by_role("table", name="Attribution compared across models")
    header = [cell.inner_text() for cell in table.get_by_role("columnheader").all()]
    assert header[:3] == ["Touchpoint", "First touch", "Last touch"] and "Markov chain" in header
    attribution = example_breakdown_analysis.table("attribution").to_pylist()
    credited = {row["key"] for row in attribution if row["level"] == "touchpoint"}
    rows = table.get_by_role("row").all()
    assert len(rows) == 1 + len(credited)
    first = rows[1].get_by_role("rowheader").inner_text()
    cells = [cell.inner_text() for cell in rows[1].get_by_role("cell").all()]
    assert first and all(re.fullmatch(r"(< )?\d+(\.\d)?%|–", cell) for cell in cells), cells
    funnel = phone_page.locator("#chart-funnel details")
    funnel.locator("summary").click()
    phases = funnel.get_by_role("rowheader").all_inner_texts()
    assert phases[0] == "Awareness"


@pytest.mark.browser
@pytest.mark.slow
def test_the_bars_meaning_is_readable_on_a_phone(phone_page: Any) -> None:
    note = phone_page.locator("#map > p.note")
    assert BAR_NOTE in note.inner_text()
    box = note.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


@pytest.mark.slow
def test_the_pdf_is_tagged_and_explains_the_bars(
    example_map: JourneyMap, example_measured: Pair, tmp_path: Path
) -> None:
    pdfinfo, pdftotext = shutil.which("pdfinfo"), shutil.which("pdftotext")
    assert pdfinfo and pdftotext, "poppler-utils are needed"
    path = render_report_pdf(example_map, example_measured, tmp_path / "report.pdf")
    info = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M)
    text = subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Conversion rate per touchpoint" in flat
    assert BAR_NOTE in flat
    # The hint and the charts' tables are for screens: paper shows the charts whole.
    # (WeasyPrint runs no scroll timeline: print CSS hides the hint outright.)
    assert "scroll sideways" not in flat and "The chart's figures as a table" not in flat
