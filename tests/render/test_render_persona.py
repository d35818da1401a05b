"""A journey map per persona (or group): ``journeymap render --persona`` and ``for_personas``.

A CX manager runs a workshop with the purchasing team: the map she prints for it holds
Stefan's cells, curve and persona card, with the whole buying center's, and no other persona's.
The measured figures stay those of all journeys, and render says so.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from journeymap.analysis import analyze
from journeymap.cli.app import app
from journeymap.errors import UsageError
from journeymap.mapfile import load_map
from journeymap.model import JourneyMap
from journeymap.render import render
from journeymap.services.render import render_file

SVG = "{http://www.w3.org/2000/svg}"
NAME = "Kauf einer CNC-Bearbeitungszelle"
STEFAN_TITLE = f"{NAME} — Stefan Weiß (Einkäufer)"
# Cell texts of one owner each: the buying center's, Stefan's and Ayşe's.
SHARED_ACTION = "Angebote vergleichen"
STEFAN_QUESTION = "Warum ist die Schulung eine Extra-Position?"
AYSE_NEED = "Techniker binnen 24 Stunden vor Ort"
PHASES = {
    "awareness": "Aufmerksamkeit",
    "consideration": "Erwägung",
    "decision": "Entscheidung",
    "retention": "Kundenbindung",
}
TOUCHPOINTS = {
    "messe": ("Messe (EMO)", ["awareness"]),
    "aussendienst": ("Außendienst-Besuch", ["consideration", "decision"]),
    "angebot": ("Angebot", ["decision"]),
    "hotline": ("Service-Hotline", ["retention"]),
}


def _machine_map() -> dict[str, Any]:
    """A German B2B map after the CX manager's: three buying-center members join in turn."""
    return {
        "id": "cnc-zelle",
        "name": NAME,
        "description": "Ein Zulieferer ersetzt zwei Fräsmaschinen.",
        "language": "de",
        "kind": "b2b",
        "phases": [
            {"id": phase, "name": name, "order": order}
            for order, (phase, name) in enumerate(PHASES.items(), 1)
        ],
        "personas": [
            {
                "id": "gf-brandt",
                "first_name": "Jürgen",
                "last_name": "Brandt",
                "role": "decider",
                "joins_at": "awareness",
                "goals": ["Amortisation unter 4 Jahren"],
            },
            {
                "id": "tl-oezdemir",
                "first_name": "Ayşe",
                "last_name": "Özdemir",
                "role": "user",
                "joins_at": "consideration",
                "goals": ["Taktzeit -30 %"],
            },
            {
                "id": "ek-weiss",
                "first_name": "Stefan",
                "last_name": "Weiß",
                "role": "buyer",
                "joins_at": "decision",
                "goals": ["Zahlungsplan 30/60/10"],
            },
        ],
        "touchpoints": [
            {"id": tp, "name": name, "phases": phases} for tp, (name, phases) in TOUCHPOINTS.items()
        ],
        "cells": [
            {"phase": "awareness", "actions": ["Besucht die EMO"], "emotion": {"score": -1}},
            {"phase": "decision", "actions": [SHARED_ACTION], "emotion": {"score": 0}},
            {"phase": "retention", "emotion": {"score": -1, "label": "Anlauf"}},
            {
                "phase": "decision",
                "touchpoint": "angebot",
                "persona": "ek-weiss",
                "questions": [STEFAN_QUESTION],
                "emotion": {"score": -1, "label": "misstrauisch"},
            },
            {
                "phase": "retention",
                "touchpoint": "hotline",
                "persona": "tl-oezdemir",
                "needs": [AYSE_NEED],
                "emotion": {"score": -2, "label": "verärgert"},
            },
            {"phase": "awareness", "persona": "gf-brandt", "emotion": {"score": -1}},
            {"phase": "decision", "persona": "gf-brandt", "emotion": {"score": 1}},
            {"phase": "consideration", "persona": "tl-oezdemir", "emotion": {"score": 1}},
            {"phase": "decision", "persona": "ek-weiss", "emotion": {"score": -0.5}},
            {"phase": "retention", "persona": "ek-weiss", "emotion": {"score": 0}},
        ],
        "evidence": [
            {"id": "crm", "name": "CRM-Auswertung", "backs": ["decision", "gf-brandt", "ek-weiss"]},
            {"id": "interview-gf", "name": "Interview Geschäftsführung", "backs": ["gf-brandt"]},
            {"id": "vdma", "name": "VDMA-Studie", "origin": "external"},
        ],
    }


