"""The HTML report in a real browser (Debian chromium through Playwright), offline."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from journeymap.model import JourneyMap
from journeymap.render import render_report_html

pytestmark = [pytest.mark.browser, pytest.mark.slow]


Pair = tuple[dict[str, pa.Table], dict[str, Any]]


def _open(browser: Any, html: str, path: Path) -> tuple[Any, list[str]]:
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, requests


def _overlapping(boxes: list[dict[str, float]]) -> list[tuple[int, int]]:
    clashes = []
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        if (
            a["x"] < b["x"] + b["width"] - 0.5
            and b["x"] < a["x"] + a["width"] - 0.5
            and a["y"] < b["y"] + b["height"] - 0.5
            and b["y"] < a["y"] + a["height"] - 0.5
        ):
            clashes.append((i, j))
    return clashes


def _check_report(page: Any, journey_map: JourneyMap, requests: list[str]) -> None:
    assert [url for url in requests if not url.startswith("file://")] == []
    text = page.inner_text("body")
    for phase in journey_map.phases:
        assert phase.name in text
    for persona in journey_map.personas:
        assert persona.display_name in text
    refs = set(
        page.eval_on_selector_all(".jm-map .jm-touchpoint", "els => els.map(e => e.dataset.ref)")
    )
    assert refs == {tp.id for tp in journey_map.touchpoints}
    boxes = page.eval_on_selector_all(
        ".jm-map .jm-box > rect:first-of-type",
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height}; })",
    )
    assert len(boxes) > 20
    assert _overlapping(boxes) == []
    # text stays inside its box: no tspan wider than its rect
    spill = page.eval_on_selector_all(
        ".jm-map .jm-box",
        "gs => gs.filter(g => { const r = g.querySelector('rect').getBoundingClientRect();"
        " return [...g.querySelectorAll('text')].some(t => { const b = t.getBoundingClientRect();"
        " return b.right > r.right + 1 || b.bottom > r.bottom + 1; }); }).length",
    )
    assert spill == 0


def test_example_report_in_chromium(
    browser: Any, example_map: JourneyMap, example_measured: Pair, tmp_path: Path, artifacts: Path
) -> None:
    page, requests = _open(
        browser, render_report_html(example_map, example_measured), tmp_path / "report.html"
    )
    _check_report(page, example_map, requests)
    for chart in ("sankey", "funnel", "attribution", "time_to_convert", "correlation"):
        size = page.eval_on_selector(
            f"#chart-{chart} svg",
            "e => { const r = e.getBoundingClientRect(); return r.width * r.height; }",
        )
        assert size > 10_000, chart
        marks = page.eval_on_selector_all(
            f"#chart-{chart} svg path, #chart-{chart} svg rect", "e => e.length"
        )
        assert marks > 3, chart
    page.screenshot(path=str(artifacts / "report-example.png"), full_page=True)
    page.close()


def test_big_map_report_in_chromium(
    browser: Any, big_map: JourneyMap, big_analysis: Pair, tmp_path: Path, artifacts: Path
) -> None:
    page, requests = _open(
        browser, render_report_html(big_map, big_analysis), tmp_path / "big.html"
    )
    _check_report(page, big_map, requests)
    page.screenshot(path=str(artifacts / "report-big-map.png"), full_page=True)
    page.close()


def test_interactive_report_draws_charts_with_the_inlined_vega_bundle(
    browser: Any, example_map: JourneyMap, example_measured: Pair, tmp_path: Path, artifacts: Path
) -> None:
    html = render_report_html(example_map, example_measured, interactive=True)
    errors: list[str] = []
    path = tmp_path / "interactive.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(path.as_uri())
    page.wait_for_selector("#vis-funnel.vega-embed svg")
    page.wait_for_function("document.querySelectorAll('.vega-embed svg.marks').length >= 4")
    assert [url for url in requests if not url.startswith("file://")] == []
    assert errors == []
    page.screenshot(path=str(artifacts / "report-interactive.png"), full_page=True)
    page.close()
