"""Numbers in the charts read the report language's way, in the HTML, the PDF and the browser.

A German user test found ``Antrag eingereicht (13087)`` on the Sankey, where the rest of the
report writes ``13.087``, and the attribution heatmap's note said ``100 %`` with an ordinary
space (in English ``100 %`` beside cells that read ``0%``). Every chart's labels, tooltips,
axis ticks and ARIA texts now write counts with the language's grouping (``13.087`` in Danish
and German, ``13,087`` in English) and percentages as Babel does (``0 %`` with a no-break space
in Danish and German, ``0%`` in English).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from journeymap.model import JourneyMap
from journeymap.render import render_report_html

Pair = tuple[dict[str, pa.Table], dict[str, Any]]
NBSP = "\xa0"
GROUPED = {"en": "13,087", "da": "13.087", "de": "13.087"}
MORE = {"en": "more", "da": "flere", "de": "weitere"}
# A run of four digits or more that is no part of a grouped or decimal number: "13087".
UNGROUPED = re.compile(r"(?<![\d.,])\d{4,}")
TINY = 12
CHARTS = ("sankey", "funnel", "attribution", "time_to_convert", "correlation")


def _sankey(journey_map: JourneyMap) -> pa.Table:
    """Search ads reach 13,087 journeys; small touchpoints of 100 journeys share a label."""
    tiny = [tp.id for tp in journey_map.touchpoints if tp.id not in ("search-ads", "checkout")]
    rows = [
        {"step": 1, "source": "search-ads", "target": "checkout", "journeys": 10587},
        {"step": 1, "source": "search-ads", "target": "(dropped)", "journeys": 2500},
        {"step": 2, "source": "checkout", "target": "(converted)", "journeys": 10587},
    ]
    rows += [{"step": 1, "source": "print", "target": tp, "journeys": 100} for tp in tiny[:TINY]]
    rows += [
        {"step": 2, "source": tp, "target": "(dropped)", "journeys": 100} for tp in tiny[:TINY]
    ]
    return pa.Table.from_pylist(rows)


def _scaled(journey_map: JourneyMap, pair: Pair, factor: int = 50) -> Pair:
    """The example analysis with thousands of journeys, a big Sankey and participation."""
    tables, summary = pair
    scaled = dict(tables)
    for name, columns in (
        ("phase_funnel", ("reached", "moved_on", "converted", "dropped")),
        ("time_to_convert_histogram", ("journeys",)),
    ):
        scaled[name] = pa.Table.from_pylist(
            [
                {key: value * factor if key in columns else value for key, value in row.items()}
                for row in tables[name].to_pylist()
            ]
        )
    attribution = tables["attribution"].to_pylist()
    scaled["attribution"] = pa.Table.from_pylist(
        attribution
        + [{**row, "model": "participation"} for row in attribution if row["model"] == "markov"]
    )
    scaled["sankey"] = _sankey(journey_map)
    return scaled, summary


def _figures(html: str) -> dict[str, list[str]]:
    """Every chart's texts as a reader meets them: drawn, in tooltips, captions and ARIA."""
    figures = {}
    for chart_id, body in re.findall(
        r'<figure class="chart" id="chart-([a-z_]+)">(.*?)</figure>', html, re.S
    ):
        texts = [unescape(text) for text in re.findall(r">([^<]+)<", body) if text.strip()]
        texts += [unescape(label) for label in re.findall(r'aria-label="([^"]*)"', body)]
        figures[chart_id] = texts
    return figures


def _sankey_labels(html: str) -> list[str]:
    """The drawn Sankey labels, each with its wrapped lines joined."""
    body = re.search(r'<figure class="chart" id="chart-sankey">(.*?)</figure>', html, re.S)
    assert body is not None
    return [
        " ".join(unescape(line) for line in re.findall(r"<tspan[^>]*>([^<]*)</tspan>", text))
        for text in re.findall(r"<text[^>]*>(.*?)</text>", body.group(1), re.S)
        if "<tspan" in text
    ]


def _percent_problems(texts: list[str], language: str) -> list[str]:
    """Percent signs not written the language's way (``0%`` in en, ``0 %`` in da/de)."""
    written = r"\d%" if language == "en" else rf"\d{NBSP}%"
    return [
        text
        for text in texts
        if text.count("%") != len(re.findall(written, text))
        or (language == "en" and re.search(r"\d\s%", text))
    ]


