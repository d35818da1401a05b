"""``journeymap init --example industrial-machinery``: a machine builder's map, also in German."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.examples import example_path
from journeymap.examples.translations import example_languages, translated_example_path
from journeymap.mapfile import load_map
from journeymap.model import CATALOG, JourneyMap, phase_template

runner = CliRunner()
NAME = "industrial-machinery"
LANES = (
    "actions",
    "goals",
    "questions",
    "needs",
    "information_needs",
    "pain_points",
    "opportunities",
    "kpis",
)


def _run(language: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"JOURNEYMAP_LANG": language, "COLUMNS": "100"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _shape(journey_map: JourneyMap) -> dict[str, Any]:
    """Everything of a map but its words: ids, choices, links, scores, targets, item counts."""
    return {
        "phases": [(p.id, p.order) for p in journey_map.phases],
        "personas": [(p.id, p.role, p.joins_at, p.age, p.employees) for p in journey_map.personas],
        "touchpoints": [
            (t.id, t.catalog, t.channel, t.mode, t.influence, t.phases, t.order)
            for t in journey_map.touchpoints
        ],
        "cells": [
            (
                cell.key,
                cell.emotion.score if cell.emotion else None,
                [len(getattr(cell, lane)) for lane in LANES],
                [(kpi.target, kpi.unit == "%") for kpi in cell.kpis],
            )
            for cell in journey_map.cells
        ],
        "evidence": [(e.id, e.origin, e.backs) for e in journey_map.evidence],
    }


def test_init_writes_the_example_in_german(tmp_path: Path) -> None:
    target = tmp_path / "karten" / "maschinenbau.yaml"
    code, output = _run("de", "init", str(target), "--example", NAME, "--lang", "de")
    assert code == 0, output
    assert "mit 5 Phasen und 12 Touchpoints" in output
    text = target.read_text(encoding="utf-8")
    assert text == translated_example_path(NAME, "de").read_text(encoding="utf-8")
    assert "language: de" in text and "# Die Geschichte: Lindner Präzisionstechnik" in text
    journey_map = load_map(target)
    assert [p.name for p in journey_map.ordered_phases()] == [
        p.name for p in phase_template("b2b", "de")
    ]
    names = {t.id: t.name for t in journey_map.touchpoints}
    assert names["trade-fair"] == "Messe (EMO Hannover)"
    assert names["sales-visit"] == "Außendienstbesuch"
    assert names["commissioning"] == "Installation und Inbetriebnahme"
    assert names["service-hotline"] == "Service-Hotline"
    [hotline] = journey_map.cells_for("retention", "nadine", "service-hotline")
    assert hotline.emotion is not None
    assert (hotline.emotion.score, hotline.emotion.label) == (
        -2,
        "verärgert: Spindelschaden am Wochenende",
    )
    code, output = _run("de", "validate", str(target))
    assert code == 0, output
    assert "ist eine gültige Journey Map" in output and "Warnung" not in output


def test_the_english_original_is_copied_without_lang(tmp_path: Path) -> None:
    target = tmp_path / "cell.yaml"
    code, output = _run("en", "init", str(target), "--example", NAME)
    assert code == 0, output
    assert "with 5 phases and 12 touchpoints" in output
    assert target.read_bytes() == example_path(NAME).read_bytes()
    assert load_map(target).language == "en"


@pytest.mark.parametrize("language", ["da", "de"])
def test_each_translation_is_the_same_map_in_other_words(language: str) -> None:
    original = load_map(example_path(NAME))
    translation = load_map(translated_example_path(NAME, language))
    assert translation.language == language and original.language == "en"
    assert translation.issues() == []
    assert _shape(translation) == _shape(original)
    english = [t.name for t in original.touchpoints] + [c.name for c in original.evidence]
    words = [t.name for t in translation.touchpoints] + [c.name for c in translation.evidence]
    # Only the names every language writes the same (Website, LinkedIn, ...) stay English.
    assert sum(a == b for a, b in zip(english, words, strict=True)) <= 3, words


def test_the_example_is_a_buying_center_at_a_machine_builder() -> None:
    journey_map = load_map(example_path(NAME))
    assert journey_map.issues() == []
    assert journey_map.kind == "b2b" and journey_map.status == "researched"
    joins = {p.id: (p.role, p.joins_at) for p in journey_map.personas}
    assert joins == {
        "ulrich": ("decider", "awareness"),
        "nadine": ("user", "consideration"),
        "frank": ("buyer", "decision"),
    }
    touchpoints = journey_map.touchpoints
    assert 10 <= len(touchpoints) <= 12
    assert {(t.mode, t.influence) for t in touchpoints} == {
        ("online", "direct"),
        ("online", "indirect"),
        ("offline", "direct"),
        ("offline", "indirect"),
    }
    assert {"trade-fairs", "field-sales-visits", "quotes", "commissioning"} <= {
        t.catalog for t in touchpoints
    }
    assert all(t.catalog in CATALOG for t in touchpoints)
    # Emotions at persona and at touchpoint level, and no persona cell before the persona joins.
    order = {p.id: p.order for p in journey_map.phases}
    joined = {p.id: order[p.joins_at or "awareness"] for p in journey_map.personas}
    at_touchpoints = [c for c in journey_map.cells if c.touchpoint and c.emotion]
    assert len(at_touchpoints) >= 3 and any(c.persona is None for c in at_touchpoints)
    for cell in journey_map.cells:
        if cell.persona is not None:
            assert order[cell.phase] >= joined[cell.persona], cell.key
        if cell.touchpoint is not None:
            assert cell.phase in journey_map.touchpoint(cell.touchpoint).phases, cell.key
    assert {source.origin for source in journey_map.evidence} == {"internal", "external"}


def test_the_translations_are_found_beside_the_example() -> None:
    assert example_languages(NAME) == ["en", "da", "de"]
    assert example_languages("payment-provider") == ["en"]


def test_an_example_without_the_language_is_refused_in_that_language(tmp_path: Path) -> None:
    target = tmp_path / "zahlung.yaml"
    code, output = _run("de", "init", str(target), "--example", "payment-provider", "--lang", "de")
    assert code == 2
    assert "das Beispiel payment-provider gibt es auf en, nicht auf 'de'" in output
    assert "Traceback" not in output
    assert not target.exists()
    code, output = _run("en", "init", str(target), "--example", NAME, "--template", "b2b")
    assert code == 2
    assert "leave out --template" in output
    assert not target.exists()


@pytest.mark.browser
@pytest.mark.slow
def test_the_german_example_renders_in_chromium_and_as_pdf(tmp_path: Path, browser: Any) -> None:
    source = tmp_path / "maschinenbau.yaml"
    assert _run("de", "init", str(source), "--example", NAME, "--lang", "de")[0] == 0
    html = tmp_path / "maschinenbau.html"
    code, output = _run("de", "render", str(source), "--format", "html", "--out", str(html))
    assert code == 0, output
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang") == "de"
    text = page.inner_text("body")
    for words in (
        "Aufmerksamkeit",
        "Weiterempfehlung",
        "Messe (EMO Hannover)",
        "Außendienstbesuch",
    ):
        assert words in text
    for words in ("Service-Hotline", "Ulrich Lindner", "Nadine Kaya", "Frank Möller"):
        assert words in text
    assert "Angebots-Auftrags-Quote (25 %)" in text  # a German number in a KPI
    page.screenshot(path=str(tmp_path / "maschinenbau.png"), full_page=True)
    assert (tmp_path / "maschinenbau.png").stat().st_size > 100_000
    assert errors == []
    page.close()
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is missing: it reads the text out of the PDF")
    pdf = tmp_path / "maschinenbau.pdf"
    code, output = _run("de", "render", str(source), "--format", "pdf", "--out", str(pdf))
    assert code == 0, output
    words = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for phrase in ("Kundenbindung", "Inbetriebnahme", "Kundenportal", "Testbearbeitung"):
        assert phrase in words