def _events(journey_map: JourneyMap) -> pa.Table:
    """90 journeys, a third per persona; every fourth converts at the offer."""
    personas = [persona.id for persona in journey_map.personas]
    start = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    steps = [("messe", "awareness"), ("aussendienst", "consideration"), ("angebot", "decision")]
    rows: list[dict[str, Any]] = []
    for index in range(90):
        reached = steps[: 1 + index % 3] + ([("hotline", "retention")] if index % 4 == 0 else [])
        for position, (touchpoint, phase) in enumerate(reached):
            rows.append(
                {
                    "person_id": f"p{index}",
                    "account_id": None,
                    "ts": start + dt.timedelta(days=index, hours=position),
                    "touchpoint": touchpoint,
                    "phase": phase,
                    "persona": personas[index % 3],
                    "conversion": touchpoint == "angebot" and index % 4 == 0,
                    "value": 50000.0 if touchpoint == "angebot" and index % 4 == 0 else None,
                    "source": "crm",
                }
            )
    return pa.Table.from_pylist(rows)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The map file, and two saved analyses of it: without and with a breakdown by persona."""
    folder = tmp_path_factory.mktemp("persona-map")
    map_file = folder / "maschinenbau.yaml"
    map_file.write_text(json.dumps(_machine_map(), ensure_ascii=False), encoding="utf-8")
    journey_map = load_map(map_file)
    events = _events(journey_map)
    analyze(journey_map, events).save(folder / "analysis")
    analyze(journey_map, events, breakdown=["persona"]).save(folder / "by-persona")
    return {
        "map": map_file,
        "analysis": folder / "analysis",
        "by_persona": folder / "by-persona",
    }


@pytest.fixture
def german(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYMAP_LANG", "de")


def _render(*args: str) -> str:
    result = CliRunner().invoke(app, ["render", *args])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def _open(browser: Any, path: Path) -> Any:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


def _refs(page: Any, selector: str) -> list[str]:
    return list(
        page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('data-ref'))")
    )


def _cards(page: Any) -> list[tuple[str, str]]:
    """(lane, text) of the map's cells' cards, a card's wrapped lines joined again."""
    found = page.eval_on_selector_all(
        ".jm-map .jm-item",
        "els => els.map(e => [e.dataset.lane, e.querySelector('text').textContent])",
    )
    return [(lane, " ".join(text.split()).replace("- ", "-")) for lane, text in found]


def _pdf_text(pdf: Path) -> str:
    found = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(found.split())


def _measured_lanes(svg: str) -> list[tuple[str, str | None, str]]:
    """(lane, ref, text) of each card of the measured lanes and the touchpoints' figures."""
    root = ET.fromstring(svg)
    return [
        (group.get("data-lane", ""), group.get("data-ref"), " ".join(group.itertext()))
        for group in root.iter(f"{SVG}g")
        if group.get("data-lane") in {"touchpoints", "reached", "converted", "dropoff"}
    ]


# The model: a filtered copy -------------------------------------------------------------


