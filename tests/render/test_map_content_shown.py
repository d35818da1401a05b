"""What a map file says about its phases, touchpoints and evidence is in the report and the PDF.

Katrin (German B2B user test) recorded three evidence sources (internal/external, and what
each backs), phase descriptions, touchpoint descriptions and owners; ``validate`` checked
them, and no render showed them: "who owns the Angebot touchpoint?" could not be answered
from the report. Now the phase descriptions stand under the phase headers on the map (SVG,
PNG, HTML, PDF), a touchpoint's card has its owner, description and evidence as tooltip, and
the report (HTML and PDF) lists the touchpoints and the evidence sources.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from journeymap.model import JourneyMap
from journeymap.render import render_map_svg, render_report_html, render_report_pdf

SVG = "{http://www.w3.org/2000/svg}"


def _german(journey_map: JourneyMap) -> JourneyMap:
    return journey_map.model_copy(update={"language": "de"})


def test_the_card_tooltip_names_owner_description_and_evidence(example_map: JourneyMap) -> None:
    root = ET.fromstring(render_map_svg(_german(example_map)))
    [card] = [
        g
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "jm-box jm-touchpoint" and g.get("data-ref") == "sales-call"
    ]
    assert (card.findtext(f"{SVG}title") or "").split("\n") == [
        "Sales call",
        "Verantwortlich: Sales",
        "Offer, price negotiation, security questionnaire and data processing agreement.",
        "Belegt durch: CRM export of won and lost deals, last 4 quarters (intern)",
    ]
    # Without an owner: description and evidence only.
    [portals] = [
        g
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "jm-box jm-touchpoint" and g.get("data-ref") == "specialist-portals"
    ]
    tip = (portals.findtext(f"{SVG}title") or "").split("\n")
    assert tip[0] == "Specialist portals" and len(tip) == 3
    assert tip[2].startswith("Belegt durch: Comparison of five payment providers")


def test_a_map_without_descriptions_owners_or_evidence_shows_no_empty_parts(
    user_test_map: JourneyMap,
) -> None:
    html = render_report_html(user_test_map)
    assert 'data-lane="description"' not in html
    assert 'id="touchpoints"' not in html and 'id="evidence"' not in html


def test_user_text_in_the_new_parts_stays_text(example_map: JourneyMap) -> None:
    touchpoints = [
        tp.model_copy(update={"owner": "<b>Sales</b>"}) if tp.id == "demo" else tp
        for tp in example_map.touchpoints
    ]
    evidence = [
        source.model_copy(update={"name": "<script>alert(1)</script>", "link": "javascript:x()"})
        for source in example_map.evidence
    ]
    changed = example_map.model_copy(update={"touchpoints": touchpoints, "evidence": evidence})
    html = render_report_html(changed)
    assert "<b>Sales</b>" not in html and "&lt;b&gt;Sales&lt;/b&gt;" in html
    assert "<script>alert(1)" not in html and "href=" not in html
    ET.fromstring(render_map_svg(changed))  # still well-formed


@pytest.fixture(scope="module")
def german_page(browser: Any, example_map: JourneyMap, tmp_path_factory: Any) -> Iterator[Any]:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_report_html(_german(example_map)), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(path.as_uri())
    yield page
    page.close()


def _rows(page: Any, section: str) -> dict[str, list[str]]:
    """Row id -> the cells' text as the browser shows them."""
    rows: list[dict[str, Any]] = page.eval_on_selector_all(
        f"#{section} tbody tr",
        "rows => rows.map(r => ({id: r.dataset.ref,"
        " cells: [...r.children].map(c => c.innerText.trim())}))",
    )
    return {row["id"]: row["cells"] for row in rows}


