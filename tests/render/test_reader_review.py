"""What a CX manager reading the report found wrong, each checked where the reader sees it.

Found on the demo report and on a report of the UCI Online Shoppers sessions (Sakar, Polat,
Katircioglu & Kastro, 2019; CC BY 4.0) broken down by ``VisitorType``:

- on a phone (390 px) the whole page scrolled sideways, 1,318 px wide: the Sankey, the
  Vega-Lite charts and the breakdown table stretched it;
- the map's cards said ``-0% attribution`` and ``1% attribution`` where the summary and the
  attribution chart say ``0%`` and ``0.6%`` of the same Markov shares;
- the drop-off correlation listed its touchpoints alphabetically ("Traffic type 10" before
  "Traffic type 2") instead of by odds ratio;
- a small Sankey node between two labelled ones (the shoppers' ``Other (123)``) had no label;
- the PDF's attribution legend showed 0% to 100% beside no colour bar (WeasyPrint paints
  Vega's bounding-box gradient as a speck);
- the funnel's ``0%`` over Retention, whose next bar is much lower, read as an error: nothing
  said that a journey that converted is no drop-off.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from journeymap.analysis import Analysis
from journeymap.model import JourneyMap
from journeymap.model.path_nodes import OTHER
from journeymap.render import render_report_html
from journeymap.render.charts import chart_specs, render_chart_svg
from journeymap.render.layout import CHAR_WIDTH_EM
from journeymap.render.map_svg import render_map_svg
from journeymap.render.measured import measured_from
from journeymap.render.sankey import BASELINE, FONT_SIZE, LINE_HEIGHT, render_sankey_svg

Pair = tuple[dict[str, pa.Table], dict[str, Any]]
SVG = "{http://www.w3.org/2000/svg}"
PHONE = 390


def _card_texts(svg: str) -> dict[str, str]:
    """Touchpoint id -> the text its card shows, its wrapped lines joined by spaces."""
    root = ET.fromstring(svg)
    cards = {}
    for group in root.iter(f"{SVG}g"):
        if "jm-touchpoint" in (group.get("class") or "").split():
            lines = [span.text or "" for span in group.iter(f"{SVG}tspan")]
            cards[group.get("data-ref", "")] = " ".join(lines)
    return cards


def test_map_cards_write_attribution_shares_as_the_summary_and_the_chart_do(
    example_map: JourneyMap, example_measured: Pair
) -> None:
    tables, summary = example_measured
    shares = {"search-ads": -1.2e-17, "print": 0.006, "blogs": 0.0004}
    rows = [
        {**row, "share": shares.get(row["key"], row["share"])} if row["model"] == "markov" else row
        for row in tables["attribution"].to_pylist()
    ]
    pair = ({**tables, "attribution": pa.Table.from_pylist(rows)}, summary)
    cards = _card_texts(render_map_svg(example_map, pair))
    assert "Search ads" in cards["search-ads"]
    assert all("-0" not in text for text in cards.values()), cards
    assert cards["search-ads"].endswith(" 0% attribution"), cards["search-ads"]
    assert cards["print"].endswith(" 0.6% attribution"), cards["print"]
    assert cards["blogs"].endswith(" < 0.1% attribution"), cards["blogs"]
    # The attribution chart's cells say the same.
    measured = measured_from(pair)
    names = {tp.id: tp.name for tp in example_map.touchpoints}
    spec = chart_specs(measured, names)["attribution"]
    labels = {
        (d["touchpoint"], d["model"]): d["label"]
        for d in spec["data"]["values"]
        if d["model"] == "Markov chain"
    }
    assert labels[("Print", "Markov chain")] == "0.6%"
    assert labels[("Search ads", "Markov chain")] == "0%"


def _axis_labels(svg: str) -> list[str]:
    """The y axis' labels of a Vega chart, top to bottom."""
    found = re.findall(
        r'<text text-anchor="end" transform="translate\(-7,([\d.]+)\)"[^>]*>([^<]*)</text>', svg
    )
    return [text for _, text in sorted(found, key=lambda item: float(item[0]))]


def test_drop_off_correlation_lists_touchpoints_by_odds_ratio() -> None:
    odds = {"2": 1.9, "10": 1.4, "3": 0.5, "13": 0.33, "7": 2.5, "1": 0.6}
    rows = [
        {
            "touchpoint": code,
            "odds_ratio": ratio,
            "ci_low": ratio * 0.8,
            "ci_high": ratio * 1.25,
            "direction": "positive" if ratio > 1 else "negative",
            "breakdown": None,
        }
        for code, ratio in odds.items()
    ]
    measured = measured_from(({"correlation": pa.Table.from_pylist(rows)}, {}))
    names = {code: f"Traffic type {code}" for code in odds}
    svg = render_chart_svg(chart_specs(measured, names)["correlation"])
    ranked = sorted(odds, key=lambda code: -odds[code])
    assert _axis_labels(svg) == [f"Traffic type {code}" for code in ranked]
    # The legend is titled as the axes are, not with the field's own lower-case name.
    assert ">Direction</text>" in svg and ">direction</text>" not in svg


# The UCI shoppers' first Sankey column: sessions per traffic type, the rarest as Other.
SHOPPERS = {
    "2": 3913,
    "1": 2451,
    "3": 2052,
    "4": 1069,
    "13": 738,
    "10": 450,
    "6": 444,
    "8": 343,
    "5": 260,
    "11": 247,
    "20": 198,
    OTHER: 123,
    "9": 42,
}