def test_for_personas_keeps_the_persona_and_the_buying_center() -> None:
    whole = JourneyMap.model_validate(_machine_map())
    stefan = whole.for_personas(["ek-weiss"])
    assert stefan.name == STEFAN_TITLE
    assert [persona.id for persona in stefan.personas] == ["ek-weiss"]
    # The 3 shared cells and Stefan's 3; none of Jürgen's (2) or Ayşe's (2).
    assert sorted({cell.persona or "" for cell in stefan.cells}) == ["", "ek-weiss"]
    assert len(stefan.cells) == 6
    assert stefan.touchpoints == whole.touchpoints and stefan.phases == whole.phases
    # Evidence backs what is left; the interview with the managing director alone goes.
    assert {source.id: source.backs for source in stefan.evidence} == {
        "crm": ["decision", "ek-weiss"],
        "vdma": [],
    }
    assert stefan.issues() == [] and stefan.id == whole.id
    # The map itself is untouched, and a copy's change stays in the copy.
    stefan.cells[0].actions.append("nur in der Kopie")
    assert len(whole.personas) == 3 and whole.name == NAME and len(whole.cells) == 10
    assert "nur in der Kopie" not in whole.cells[0].actions


def test_a_group_keeps_the_maps_order_and_names_everyone() -> None:
    whole = JourneyMap.model_validate(_machine_map())
    group = whole.for_personas(["ek-weiss", "gf-brandt", "ek-weiss"])
    assert [persona.id for persona in group.personas] == ["gf-brandt", "ek-weiss"]
    assert group.name == f"{NAME} — Jürgen Brandt (Entscheider), Stefan Weiß (Einkäufer)"
    assert whole.for_personas("ek-weiss").name == STEFAN_TITLE  # one id alone
    english = whole.model_copy(update={"language": "en"}).for_personas(["ek-weiss"])
    assert english.name == f"{NAME} — Stefan Weiß (buyer)"


def test_an_unknown_persona_is_an_error_with_the_id_it_may_mean(german: None) -> None:
    whole = JourneyMap.model_validate(_machine_map())
    with pytest.raises(UsageError) as raised:
        whole.for_personas(["ek-weiss", "ek-weis"])
    assert str(raised.value) == (
        "die Map hat keine Persona 'ek-weis' (meinten Sie 'ek-weiss'?); geben Sie --persona "
        "eine ihrer IDs"
    )


# The command line: every format ---------------------------------------------------------


@pytest.mark.browser
def test_the_html_report_is_stefans_map_in_chromium(
    files: dict[str, Path], tmp_path: Path, browser: Any, german: None
) -> None:
    whole_html, stefan_html = tmp_path / "alle.html", tmp_path / "stefan.html"
    _render(str(files["map"]), "--out", str(whole_html))
    _render(str(files["map"]), "--persona", "ek-weiss", "--out", str(stefan_html))
    whole = _open(browser, whole_html)
    assert _refs(whole, "article.persona") == ["gf-brandt", "tl-oezdemir", "ek-weiss"]
    assert ("needs", f"Ayşe Özdemir · Service-Hotline: {AYSE_NEED}") in _cards(whole)
    whole.close()

    page = _open(browser, stefan_html)
    assert page.inner_text("h1") == STEFAN_TITLE
    assert page.title() == STEFAN_TITLE
    assert " ".join(page.text_content(".jm-map .jm-title").split()) == STEFAN_TITLE
    assert _refs(page, "article.persona") == ["ek-weiss"]
    # Stefan's curve and the buying center's (no ref); his emotion at the offer, not Ayşe's.
    assert sorted(set(_refs(page, ".jm-map .jm-emotion-line"))) == ["", "ek-weiss"]
    assert _refs(page, ".jm-map .jm-emotion-marker") == ["ek-weiss"]
    # The map's cards: the buying center's, Stefan's question at the offer (with whose it
    # is), Stefan alone in the buying-center lane; not Ayşe's need at the hotline.
    assert _cards(page) == [
        ("actions", "Besucht die EMO"),
        ("actions", SHARED_ACTION),
        ("questions", f"Stefan Weiß · Angebot: {STEFAN_QUESTION}"),
        ("buying_center", "Stefan Weiß (Einkäufer)"),
    ]
    # Phases and touchpoints as they are.
    assert sorted(set(_refs(page, ".jm-map .jm-touchpoint"))) == sorted(TOUCHPOINTS)
    assert _refs(page, ".jm-map .jm-header") == list(PHASES)
    text = " ".join(page.inner_text("body").split())
    assert AYSE_NEED not in text
    assert "Jürgen" not in text and "Ayşe" not in text
    assert "Interview Geschäftsführung" not in text and "CRM-Auswertung" in text
    page.close()