@pytest.mark.parametrize("language", ["en", "da", "de"])
def test_sankey_counts_are_grouped_in_labels_and_tooltips(
    example_map: JourneyMap, example_measured: Pair, language: str
) -> None:
    journey_map = example_map.model_copy(update={"language": language})
    tables, summary = example_measured
    html = render_report_html(journey_map, ({**tables, "sankey": _sankey(example_map)}, summary))
    grouped = GROUPED[language]
    labels = _sankey_labels(html)
    assert f"Search ads ({grouped})" in labels, labels
    # The small nodes (but one with room below it) share one label, its sum grouped too.
    shared = [label for label in labels if re.fullmatch(rf"\d+ {MORE[language]} \(.*\)", label)]
    assert len(shared) == 1, labels
    count = int(shared[0].split()[0])
    assert count >= 10
    separator = "," if language == "en" else "."
    assert shared[0].endswith(f"({count // 10}{separator}{count % 10}00)"), shared
    texts = _figures(html)["sankey"]
    link = f"Search ads → Checkout: {'10,587' if language == 'en' else '10.587'}"
    assert link in texts, texts
    assert [text for text in texts if UNGROUPED.search(text)] == []


@pytest.mark.parametrize("language", ["en", "da", "de"])
def test_every_chart_writes_numbers_and_percentages_the_language_s_way(
    example_map: JourneyMap, example_measured: Pair, language: str
) -> None:
    journey_map = example_map.model_copy(update={"language": language})
    html = render_report_html(journey_map, _scaled(example_map, example_measured))
    figures = _figures(html)
    assert set(figures) == set(CHARTS)
    for chart_id, texts in figures.items():
        assert [text for text in texts if UNGROUPED.search(text)] == [], chart_id
        assert _percent_problems(texts, language) == [], chart_id
    # Not vacuous: thousands on the funnel's axis, percentages in the funnel and the heatmap.
    ten_thousand = "10,000" if language == "en" else "10.000"
    assert ten_thousand in figures["funnel"], figures["funnel"]
    sign = "%" if language == "en" else f"{NBSP}%"
    assert sum(text.endswith(sign) for text in figures["funnel"]) >= 5
    assert sum(text.endswith(sign) for text in figures["attribution"]) >= 100
    whole = f"100{sign}"
    # The heatmap's note says "100 %" the way its cells do.
    note = next(text for text in figures["attribution"] if text.endswith("."))
    assert note.endswith(f" {whole}."), note


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) is missing")
def test_the_german_pdf_prints_grouped_sankey_counts(
    example_map: JourneyMap, example_measured: Pair, tmp_path: Path
) -> None:
    from journeymap.render import render_report_pdf

    journey_map = example_map.model_copy(update={"language": "de"})
    tables, summary = example_measured
    pdf = render_report_pdf(
        journey_map, ({**tables, "sankey": _sankey(example_map)}, summary), tmp_path / "de.pdf"
    )
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Search ads (13.087)" in text
    assert re.search(r"\d+ weitere \(1\.[12]00\)", text), text
    assert "13087" not in text and "1200" not in text


@pytest.mark.browser
@pytest.mark.slow
def test_the_interactive_german_charts_in_chromium_group_and_space_their_numbers(
    example_map: JourneyMap, example_measured: Pair, tmp_path: Path
) -> None:
    """vega-embed redraws the Vega-Lite charts in the browser: with the spec's German locale."""
    from playwright.sync_api import sync_playwright

    journey_map = example_map.model_copy(update={"language": "de"})
    path = tmp_path / "report.html"
    html = render_report_html(journey_map, _scaled(example_map, example_measured), interactive=True)
    path.write_text(html, encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        # Each interactive view replaces the static SVG: wait until every one is drawn.
        page.wait_for_function(
            "document.querySelectorAll('figure.chart .vis.vega-embed > svg.marks').length === 4"
        )
        figures = page.eval_on_selector_all(
            "figure.chart",
            "fs => fs.map(f => [f.id, [...f.querySelectorAll('text, title, figcaption')]"
            ".map(t => t.textContent).concat([...f.querySelectorAll('[aria-label]')]"
            ".map(e => e.getAttribute('aria-label')))])",
        )
        browser.close()
    texts = {chart_id: [t for t in found if t and t.strip()] for chart_id, found in figures}
    assert set(texts) == {f"chart-{chart_id}" for chart_id in CHARTS}
    for chart_id, found in texts.items():
        assert [text for text in found if UNGROUPED.search(text)] == [], chart_id
        assert _percent_problems(found, "de") == [], chart_id
    assert "10.000" in texts["chart-funnel"]
    assert sum(text.endswith(f"{NBSP}%") for text in texts["chart-attribution"]) >= 100
    assert texts["chart-attribution"][0].endswith(f"die Spalte ergibt nicht 100{NBSP}%.")
    assert any(text.startswith("Search ads (13.087)") for text in texts["chart-sankey"])
