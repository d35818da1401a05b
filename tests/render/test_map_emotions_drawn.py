"""Every emotion a map holds is drawn, as what it is, with its whole label, in every format.

Katrin's map of a CNC cell bought by a buying center (German B2B user test): her touchpoint
emotions (-2 "verärgert: Spindelschaden am Wochenende" at the Service-Hotline, Stefan's
"misstrauisch" at the Angebot) and the buying center's own emotions ("unter Druck",
"Anlaufschwierigkeiten") were in no output, while Stefan, who has no cell in
Weiterempfehlung, was drawn "stolz +1.5": the buying center's score as his own. The PDF
dropped every label and put the emotion lane alone on a page; in the PNG and the HTML the
labels were cut to about 12 characters ("begeistert von…").
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from journeymap.examples import example_path
from journeymap.mapfile import load_map
from journeymap.model import JourneyMap
from journeymap.render import render_map_svg, render_report_html, render_report_pdf
from journeymap.render.emotion_curve import ALL_COLOUR, PERSONA_COLOURS, emotion_y
from journeymap.render.map_svg import build_layout

SVG = "{http://www.w3.org/2000/svg}"

MASCHINENBAU = """\
id: cnc-zelle
name: "Kauf einer CNC-Bearbeitungszelle bei der Müller & Söhne Maschinenbau GmbH"
description: >-
  Ein mittelständischer Zulieferer (Automotive, 250 Mitarbeitende) ersetzt zwei alte
  Fräsmaschinen durch eine automatisierte Bearbeitungszelle. Verkaufszyklus 9–14 Monate,
  Buying Center aus Geschäftsführung, Einkauf und Technischer Leitung.
language: de
kind: b2b
phases:
  - {id: awareness, name: Aufmerksamkeit, order: 1,
     description: "Der Engpass in der Fertigung wird sichtbar; erste Anbieter werden wahrgenommen."}
  - {id: consideration, name: Erwägung, order: 2,
     description: "Lastenheft, Anbietervergleich, Werksbesuch, Testbearbeitung."}
  - {id: decision, name: Entscheidung, order: 3,
     description: "Angebot, Verhandlung, Investitionsantrag, Bestellung."}
  - {id: retention, name: Kundenbindung, order: 4,
     description: "Lieferung, Inbetriebnahme, Schulung, Service und Ersatzteile."}
  - {id: advocacy, name: Weiterempfehlung, order: 5,
     description: "Referenzbesuch, Anwenderbericht, Folgeaufträge."}
personas:
  - {id: gf-brandt, first_name: Jürgen, last_name: Brandt, role: decider, joins_at: awareness,
     job: Geschäftsführung, age: 58, goals: [Amortisation unter 4 Jahren],
     questions: ["Was kostet die Zelle über zehn Jahre (TCO)?"]}
  - {id: tl-oezdemir, first_name: Ayşe, last_name: Özdemir, role: user, joins_at: consideration,
     job: Technische Leiterin, needs: [Schulung für drei Schichten]}
  - {id: ek-weiss, first_name: Stefan, last_name: Weiß, role: buyer, joins_at: decision,
     job: Strategischer Einkäufer, frustrations: [Angebote mit versteckten Positionen]}
touchpoints:
  - {id: fachzeitschrift, name: "Fachzeitschrift (z. B. „mav“)", channel: pr, mode: offline,
     influence: indirect, phases: [awareness], owner: Marketing / PR,
     description: "Anwenderbericht über eine Zelle bei einem anderen Zulieferer."}
  - {id: messe, name: "Messe (EMO, AMB)", channel: events, mode: offline, influence: direct,
     phases: [awareness, consideration], order: {awareness: 2, consideration: 3},
     owner: Marketing, description: "Live-Bearbeitung am Stand, Gespräch mit dem Vertrieb."}
  - {id: website, name: Website, phases: [awareness, consideration], owner: Marketing}
  - {id: webinar, name: "Webinar „Automatisierung für Losgröße 1“", channel: content,
     phases: [consideration], owner: Produktmanagement}
  - {id: aussendienst, name: Außendienst-Besuch, channel: sales, mode: offline,
     phases: [consideration, decision], owner: Vertrieb}
  - {id: empfehlung, name: Empfehlung eines Kollegen, mode: offline, influence: indirect,
     phases: [awareness, advocacy]}
  - {id: angebot, name: Angebot, channel: sales, mode: offline, phases: [decision],
     owner: Vertriebsinnendienst}
  - {id: inbetriebnahme, name: Inbetriebnahme, mode: offline, phases: [retention], owner: Service}
  - {id: service-hotline, name: Service-Hotline, mode: offline, phases: [retention],
     owner: Service}
  - {id: kundenportal, name: Kundenportal (Ersatzteile), phases: [retention]}
  - {id: bewertungsportal, name: Bewertungsportal / LinkedIn, influence: indirect,
     phases: [advocacy]}
