"""The journey map in the PDF report is legible on paper: no word under 6.5 pt, none off its page.

Before, the whole map was scaled onto one A3 page (about 43 % of its width): its texts came out
at 4-5 pt. pdftotext -bbox gives every word's box in pt; a box is about 1.16 times the font
size high (DejaVu's ascent plus descent), so 6.5 pt is a font of about 5.6 pt at the least.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from journeymap.analysis import analyze
from journeymap.model import JourneyMap
from journeymap.render import render_report_pdf

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("pdftotext") is None,
        reason="pdftotext (poppler-utils) is missing: it reads the word boxes out of the PDF",
    ),
]

Pair = tuple[dict[str, pa.Table], dict[str, Any]]
MIN_WORD_HEIGHT = 6.5


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float

    @property
    def height(self) -> float:
        return self.y_max - self.y_min


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


def pdf_pages(pdf: Path) -> list[Page]:
    """Every page of ``pdf`` with its size and word boxes, as pdftotext -bbox reads them."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for number, match in enumerate(
        re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xhtml, re.S), 1
    ):
        words = [
            Word(unescape(text), *map(float, box))
            for *box, text in re.findall(
                r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">'
                r"(.*?)</word>",
                match.group(3),
            )
        ]
        pages.append(Page(number, float(match.group(1)), float(match.group(2)), words))
    return pages


def map_pages(pages: list[Page]) -> list[Page]:
    """The pages of the report's map section: from its heading to the personas' heading."""
    first = next(i for i, page in enumerate(pages) if "Journey map" in page.text)
    end = next(i for i, page in enumerate(pages) if page.text.startswith("Personas"))
    assert first < end
    return pages[first:end]


def occurrences(page: Page, phrase: str) -> list[list[Word]]:
    """The runs of consecutive words on ``page`` that spell ``phrase``."""
    wanted = phrase.split()
    texts = [word.text for word in page.words]
    return [
        page.words[i : i + len(wanted)]
        for i in range(len(texts) - len(wanted) + 1)
        if texts[i : i + len(wanted)] == wanted
    ]


def assert_no_word_leaves_its_page(pages: list[Page]) -> None:
    for page in pages:
        for word in page.words:
            assert word.x_min >= 0 and word.x_max <= page.width, (page.number, word)
            assert word.y_min >= 0 and word.y_max <= page.height, (page.number, word)


def assert_legible(pages: list[Page]) -> None:
    for page in pages:
        small = [word for word in page.words if word.height < MIN_WORD_HEIGHT]
        assert not small, f"page {page.number}: words under {MIN_WORD_HEIGHT} pt: {small[:5]}"


def test_the_example_map_is_legible_on_its_a3_pages(
    tmp_path: Path, example_map: JourneyMap, example_measured: Pair
) -> None:
    pdf = render_report_pdf(example_map, example_measured, tmp_path / "report.pdf")
    pages = pdf_pages(pdf)
    assert_no_word_leaves_its_page(pages)
    shown = map_pages(pages)
    for touchpoint in example_map.touchpoints:
        runs = [run for page in shown for run in occurrences(page, touchpoint.name)]
        assert runs, f"{touchpoint.name!r} is not on the map's pages"
        for run in runs:
            heights = [round(word.height, 1) for word in run]
            assert min(heights) >= MIN_WORD_HEIGHT, f"{touchpoint.name!r}: {heights} pt"
    assert_legible(shown)
    # A3 landscape throughout, and every map page repeats the phase headers
    assert {(round(page.width), round(page.height)) for page in pages} == {(1191, 842)}
    for page in shown:
        for phase in example_map.phases:
            assert occurrences(page, phase.name), f"{phase.name!r} not on page {page.number}"


LONG = "a deliberately long text that wraps over several lines of its card on the map"


def wide_map() -> JourneyMap:
    """9 phases (wider than an A3 page at a legible size); 30 touchpoints crowd one phase."""
    phases = [{"id": f"ph{i}", "name": f"Phase {i} of the journey", "order": i} for i in range(9)]
    touchpoints = [
        {
            "id": f"tp{i:02d}",
            "name": f"Touchpoint {i:02d} with a rather long channel name",
            "mode": "online" if i % 2 else "offline",
            "influence": "direct" if i % 3 else "indirect",
            "phases": ["ph4" if i < 30 else f"ph{i % 9}"] + (["ph8"] if i == 31 else []),
        }
        for i in range(40)
    ]
    personas = [
        {"id": f"pe{i}", "first_name": f"Persona{i}", "last_name": "Example", "joins_at": f"ph{i}"}
        for i in range(3)
    ]
    cells: list[dict[str, Any]] = [
        {
            "phase": f"ph{p}",
            "actions": [LONG, f"short action {p}"],
            "pain_points": [LONG],
            "kpis": [{"name": LONG, "target": 12, "unit": "%"}],
        }
        for p in range(9)
    ]
    cells += [
        {"phase": f"ph{p}", "persona": f"pe{q}", "emotion": {"score": (p + q) % 5 - 2}}
        for p in range(9)
        for q in range(3)
    ]
    return JourneyMap.model_validate(
        {
            "id": "wide",
            "name": "Wide map",
            "phases": phases,
            "personas": personas,
            "touchpoints": touchpoints,
            "cells": cells,
        }
    )


def walk_every_phase(journey_map: JourneyMap, journeys: int) -> pa.Table:
    """Journeys through the phases in order, each touching the phase's touchpoints in turn."""
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    rows: list[dict[str, Any]] = []
    for journey in range(journeys):
        for step, phase in enumerate(journey_map.ordered_phases()[: 3 + journey % 7]):
            touchpoints = journey_map.touchpoints_in(phase.id)
            touchpoint = touchpoints[journey % len(touchpoints)]
            rows.append(
                {
                    "person_id": f"p{journey}",
                    "account_id": None,
                    "ts": start + dt.timedelta(days=journey, hours=step),
                    "touchpoint": touchpoint.id,
                    "phase": phase.id,
                    "persona": None,
                    "conversion": step == 8,
                    "value": None,
                    "source": "test",
                }
            )
    return pa.Table.from_pylist(rows)


def test_a_wide_and_tall_map_is_split_over_pages_without_losing_a_word(tmp_path: Path) -> None:
    journey_map = wide_map()
    analysis = analyze(journey_map, walk_every_phase(journey_map, 90))
    pdf = render_report_pdf(journey_map, analysis, tmp_path / "wide.pdf")
    pages = pdf_pages(pdf)
    assert_no_word_leaves_its_page(pages)
    shown = map_pages(pages)
    assert_legible(shown)
    for touchpoint in journey_map.touchpoints:
        name = touchpoint.name
        count = sum(len(occurrences(page, name)) for page in shown)
        # once per phase the touchpoint is drawn in: none cut off, none drawn twice
        assert count == len(touchpoint.phases), f"{name!r} shown {count} times"
    for phase in journey_map.phases:
        assert any(occurrences(page, phase.name) for page in shown), phase.name