@pytest.mark.browser
@pytest.mark.slow
def test_the_evidence_section_says_internal_or_external_and_what_each_source_backs(
    german_page: Any, example_map: JourneyMap
) -> None:
    heading = german_page.eval_on_selector("#evidence h2", "e => e.innerText")
    assert heading == "Quellen"
    rows = _rows(german_page, "evidence")
    assert list(rows) == [source.id for source in example_map.evidence]
    assert rows["crm-export"] == [
        "CRM export of won and lost deals, last 4 quarters",
        "intern",
        "sales",
        "Phasen: Decision\nPersonas: Katrin Vogel, Thomas Krüger, Sabine Richter\n"
        "Touchpoints: Sales call",
    ]
    study = rows["industry-report"]
    assert study[0] == (
        "E-commerce payment methods study 2024\nhttps://example.org/payment-methods-study-2024"
    )
    assert study[1] == "extern"
    assert "Integration questions peak" in rows["service-tickets"][0]  # its notes


@pytest.mark.browser
@pytest.mark.slow
def test_the_touchpoint_section_answers_who_owns_a_touchpoint(
    german_page: Any, example_map: JourneyMap
) -> None:
    rows = _rows(german_page, "touchpoints")
    assert list(rows) == [touchpoint.id for touchpoint in example_map.touchpoints]
    headers = german_page.eval_on_selector_all(
        "#touchpoints thead th", "els => els.map(e => e.innerText)"
    )
    assert headers == [
        "Touchpoint",
        "Phasen",
        "Art",
        "Verantwortlich",
        "Beschreibung",
        "Belegt durch",
    ]
    assert rows["sales-call"] == [
        "Sales call",
        "Decision",
        "offline · direkt",
        "Sales",
        "Offer, price negotiation, security questionnaire and data processing agreement.",
        "CRM export of won and lost deals, last 4 quarters (intern)",
    ]


@pytest.mark.browser
@pytest.mark.slow
def test_each_phase_description_stands_under_its_header(
    german_page: Any, example_map: JourneyMap
) -> None:
    boxes = german_page.evaluate(
        """() => [...document.querySelectorAll('.map-scroll svg.jm-map g.jm-header')].map(h => {
            const d = document.querySelector(
              `.map-scroll svg.jm-map g[data-lane="description"][data-ref="${h.dataset.ref}"]`);
            const hb = h.querySelector('rect').getBoundingClientRect();
            const db = d.querySelector('rect').getBoundingClientRect();
            const tp = document.querySelector(
              '.map-scroll svg.jm-map g.jm-label[data-lane="touchpoints"] rect'
            ).getBoundingClientRect();
            return {phase: h.dataset.ref, text: d.querySelector('text').textContent,
                    headerBottom: hb.bottom, headerLeft: hb.left, top: db.top, left: db.left,
                    bottom: db.bottom, touchpointsTop: tp.top};
        })"""
    )
    assert [box["phase"] for box in boxes] == [p.id for p in example_map.ordered_phases()]
    label = german_page.eval_on_selector(
        '.map-scroll svg.jm-map g.jm-label[data-lane="description"]', "e => e.textContent"
    )
    assert label == "Beschreibung"
    for box, phase in zip(boxes, example_map.ordered_phases(), strict=True):
        assert " ".join(box["text"].split()) == phase.description
        assert box["headerBottom"] < box["top"] < box["bottom"] < box["touchpointsTop"]
        assert box["left"] == pytest.approx(box["headerLeft"], abs=0.5)


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing"
)
def test_the_pdf_shows_descriptions_owners_and_evidence(
    example_map: JourneyMap, tmp_path: Path
) -> None:
    pdf = render_report_pdf(_german(example_map), None, tmp_path / "report.pdf")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = " ".join(text.split())
    for phase in example_map.phases:
        assert phase.description in words, phase.id
    for source in example_map.evidence:
        assert source.name in words, source.id
    assert re.search(r"\bintern\b", words) and re.search(r"\bextern\b", words)
    for heading in ("Touchpoints", "Quellen", "Verantwortlich", "Herkunft", "Belegt durch"):
        assert heading in words, heading
    assert "Performance marketing" in words and "Customer success" in words
    assert "Live demo of checkout, dashboard and sandbox" in words