cells:
  - phase: awareness
    actions: ["Liest Anwenderbericht", "Besucht die EMO"]
    goals: ["Engpass in der Fräserei lösen"]
    questions: ["Wer baut Zellen für unsere Teilegröße?"]
    needs: ["Überblick über Anbieter"]
    emotion: {score: -1, label: "unter Druck"}
    pain_points: ["Lieferverzug bei zwei Großkunden"]
  - phase: consideration
    actions: ["Lastenheft erstellen", "Testbearbeitung im Vorführzentrum"]
    goals: ["Shortlist mit zwei Anbietern"]
    questions: ["Schafft die Zelle unsere Taktzeit?"]
    needs: ["Referenzen aus der Automobilbranche"]
    emotion: {score: 1, label: "zuversichtlich"}
  - phase: decision
    actions: ["Angebote vergleichen", "Investitionsantrag im Gesellschafterkreis"]
    emotion: {score: 0, label: "vorsichtig"}
    kpis: [{name: "Angebots-Auftrags-Quote", target: 25, unit: "%"}]
  - phase: retention
    actions: ["Abnahme im Werk (FAT)", "Inbetriebnahme vor Ort (SAT)", "Schulung"]
    emotion: {score: -1, label: "Anlaufschwierigkeiten"}
  - phase: advocacy
    actions: ["Referenzbesuch für einen anderen Interessenten"]
    emotion: {score: 1.5, label: "stolz"}
  - phase: decision
    touchpoint: angebot
    persona: ek-weiss
    questions: ["Warum ist die Schulung eine Extra-Position?"]
    emotion: {score: -1, label: "misstrauisch"}
  - phase: retention
    touchpoint: service-hotline
    persona: tl-oezdemir
    needs: ["Techniker binnen 24 Stunden vor Ort"]
    emotion: {score: -2, label: "verärgert: Spindelschaden am Wochenende"}
  - {phase: awareness, persona: gf-brandt, emotion: {score: -1, label: "besorgt"}}
  - {phase: consideration, persona: gf-brandt, emotion: {score: 0, label: "skeptisch wegen Preis"}}
  - {phase: decision, persona: gf-brandt, emotion: {score: 1, label: "überzeugt"}}
  - {phase: retention, persona: gf-brandt, emotion: {score: 0, label: "wartet auf Ergebnisse"}}
  - {phase: advocacy, persona: gf-brandt, emotion: {score: 2, label: "zufrieden"}}
  - {phase: consideration, persona: tl-oezdemir,
     emotion: {score: 1, label: "begeistert von der Testbearbeitung"}}
  - {phase: decision, persona: tl-oezdemir, emotion: {score: 0.5, label: "unterstützend"}}
  - {phase: retention, persona: tl-oezdemir, emotion: {score: -1.5, label: "gestresst im Anlauf"}}
  - {phase: advocacy, persona: tl-oezdemir, emotion: {score: 1, label: "erleichtert"}}
  - {phase: decision, persona: ek-weiss, emotion: {score: -0.5, label: "kritisch"}}
  - {phase: retention, persona: ek-weiss, emotion: {score: 0, label: "neutral"}}
evidence:
  - {id: crm-auswertung, name: "CRM-Auswertung gewonnener und verlorener Projekte 2023–2025",
     origin: internal, department: Vertrieb, backs: [decision, gf-brandt, ek-weiss, angebot]}
  - {id: vdma-studie, name: "VDMA-Studie Investitionsverhalten im Mittelstand 2025",
     origin: external, link: "https://example.org/vdma-2025",
     backs: [awareness, consideration, messe, fachzeitschrift]}
"""


@pytest.fixture(scope="module")
def maschinenbau(tmp_path_factory: pytest.TempPathFactory) -> JourneyMap:
    path = tmp_path_factory.mktemp("karten") / "maschinenbau.yaml"
    path.write_text(MASCHINENBAU, encoding="utf-8")
    return load_map(path)


def _groups(root: ET.Element, css: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if css in g.get("class", "").split()]


def _text(element: ET.Element) -> str:
    """A drawn label's whole text: its lines joined as a reader reads them."""
    found = element.find(f"{SVG}text")
    assert found is not None
    return " ".join("".join(found.itertext()).split())