def _label_boxes(root: ET.Element) -> list[tuple[str, float, float, float, float]]:
    """Every Sankey label as (text, left, top, right, bottom), its lines joined."""
    boxes = []
    for text in root.iter(f"{SVG}text"):
        if text.get("class") == "jm-sankey-step":
            continue
        spans = text.findall(f"{SVG}tspan")
        lines = [span.text or "" for span in spans]
        left = float(text.get("x", "0"))
        top = float(spans[0].get("y", "0")) - BASELINE
        right = left + max(len(line) for line in lines) * CHAR_WIDTH_EM * FONT_SIZE
        boxes.append((" ".join(lines), left, top, right, top + len(lines) * LINE_HEIGHT))
    return boxes


def test_a_small_sankey_node_between_labelled_ones_is_labelled() -> None:
    rows = []
    for code, sessions in SHOPPERS.items():
        bought = sessions // 6
        rows.append({"step": 1, "source": code, "target": "(converted)", "journeys": bought})
        rows.append(
            {"step": 1, "source": code, "target": "(dropped)", "journeys": sessions - bought}
        )
    names = {code: f"Traffic type {code}" for code in SHOPPERS if code != OTHER}
    root = ET.fromstring(render_sankey_svg(rows, names, "en"))
    boxes = _label_boxes(root)
    texts = [text for text, *_ in boxes]
    assert "Other (123)" in texts, texts
    # Every node of the first column has a label of its own, and no two labels overlap.
    for code, sessions in SHOPPERS.items():
        assert f"{names.get(code, 'Other')} ({sessions:,})" in texts, code
    for a, b in itertools.combinations(boxes, 2):
        apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
        assert apart, (a, b)


def test_the_funnel_says_what_its_drop_off_figures_are(
    example_map: JourneyMap, example_measured: Pair
) -> None:
    html = render_report_html(example_map, example_measured)
    figure = re.search(r'<figure class="chart" id="chart-funnel">.*?</figcaption>', html, re.S)
    assert figure is not None
    assert "got no further in the funnel and did not convert" in figure.group(0)
    assert "a journey that converted is no drop-off" in figure.group(0)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("da", "ikke konverterede; en rejse, der konverterede, er ikke et frafald"),
        ("de", "nicht konvertierte; eine konvertierte Journey ist kein Absprung"),
    ],
)
def test_the_funnel_note_is_translated(
    example_map: JourneyMap, example_measured: Pair, language: str, words: str
) -> None:
    translated = example_map.model_copy(update={"language": language})
    html = render_report_html(translated, example_measured)
    figure = re.search(r'<figure class="chart" id="chart-funnel">.*?</figcaption>', html, re.S)
    assert figure is not None and words in figure.group(0)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("interactive", [False, True])
def test_on_a_phone_only_wide_parts_scroll_not_the_page(
    browser: Any,
    example_map: JourneyMap,
    example_breakdown_analysis: Analysis,
    tmp_path: Path,
    interactive: bool,
) -> None:
    html = render_report_html(example_map, example_breakdown_analysis, interactive=interactive)
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": PHONE, "height": 800})
    try:
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        if interactive:
            page.wait_for_selector("#vis-funnel.vega-embed svg")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE, f"the page is {width} px wide on a {PHONE} px phone"
        # The wide parts keep their size and scroll in their own box.
        sankey = page.eval_on_selector("svg.jm-sankey", "e => e.getBoundingClientRect().width")
        natural = page.eval_on_selector("svg.jm-sankey", "e => +e.getAttribute('width')")
        assert natural / 2 - 1 <= sankey < natural
        for selector in ("#chart-sankey .vis-box", ".table-scroll"):
            scroll, client = page.eval_on_selector(selector, "e => [e.scrollWidth, e.clientWidth]")
            assert scroll > client <= PHONE, selector
            page.eval_on_selector(selector, "e => { e.scrollLeft = e.scrollWidth; }")
            assert page.eval_on_selector(selector, "e => e.scrollLeft") > 0, selector
        # The breakdown table's header stays on its rows.
        header = page.eval_on_selector(
            "table.breakdown thead", "e => e.getBoundingClientRect().bottom"
        )
        first_row = page.eval_on_selector(
            "table.breakdown tbody tr", "e => e.getBoundingClientRect().top"
        )
        assert abs(first_row - header) < 2
    finally:
        page.close()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm")
def test_the_attribution_legend_shows_its_colour_scale_in_the_pdf(
    example_map: JourneyMap, example_measured: Pair, tmp_path: Path
) -> None:
    """WeasyPrint painted Vega's legend gradient as a speck: the PDF's legend had no colours."""
    from PIL import Image
    from weasyprint import HTML

    names = {tp.id: tp.name for tp in example_map.touchpoints}
    svg = render_chart_svg(chart_specs(measured_from(example_measured), names)["attribution"])
    width, height = (float(v) for v in re.findall(r'(?:width|height)="([\d.]+)"', svg)[:2])
    page = f"<style>@page {{ size: {width}px {height}px; margin: 0 }}</style>{svg}"
    HTML(string=page).write_pdf(tmp_path / "chart.pdf")
    subprocess.run(
        ["pdftoppm", "-r", "96", "-png", "-singlefile", tmp_path / "chart.pdf", tmp_path / "chart"],
        check=True,
    )
    image = Image.open(tmp_path / "chart.png").convert("RGB")
    # The legend is the chart's right end (its box is 131 px wide); the heatmap lies left of it.
    legend = image.crop((image.width - 125, 0, image.width, image.height))
    blue = sum(1 for r, _, b in legend.get_flattened_data() if b - r > 40)
    assert blue > 1500, f"{blue} coloured pixels in the legend"
