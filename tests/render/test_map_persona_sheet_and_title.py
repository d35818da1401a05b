"""What a Danish furniture shop's map shows: a long name whole, every persona's curve, the sheet."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from journeymap.model import Emotion, JourneyMap, Persona, Phase, StageCell, Touchpoint
from journeymap.render import render_report_html
from journeymap.render.layout import CHAR_WIDTH_EM
from journeymap.render.map_svg import render_map_svg

SVG = "{http://www.w3.org/2000/svg}"
LONG_NAME = (
    "Familien Hansen køber en ny sofa hos Hjem & Hygge – fra den første Instagram-annonce "
    "over stofprøverne til fragtmanden, der bærer sofaen op på tredje sal"
)


def _shop(name: str = "Sofa") -> JourneyMap:
    return JourneyMap(
        id="hjem-og-hygge",
        name=name,
        language="da",
        kind="b2c",
        phases=[
            Phase(id="opmaerksomhed", name="Opmærksomhed", order=1),
            Phase(id="koeb", name="Køb", order=2),
        ],
        personas=[
            Persona(
                id="mette",
                first_name="Mette",
                last_name="Hansen",
                age=38,
                income="650.000 kr. (husstand)",
                marital_status="Gift, to børn",
                career_level="Afdelingssygeplejerske",
                role="decider",
                joins_at="opmaerksomhed",
            ),
            Persona(id="soeren", first_name="Søren", last_name="Hansen", joins_at="koeb"),
            Persona(id="ida", first_name="Ida", last_name="Nørgaard"),
        ],
        touchpoints=[
            Touchpoint(id="instagram", name="Instagram-annonce", phases=["opmaerksomhed"]),
            Touchpoint(id="checkout", name="Checkout", phases=["koeb"]),
        ],
        # Every persona feels the same, each in its own cells (shared cells are the whole
        # buying center's curve, not each persona's).
        cells=[
            StageCell(phase=phase, persona=persona, emotion=Emotion(score=score))
            for persona in ("mette", "soeren", "ida")
            for phase, score in (("opmaerksomhed", 1), ("koeb", -1))
            if (persona, phase) != ("soeren", "opmaerksomhed")
        ],
    )


def test_a_long_map_name_is_wrapped_inside_the_drawing() -> None:
    root = ET.fromstring(render_map_svg(_shop(LONG_NAME)))
    width = float(root.get("width", "0"))
    title = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "jm-title")
    lines = [span.text or "" for span in title.iter(f"{SVG}tspan")]
    assert len(lines) >= 2
    assert " ".join(lines) == LONG_NAME
    for line in lines:
        assert 8 + len(line) * 18 * CHAR_WIDTH_EM * 1.1 <= width, line
    # The phase headers start below the title's last line.
    last_baseline = max(float(span.get("y", "0")) for span in title.iter(f"{SVG}tspan"))
    headers = [
        group.find(f"{SVG}rect")
        for group in root.iter(f"{SVG}g")
        if "jm-header" in group.get("class", "")
    ]
    assert all(float(rect.get("y", "0")) > last_baseline for rect in headers if rect is not None)


def test_personas_with_the_same_emotions_stay_visible_by_their_dashes() -> None:
    root = ET.fromstring(render_map_svg(_shop()))
    curves = {
        line.get("data-ref"): line
        for line in root.iter(f"{SVG}polyline")
        if line.get("class") == "jm-emotion-line"
    }
    assert set(curves) == {"mette", "soeren", "ida"}
    assert curves["mette"].get("points") == curves["ida"].get("points")
    assert curves["mette"].get("stroke-dasharray") is None
    assert curves["ida"].get("stroke-dasharray") not in (None, "")
    legend = {
        "".join(group.itertext()): group.find(f"{SVG}line")
        for group in root.iter(f"{SVG}g")
        if group.get("class") == "jm-legend"
    }
    assert list(legend) == ["Mette Hansen", "Søren Hansen", "Ida Nørgaard"]
    sample = legend["Ida Nørgaard"]
    assert sample is not None
    assert sample.get("stroke-dasharray") == curves["ida"].get("stroke-dasharray")


def test_the_persona_sheet_names_income_marital_status_and_joining_phase() -> None:
    html = render_report_html(_shop(), None)
    assert "<dt>Indkomst</dt><dd>650.000 kr. (husstand)</dd>" in html
    assert "<dt>Civilstand</dt><dd>Gift, to børn</dd>" in html
    assert "<dt>Karriereniveau</dt><dd>Afdelingssygeplejerske</dd>" in html
    assert "<dt>Kommer med i</dt><dd>Opmærksomhed</dd>" in html
    assert "<dt>Kommer med i</dt><dd>Køb</dd>" in html