@pytest.mark.browser
def test_a_group_report_names_the_group_in_chromium(
    files: dict[str, Path], tmp_path: Path, browser: Any, german: None
) -> None:
    out = tmp_path / "gruppe.html"
    _render(str(files["map"]), "--persona", "ek-weiss", "--persona", "gf-brandt", "--out", str(out))
    page = _open(browser, out)
    assert page.inner_text("h1") == (
        f"{NAME} — Jürgen Brandt (Entscheider), Stefan Weiß (Einkäufer)"
    )
    assert _refs(page, "article.persona") == ["gf-brandt", "ek-weiss"]
    assert sorted(set(_refs(page, ".jm-map .jm-emotion-line"))) == ["", "ek-weiss", "gf-brandt"]
    assert AYSE_NEED not in page.inner_text("body")
    page.close()


@pytest.mark.browser
def test_a_breakdown_by_persona_keeps_stefans_line_in_chromium(
    files: dict[str, Path], tmp_path: Path, browser: Any, german: None
) -> None:
    out = tmp_path / "stefan.html"
    said = _render(
        str(files["map"]),
        "--persona",
        "ek-weiss",
        "--analysis",
        str(files["by_persona"]),
        "--out",
        str(out),
    )
    assert (
        "Hinweis: Die Map zeigt nur Stefan Weiß, ihre gemessenen Zeilen sind aber Zahlen für "
        "alle Journeys, nicht nur für diese. Die Analyse ist nach Persona aufgeschlüsselt: Der "
        "Phasen-Funnel nach Persona im Bericht behält die Zeilen von Stefan Weiß." in said
    )
    page = _open(browser, out)
    assert page.inner_text("header p.description").endswith(
        "Die gemessenen Zahlen auf der Journey Map gelten für alle Journeys, nicht nur für "
        "Stefan Weiß; der Phasen-Funnel nach Persona zeigt ihre eigenen."
    )
    lines = page.eval_on_selector_all(
        'table.breakdown[data-breakdown="persona"] tbody th', "els => els.map(e => e.innerText)"
    )
    assert lines == ["Alle Journeys", "Stefan Weiß"]
    # His line: 30 journeys (every third) entered at awareness.
    first = page.eval_on_selector_all(
        'table.breakdown[data-breakdown="persona"] tbody tr td:first-of-type',
        "els => els.map(e => e.dataset.reached)",
    )
    assert first == ["90", "30"]
    page.close()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is missing")
def test_the_pdf_is_stefans_with_figures_for_all_journeys(
    files: dict[str, Path], tmp_path: Path, german: None
) -> None:
    out = tmp_path / "stefan.pdf"
    said = _render(
        str(files["map"]),
        "--persona",
        "ek-weiss",
        "--analysis",
        str(files["analysis"]),
        "--out",
        str(out),
    )
    assert "ihre gemessenen Zeilen sind aber Zahlen für alle Journeys" in said
    assert "Für einen Phasen-Funnel je Persona führen Sie journeymap analyze mit" in said
    text = _pdf_text(out)
    assert text.startswith(STEFAN_TITLE)
    assert "Die gemessenen Zahlen gelten für alle Journeys, nicht nur für Stefan Weiß." in text
    # The question at the offer, with whose it is (the PDF wraps it at its hyphen).
    assert "Stefan Weiß · Angebot: Warum ist die Schulung" in text and SHARED_ACTION in text
    assert "Jürgen" not in text and "Ayşe" not in text and AYSE_NEED not in text


