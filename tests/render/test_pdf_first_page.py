"""A PDF of the designed map (no --analysis) begins with the map, under the report's heading.

Mette's `journeymap render map.yaml --out map.pdf` gave a first page with the title and the
description alone, nearly empty: the map always started on a page of its own. Without measured
figures nothing comes between the heading and the map, so the map now starts on page 1; after
a summary (with --analysis) it keeps its own page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest

from journeymap.analysis import Analysis
from journeymap.examples import example_path
from journeymap.mapfile import load_map
from journeymap.model import JourneyMap
from journeymap.render import render_report_pdf
from journeymap.services.maps import init_map

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("pdftotext") is None,
        reason="pdftotext (poppler-utils) is missing: it reads the words out of the PDF",
    ),
]

# (text, x_min, y_min, x_max, y_max) of every word; a word box is about 1.16 x the font size.
Word = tuple[str, float, float, float, float]
MIN_WORD_HEIGHT = 6.5


def _pages(pdf: Path) -> list[tuple[float, float, list[Word]]]:
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for match in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xhtml, re.S):
        words = [
            (unescape(text), *map(float, box))
            for *box, text in re.findall(
                r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">'
                r"(.*?)</word>",
                match.group(3),
            )
        ]
        pages.append((float(match.group(1)), float(match.group(2)), words))
    return pages


def _text(words: list[Word]) -> str:
    return " ".join(word[0] for word in words)


def _assert_whole_and_legible(width: float, height: float, words: list[Word]) -> None:
    for text, x_min, y_min, x_max, y_max in words:
        assert 0 <= x_min <= x_max <= width, text
        assert 0 <= y_min <= y_max <= height, text
        assert y_max - y_min >= MIN_WORD_HEIGHT, (text, y_max - y_min)


def test_a_new_danish_map_begins_on_the_first_page(tmp_path: Path) -> None:
    journey_map = init_map(tmp_path / "shop.yaml", "webshop", "da")
    pdf = render_report_pdf(journey_map, None, tmp_path / "shop.pdf")
    pages = _pages(pdf)
    width, height, words = pages[0]
    first = _text(words)
    assert first.startswith("Nyt journey map Journey map")
    for element in (*journey_map.phases, *journey_map.touchpoints):
        assert element.name in first, f"{element.name!r} is not on the first page"
    assert "Følelse" in first and "Jens Jensen" in first  # down to the emotion curve
    _assert_whole_and_legible(width, height, words)
    # the map on one page, the persona cards on the next: no page holds only the heading
    assert len(pages) == 2
    assert _text(pages[1][2]).startswith("Personas")


def test_the_example_map_starts_under_its_title_and_description(tmp_path: Path) -> None:
    journey_map = load_map(example_path("payment-provider"))
    pdf = render_report_pdf(journey_map, None, tmp_path / "payment.pdf")
    pages = _pages(pdf)
    width, height, words = pages[0]
    first = _text(words)
    assert first.startswith(f"{journey_map.name} The buying center of a mid-sized online shop")
    assert "security needs. Journey map" in first  # the description's end, then the map
    for phase in journey_map.phases:
        assert phase.name in first
    for touchpoint in journey_map.touchpoints:
        assert touchpoint.name in first, f"{touchpoint.name!r} is not on the first page"
    _assert_whole_and_legible(width, height, words)
    # the map uses the page: its drawing reaches into the lower half
    assert max(word[4] for word in words) > height / 2


def test_after_the_summary_the_map_keeps_a_page_of_its_own(
    tmp_path: Path, example_map: JourneyMap, example_analysis: Analysis
) -> None:
    pdf = render_report_pdf(example_map, example_analysis, tmp_path / "report.pdf")
    pages = _pages(pdf)
    first = _text(pages[0][2])
    assert "Summary" in first and "Journey map" not in first
    map_page = next(words for _, _, words in pages if _text(words).startswith("Journey map"))
    assert all(phase.name in _text(map_page) for phase in example_map.phases)
