"""Each persona's emotion curve starts at the phase the persona joins the buying center at."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.examples import example_path
from journeymap.model import JourneyMap
from journeymap.render import render_map_svg
from journeymap.render.map_svg import build_layout

SVG = "{http://www.w3.org/2000/svg}"

# The persona cells of examples/payment-provider.yaml, from the phase each persona joins at.
PAYMENT_PROVIDER_CURVES = {
    "jonas": {"awareness": 0, "consideration": 1, "decision": 1, "retention": -1.5, "advocacy": 2},
    "katrin": {"awareness": -1, "consideration": 0, "decision": 1, "retention": 0, "advocacy": 1.5},
    "mia": {"consideration": 1, "decision": 0.5, "retention": 1, "advocacy": 2},
    "thomas": {"decision": -1, "retention": -1, "advocacy": 0.5},
    "sabine": {"decision": 0, "retention": -0.5, "advocacy": 1},
}


# The cells without persona: the whole buying center's own curve, in every phase.
BUYING_CENTER_CURVE = {
    "awareness": 0,
    "consideration": 1,
    "decision": 0,
    "retention": -1,
    "advocacy": 1.5,
}


def _drawn(journey_map: JourneyMap) -> tuple[dict[str, dict[str, float]], ET.Element]:
    """Persona id -> {phase id: score read back from the point's height}, and the SVG root."""
    root = ET.fromstring(render_map_svg(journey_map))
    layout, _ = build_layout(journey_map)
    top, height = layout.lanes["emotion"]
    plot_top, plot_height = top + 12, height - 24
    centres = {pid: left + width / 2 for pid, (left, width) in layout.columns.items()}
    curves: dict[str, dict[str, float]] = {}
    for circle in root.iter(f"{SVG}circle"):
        assert circle.get("class") == "jm-emotion-point"
        phase = circle.get("data-phase", "")
        assert float(circle.get("cx", "")) == pytest.approx(centres[phase], abs=0.1)
        score = 2 - (float(circle.get("cy", "")) - plot_top) / plot_height * 4
        curves.setdefault(circle.get("data-ref", ""), {})[phase] = round(score * 4) / 4
    return curves, root


def _lines(root: ET.Element) -> dict[str, list[float]]:
    """Persona id -> the x of each vertex of its emotion line."""
    return {
        line.get("data-ref", ""): [
            float(point.split(",")[0]) for point in line.get("points", "").split()
        ]
        for line in root.iter(f"{SVG}polyline")
    }


def test_payment_provider_lines_start_at_the_joining_phase(example_map: JourneyMap) -> None:
    lines = _lines(ET.fromstring(render_map_svg(example_map)))
    layout, _ = build_layout(example_map)
    for persona in example_map.personas:
        joins_left = layout.columns[persona.joins_at or "awareness"][0]
        expected = PAYMENT_PROVIDER_CURVES[persona.id]
        # one vertex per phase from joining on, in phase order, none left of the joining column
        assert len(lines[persona.id]) == len(expected), persona.id
        assert lines[persona.id] == sorted(lines[persona.id])
        assert min(lines[persona.id]) >= joins_left, persona.id
    # Thomas and Sabine join at the decision: three vertices each, not five.
    assert [len(lines[p]) for p in ("thomas", "sabine")] == [3, 3]


def test_payment_provider_points_are_each_personas_own_scores(example_map: JourneyMap) -> None:
    curves, _ = _drawn(example_map)
    assert curves == {**PAYMENT_PROVIDER_CURVES, "": BUYING_CENTER_CURVE}
    for persona in example_map.personas:
        assert next(iter(curves[persona.id])) == persona.joins_at, persona.id


def test_legend_still_names_every_persona(example_map: JourneyMap) -> None:
    root = ET.fromstring(render_map_svg(example_map))
    names = [
        "".join(group.itertext())
        for group in root.iter(f"{SVG}g")
        if group.get("class") == "jm-legend"
    ]
    assert names == [persona.display_name for persona in example_map.personas]


def test_points_say_persona_phase_and_score(example_map: JourneyMap) -> None:
    _, root = _drawn(example_map)
    titles = [
        circle.find(f"{SVG}title")
        for circle in root.iter(f"{SVG}circle")
        if circle.get("data-ref") == "thomas"
    ]
    assert [t.text for t in titles if t is not None] == [
        "Thomas Krüger, Decision: -1 (suspicious)",
        "Thomas Krüger, Retention: -1 (integration worries)",
        "Thomas Krüger, Advocacy: 0.5 (relieved)",
    ]


def _small_map() -> JourneyMap:
    return JourneyMap.model_validate(
        {
            "id": "joins",
            "name": "Joins",
            "phases": [
                {"id": "one", "name": "One", "order": 1},
                {"id": "two", "name": "Two", "order": 2},
                {"id": "three", "name": "Three", "order": 3},
            ],
            "personas": [
                {"id": "early", "first_name": "Early"},
                {"id": "late", "first_name": "Late", "joins_at": "two"},
                {"id": "last", "first_name": "Last", "joins_at": "three"},
            ],
            "cells": [
                {"phase": "one", "emotion": {"score": 2}},
                {"phase": "two", "emotion": {"score": -2}},
                {"phase": "three", "emotion": {"score": 1}},
                {"phase": "one", "persona": "late", "emotion": {"score": 0.5}},
                {"phase": "three", "persona": "late", "emotion": {"score": -1}},
            ],
        }
    )


def test_from_joining_on_only_own_cells_are_drawn_and_shared_cells_are_their_own_curve() -> None:
    # Before, "early" and "last" were drawn with the shared cells' scores as their own, and
    # "late" got -2 in phase two, where it has no cell: an inherited value shown as its own.
    journey_map = _small_map()
    curves, root = _drawn(journey_map)
    # late's own cell in phase one lies before it joins: not drawn; phase two is a gap
    assert curves == {"": {"one": 2, "two": -2, "three": 1}, "late": {"three": -1}}
    assert {ref: len(xs) for ref, xs in _lines(root).items()} == {"": 3, "late": 1}
    assert [(p, e.score if e else None) for p, e in journey_map.own_emotion_curve("late")] == [
        ("two", None),
        ("three", -1.0),
    ]
    # emotion_curve keeps its documented filling in (what `journeymap show` lists)
    assert journey_map.emotion_curve("late", since_joining=True) == [("two", -2.0), ("three", -1.0)]
    assert journey_map.emotion_curve("late") == [("one", 0.5), ("two", -2.0), ("three", -1.0)]


@pytest.mark.parametrize("persona", ["jonas", "mia", "thomas", "sabine"])
def test_drawn_phases_are_the_ones_show_does_not_dash(
    example_map: JourneyMap, persona: str
) -> None:
    result = CliRunner().invoke(
        app,
        ["show", str(example_path("payment-provider")), "--persona", persona],
        env={"COLUMNS": "220", "JOURNEYMAP_LANG": "en"},
    )
    assert result.exit_code == 0, result.output
    name = example_map.persona(persona).display_name
    [row] = [line for line in result.output.splitlines() if line.startswith(name)]
    dashed = row.split().count("–")
    drawn, _ = _drawn(example_map)
    assert dashed == len(example_map.phases) - len(drawn[persona])
    assert [p.id for p in example_map.joined_phases(persona)] == list(drawn[persona])