def test_the_svg_keeps_the_figures_of_all_journeys(
    files: dict[str, Path], tmp_path: Path, german: None
) -> None:
    whole, stefan = tmp_path / "alle.svg", tmp_path / "stefan.svg"
    analysis = str(files["by_persona"])
    _render(str(files["map"]), "--analysis", analysis, "--out", str(whole))
    said = _render(
        str(files["map"]), "--persona", "ek-weiss", "--analysis", analysis, "--out", str(stefan)
    )
    assert (
        "Die Analyse ist nach Persona aufgeschlüsselt: render --format html oder pdf zeigt den "
        "Phasen-Funnel von Stefan Weiß." in said
    )
    svg = stefan.read_text("utf-8")
    root = ET.fromstring(svg)
    title = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "jm-title")
    assert " ".join(" ".join(title.itertext()).split()) == STEFAN_TITLE
    assert {
        line.get("data-ref")
        for line in root.iter(f"{SVG}polyline")
        if "emotion" in str(line.get("class"))
    } <= {"", "ek-weiss"}
    lanes = _measured_lanes(svg)
    assert {lane for lane, _ref, _text in lanes} == {
        "touchpoints",
        "reached",
        "converted",
        "dropoff",
    }
    # The same figures as on the whole map: measured for everyone.
    assert lanes == _measured_lanes(whole.read_text("utf-8"))
    assert "Ayşe" not in svg and "Jürgen" not in svg


def test_the_png_is_the_persona_map(files: dict[str, Path], tmp_path: Path) -> None:
    import vl_convert

    paths = {name: tmp_path / name for name in ("alle.png", "stefan.png", "stefan.svg")}
    _render(str(files["map"]), "--out", str(paths["alle.png"]))
    _render(str(files["map"]), "--persona", "ek-weiss", "--out", str(paths["stefan.png"]))
    _render(str(files["map"]), "--persona", "ek-weiss", "--out", str(paths["stefan.svg"]))
    stefan = paths["stefan.png"].read_bytes()
    assert stefan.startswith(b"\x89PNG")
    # The picture of Stefan's SVG (checked above), not the whole map's.
    assert stefan == bytes(vl_convert.svg_to_png(paths["stefan.svg"].read_text("utf-8"), scale=1.5))
    assert stefan != paths["alle.png"].read_bytes()


def test_an_unknown_persona_stops_render_with_the_id_it_may_mean(
    files: dict[str, Path], tmp_path: Path, german: None
) -> None:
    out = tmp_path / "x.html"
    result = CliRunner().invoke(
        app, ["render", str(files["map"]), "--persona", "ek-weis", "--out", str(out)]
    )
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "Fehler: die Map hat keine Persona 'ek-weis' (meinten Sie 'ek-weiss'?)" in said
    assert not out.exists()


# The Python API ------------------------------------------------------------------------


def test_the_python_api_renders_a_persona_map(files: dict[str, Path], tmp_path: Path) -> None:
    written = render_file(
        files["map"], files["by_persona"], "html", tmp_path / "s.html", personas=["ek-weiss"]
    )
    assert (written.personas, written.by_persona, written.format) == (["Stefan Weiß"], True, "html")
    html = (tmp_path / "s.html").read_text("utf-8")
    assert f"<h1>{STEFAN_TITLE}</h1>" in html
    assert re.findall(r'<article class="persona" data-ref="([^"]+)"', html) == ["ek-weiss"]
    whole = render_file(files["map"], files["analysis"], "svg", tmp_path / "w.svg")
    assert (whole.personas, whole.by_persona) == ([], False)
    # Any renderer takes the filtered map.
    journey_map = load_map(files["map"]).for_personas(["ek-weiss"])
    svg = render(journey_map, None, "svg", tmp_path / "m.svg").read_text("utf-8")
    assert STEFAN_TITLE in svg and "Ayşe" not in svg