def _points(root: ET.Element) -> dict[str, dict[str, float]]:
    """Curve (persona id, ``""`` for the buying center) -> {phase: the point's y}."""
    points: dict[str, dict[str, float]] = {}
    for circle in root.iter(f"{SVG}circle"):
        if circle.get("class") == "jm-emotion-point":
            curve = points.setdefault(circle.get("data-ref", ""), {})
            curve[circle.get("data-phase", "")] = float(circle.get("cy", "0"))
    return points


def test_touchpoint_emotions_are_diamonds_with_their_label_in_the_touchpoints_place(
    maschinenbau: JourneyMap,
) -> None:
    root = ET.fromstring(render_map_svg(maschinenbau))
    layout, _ = build_layout(maschinenbau)
    band = layout.lanes["emotion"]
    markers = {
        (g.get("data-phase"), g.get("data-touchpoint")): g
        for g in _groups(root, "jm-emotion-marker")
    }
    assert set(markers) == {("retention", "service-hotline"), ("decision", "angebot")}
    worst = markers[("retention", "service-hotline")]
    assert worst.get("data-ref") == "tl-oezdemir"
    diamond = worst.find(f"{SVG}path")
    assert diamond is not None
    assert diamond.get("fill") == PERSONA_COLOURS[1]  # Ayşe's colour
    x, y = (float(n) for n in (diamond.get("d") or "").split()[0][1:].split(","))
    left, width = layout.columns["retention"]
    # Service-Hotline is the second of three touchpoints of Kundenbindung: the middle of the
    # column's left half; the diamond's top corner is MARKER_SIZE above the score's height.
    assert left < x < left + width / 2
    assert x == pytest.approx(left + 12 + 1.5 * (width / 2 - 24) / 3, abs=0.2)
    assert y + 5 == pytest.approx(emotion_y(band, -2), abs=0.2)
    assert "Ayşe Özdemir · Service-Hotline, Kundenbindung: -2" in (
        worst.findtext(f"{SVG}title") or ""
    )
    labels = {
        (g.get("data-phase"), g.get("data-touchpoint")): g
        for g in _groups(root, "jm-emotion-label")
    }
    worst_label = labels[("retention", "service-hotline")]
    assert _text(worst_label) == "Service-Hotline: verärgert: Spindelschaden am Wochenende"
    assert _text(labels[("decision", "angebot")]) == "Angebot: misstrauisch"


def test_the_buying_center_has_its_own_labelled_curve_and_legend_entry(
    maschinenbau: JourneyMap,
) -> None:
    root = ET.fromstring(render_map_svg(maschinenbau))
    [line] = [
        p
        for p in root.iter(f"{SVG}polyline")
        if p.get("class") == "jm-emotion-line" and p.get("data-ref") == ""
    ]
    assert line.get("stroke") == ALL_COLOUR
    assert len((line.get("points") or "").split()) == 5
    labels = {
        g.get("data-phase"): _text(g)
        for g in _groups(root, "jm-emotion-label")
        if g.get("data-ref") == "" and g.get("data-touchpoint") is None
    }
    assert labels == {
        "awareness": "unter Druck",
        "consideration": "zuversichtlich",
        "decision": "vorsichtig",
        "retention": "Anlaufschwierig- keiten",
        "advocacy": "stolz",
    }
    retention = next(
        g
        for g in _groups(root, "jm-emotion-label")
        if g.get("data-ref") == "" and g.get("data-phase") == "retention"
    )
    assert retention.findtext(f"{SVG}title") == "Anlaufschwierigkeiten"  # whole in its tooltip
    legend = ["".join(g.itertext()) for g in _groups(root, "jm-legend")]
    assert legend == [
        "Gesamtes Buying Center",
        "Jürgen Brandt",
        "Ayşe Özdemir",
        "Stefan Weiß",
        "an einem Touchpoint",
    ]


def test_a_persona_is_drawn_only_where_it_has_its_own_cell(maschinenbau: JourneyMap) -> None:
    root = ET.fromstring(render_map_svg(maschinenbau))
    points = _points(root)
    # Stefan joins at Entscheidung and has cells there and in Kundenbindung only: no point
    # in Weiterempfehlung ("stolz" is the buying center's), none before he joins.
    assert list(points["ek-weiss"]) == ["decision", "retention"]
    assert list(points["tl-oezdemir"]) == ["consideration", "decision", "retention", "advocacy"]
    assert list(points[""]) == ["awareness", "consideration", "decision", "retention", "advocacy"]
    stefan = {
        g.get("data-phase"): _text(g)
        for g in _groups(root, "jm-emotion-label")
        if g.get("data-ref") == "ek-weiss" and g.get("data-touchpoint") is None
    }
    assert stefan == {"decision": "kritisch", "retention": "neutral"}
    assert "stolz" not in " ".join(stefan.values())


