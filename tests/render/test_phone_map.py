"""The map on a phone: lane labels and phase headers stay in view while it scrolls.

A reader on a 390 px phone swiped the map sideways and lost the lane labels and the phase
headers with the first swipe; the label column took 40 % of the screen. On a phone the report
now keeps a narrow label column on the left of the map's box and the phase headers on its top
(``render/map_sticky.py``); on a desktop and in the SVG, PNG and PDF nothing changes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from journeymap.model import JourneyMap
from journeymap.render import render_map_svg, render_report_html
from journeymap.render.layout import CHAR_WIDTH_EM
from journeymap.render.map_pages import map_print_pages
from journeymap.render.map_sticky import LINE_FACTOR, PHONE_LABEL_BOX, sticky_map
from journeymap.render.map_svg import build_layout

Pair = tuple[dict[str, pa.Table], dict[str, Any]]
SVG = "{http://www.w3.org/2000/svg}"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
PANES = re.compile(
    r'<div class="map-corner".*?(?=<svg xmlns="http://www.w3.org/2000/svg" class="jm-map" )', re.S
)


@pytest.mark.parametrize("language", ["en", "da", "de"])
def test_every_phone_label_fits_its_lane_with_whole_words(
    example_map: JourneyMap, example_measured: Pair, language: str
) -> None:
    translated = example_map.model_copy(update={"language": language})
    layout, _ = build_layout(translated, example_measured)
    root = ET.fromstring(sticky_map(translated, layout).lanes_svg)
    labels = {
        group.get("data-lane"): group
        for group in root.iter(f"{SVG}g")
        if group.get("class") == "jm-sticky-label"
    }
    assert set(labels) == set(layout.lanes)
    for lane, group in labels.items():
        rect = group.find(f"{SVG}rect")
        text = group.find(f"{SVG}text")
        assert rect is not None and text is not None
        size = float(text.get("font-size", "0"))
        lines = [span.text or "" for span in text.iter(f"{SVG}tspan")]
        assert size >= 8, lane
        assert len(lines) * size * LINE_FACTOR <= float(rect.get("height", "0")), lane
        # Wrapped between words, each line within the box.
        title = group.findtext(f"{SVG}title")
        assert " ".join(lines) == title, lane
        assert all(len(line) * size * CHAR_WIDTH_EM <= PHONE_LABEL_BOX for line in lines), lane


def test_exports_and_print_pages_have_no_phone_panes(
    example_map: JourneyMap, example_measured: Pair
) -> None:
    assert "jm-sticky" not in render_map_svg(example_map, example_measured)
    printed = render_report_html(
        example_map, example_measured, embed_fonts=False, paginate_map=map_print_pages
    )
    assert 'class="map-lanes"' not in printed and "jm-sticky" not in printed
    html = render_report_html(example_map, example_measured)
    assert html.count('class="map-lanes" aria-hidden="true"') == 1


def _open(browser: Any, html: str, path: Path, viewport: dict[str, int]) -> Any:
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport=viewport)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


# The lane's label the reader sees: a label group of the lane (the map's own or the phone's
# column) inside the screen and on top at its centre, with the rect's width and the lane.
VISIBLE_LABEL = """lane => {
  const box = document.querySelector('.map-scroll').getBoundingClientRect();
  const groups = [...document.querySelectorAll(`g[data-lane="${lane}"]`)]
    .filter(g => /label/.test(g.getAttribute('class')));
  for (const g of groups) {
    const r = g.querySelector('rect').getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = Math.max(r.top, box.top) + 6;
    if (r.left < 0 || r.right > innerWidth || y < 0 || y > Math.min(innerHeight, box.bottom)) {
      continue;
    }
    const hit = document.elementFromPoint(x, y);
    if (hit && g.contains(hit)) return {width: r.width, top: y};
  }
  return null;
}"""

# The phase header the reader sees above the lane's label, near the map box's right end.
HEADER_ABOVE = """top => {
  const box = document.querySelector('.map-scroll').getBoundingClientRect();
  for (let y = Math.max(box.top, 0) + 1; y < top; y += 4) {
    const hit = document.elementFromPoint(box.right - 60, y);
    const header = hit && hit.closest('g[data-lane="phases"]');
    if (header) return header.dataset.ref;
  }
  return null;
}"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("case", ["example", "big"])
def test_on_a_phone_lane_labels_and_phase_headers_stay_in_view(
    browser: Any,
    example_map: JourneyMap,
    example_measured: Pair,
    big_map: JourneyMap,
    big_analysis: Pair,
    tmp_path: Path,
    artifacts: Path,
    case: str,
) -> None:
    journey_map, analysis = (
        (example_map, example_measured) if case == "example" else (big_map, big_analysis)
    )
    layout, _ = build_layout(journey_map, analysis)
    last_phase = journey_map.ordered_phases()[-1].id
    page = _open(browser, render_report_html(journey_map, analysis), tmp_path / "r.html", PHONE)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.eval_on_selector(".map-scroll", "e => e.scrollIntoView()")
        page.eval_on_selector(".map-scroll", "e => { e.scrollLeft = e.scrollWidth; }")
        assert page.eval_on_selector(".map-scroll", "e => e.scrollLeft") > 0
        page.screenshot(path=str(artifacts / f"phone-map-{case}-right.png"))
        for lane in layout.lanes:
            # With the map on the screen the reader scrolls down to the lane (as far as
            # brings the map's own label into view), then swipes the map to its right end.
            page.evaluate(
                """lane => {
                  document.querySelector('.map-scroll').scrollIntoView();
                  document.querySelector(`g.jm-label[data-lane="${lane}"]`)
                    .scrollIntoView({block: 'nearest'});
                  const box = document.querySelector('.map-scroll');
                  box.scrollLeft = box.scrollWidth;
                }""",
                lane,
            )
            label = page.evaluate(VISIBLE_LABEL, lane)
            assert label is not None, f"no label of {lane} in view"
            assert label["width"] <= 0.28 * PHONE["width"], lane
            assert page.evaluate(HEADER_ABOVE, label["top"]) == last_phase, lane
        page.screenshot(path=str(artifacts / f"phone-map-{case}-bottom.png"))
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.slow
def test_on_a_desktop_the_map_is_drawn_as_without_the_phone_panes(
    browser: Any, example_map: JourneyMap, example_measured: Pair, tmp_path: Path
) -> None:
    html = render_report_html(example_map, example_measured)
    without = re.sub(r' style="--jm-top[^"]*"', "", PANES.sub("", html))
    assert without != html and 'class="map-lanes"' not in without
    measure = """() => {
      const svg = document.querySelector('.map-scroll svg.jm-map').getBoundingClientRect();
      const shown = [...document.querySelectorAll('.map-scroll *')].filter(e => {
        const r = e.getBoundingClientRect(); return r.width > 0 || r.height > 0; });
      const section = document.querySelector('#map').getBoundingClientRect();
      return {svg: [svg.x, svg.y, svg.width, svg.height], shown: shown.length,
              section: [section.x, section.y, section.width, section.height],
              page: [document.documentElement.scrollWidth, document.documentElement.scrollHeight]};
    }"""
    results = []
    for name, document in (("with", html), ("without", without)):
        page = _open(browser, document, tmp_path / f"{name}.html", DESKTOP)
        try:
            results.append((page.evaluate(measure), page.locator("#map").screenshot()))
        finally:
            page.close()
    (with_panes, shot), (plain, plain_shot) = results
    assert with_panes == plain
    # The map stands at the section's left edge, not moved; at its own size unless that is
    # wider than the section (1422 px in 1392): then it shrinks to fit, its last phase not cut.
    assert with_panes["svg"][0] == with_panes["section"][0]
    width = float(re.findall(r'class="jm-map" width="(\d+)"', html)[0])
    assert with_panes["svg"][2] == min(width, with_panes["section"][2])
    assert shot == plain_shot
