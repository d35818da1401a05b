"""An item of a cell scoped to a touchpoint is prefixed with the touchpoint's name.

The user test: ``{phase: awareness, touchpoint: tt-2, needs: [...]}`` read as the whole
phase's need, while a persona's cell said "Persona name:".
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from journeymap.model import JourneyMap
from journeymap.render import render_report_html, render_report_pdf
from journeymap.render.map_svg import render_map_svg

SVG = "{http://www.w3.org/2000/svg}"


def _lane_texts(svg: str, lane: str) -> list[str]:
    """The items of one lane (all in the phase Awareness here), each as one line of text."""
    root = ET.fromstring(svg)
    return [
        " ".join("".join(span.itertext()) for span in g.iter(f"{SVG}tspan"))
        for g in root.iter(f"{SVG}g")
        if "jm-item" in g.get("class", "").split() and g.get("data-lane") == lane
    ]


def test_touchpoint_and_persona_prefix_the_items_on_the_map(user_test_map: JourneyMap) -> None:
    needs = _lane_texts(render_map_svg(user_test_map), "needs")
    assert needs == [
        "Product pages: Prices",
        "Nils Newcomer · Product pages: Trust",
        "Inspiration",
        "Rita Regular: Speed",
    ]
    assert _lane_texts(render_map_svg(user_test_map), "pain_points") == ["Product pages: Slow"]


def test_the_report_shows_the_prefixes(user_test_map: JourneyMap) -> None:
    html = render_report_html(user_test_map)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Product pages: Prices" in text and "Product pages: Slow" in text
    assert "Nils Newcomer · Product pages: Trust" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is missing")
def test_the_pdf_shows_the_prefixes(user_test_map: JourneyMap, tmp_path: Path) -> None:
    pdf = render_report_pdf(user_test_map, None, tmp_path / "report.pdf")
    raw = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = re.sub(r"\s+", " ", raw)
    assert "Product pages: Prices" in text and "Product pages: Slow" in text
    assert "Nils Newcomer · Product pages: Trust" in text