def test_a_phase_without_the_personas_own_emotion_is_a_gap_in_its_line() -> None:
    journey_map = JourneyMap.model_validate(
        {
            "id": "gap",
            "name": "Gap",
            "phases": [{"id": f"p{i}", "name": f"P{i}", "order": i} for i in range(1, 5)],
            "personas": [{"id": "anna", "first_name": "Anna"}],
            "cells": [
                {"phase": "p2", "emotion": {"score": 2, "label": "shared"}},
                *(
                    {"phase": phase, "persona": "anna", "emotion": {"score": score}}
                    for phase, score in (("p1", -1), ("p3", 1), ("p4", 0))
                ),
            ],
        }
    )
    root = ET.fromstring(render_map_svg(journey_map))
    runs = [
        len((p.get("points") or "").split())
        for p in root.iter(f"{SVG}polyline")
        if p.get("data-ref") == "anna"
    ]
    assert runs == [1, 2]  # p1 alone, then p3-p4: nothing drawn for her in p2
    assert list(_points(root)["anna"]) == ["p1", "p3", "p4"]


def test_the_examples_negative_review_is_drawn() -> None:
    svg = render_map_svg(load_map(example_path("payment-provider")))
    root = ET.fromstring(svg)
    [label] = [
        g for g in _groups(root, "jm-emotion-label") if g.get("data-touchpoint") == "review-portals"
    ]
    assert _text(label) == "Review portals: worried by a bad review"


@pytest.mark.browser
@pytest.mark.slow
def test_at_1400_px_every_label_is_whole_and_the_last_phase_is_in_view(
    browser: Any, maschinenbau: JourneyMap, tmp_path: Path
) -> None:
    path = tmp_path / "karte.html"
    path.write_text(render_report_html(maschinenbau), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(path.as_uri())
        labels = page.eval_on_selector_all(
            ".map-scroll svg.jm-map g.jm-emotion-label",
            """els => els.map(g => { const t = g.querySelector('text').getBoundingClientRect();
                 const r = g.querySelector('rect').getBoundingClientRect();
                 return {text: g.querySelector('text').textContent.replace(/\\s+/g, ' '),
                         right: t.right, boxRight: r.right}; })""",
        )
        texts = {label["text"] for label in labels}
        for whole in (
            "begeistert von der Testbearbeitung",
            "wartet auf Ergebnisse",
            "gestresst im Anlauf",
            "skeptisch wegen Preis",
            "Service-Hotline: verärgert: Spindelschaden am Wochenende",
        ):
            assert whole in texts, whole
        assert not [text for text in texts if "…" in text]
        for label in labels:  # every line inside its box
            assert label["right"] <= label["boxRight"] + 0.5, label["text"]
        last = page.eval_on_selector(
            ".map-scroll svg.jm-map g.jm-header[data-ref='advocacy'] rect",
            "e => e.getBoundingClientRect().right",
        )
        scroll = page.eval_on_selector(
            ".map-scroll", "e => [e.clientWidth, e.scrollWidth, e.getBoundingClientRect().right]"
        )
        assert scroll[1] <= scroll[0]  # nothing to scroll to
        assert last <= scroll[2] <= 1400
    finally:
        page.close()


def _pdf_pages(pdf: Path) -> list[str]:
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        " ".join(unescape(word) for word in re.findall(r"<word [^>]*>(.*?)</word>", page))
        for page in re.findall(r"<page [^>]*>(.*?)</page>", xhtml, re.S)
    ]


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing"
)
def test_the_pdf_labels_every_emotion_and_keeps_the_curve_with_its_map(
    maschinenbau: JourneyMap, tmp_path: Path
) -> None:
    pages = _pdf_pages(render_report_pdf(maschinenbau, None, tmp_path / "karte.pdf"))
    text = " ".join(pages)
    for label in (
        "besorgt",
        "überzeugt",
        "stolz",
        "unter Druck",
        "kritisch",
        "misstrauisch",
        "verärgert: Spindelschaden am Wochenende",
        "begeistert von der",
    ):
        assert label in text, label
    # One page holds the whole map: the touchpoints, the lanes and the emotion curve with
    # its legend and labels (before, the emotion lane stood alone on page 2 of 3).
    [map_page] = [page for page in pages if "Emotion" in page]
    for words in (
        "Touchpoints",
        "Messe (EMO, AMB)",
        "KPIs",
        "Gesamtes Buying Center",
        "gestresst im Anlauf",
        "Stefan Weiß (Einkäufer)",
    ):
        assert words in map_page, words
    # The heading's page is not left with the heading alone: the personas fill it.
    assert pages[0].startswith("Kauf einer CNC")
    assert "Personas" in pages[0] and "Jürgen Brandt" in pages[0]
