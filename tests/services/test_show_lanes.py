"""``journeymap show`` prints every lane the map has content for, says whose and where an item
is, and writes numbers in the user's language (a German B2B map designer's findings)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app, console
from journeymap.services.maps import show_map

MACHINE = """\
id: cnc-zelle
name: Kauf einer CNC-Zelle
language: de
kind: b2b
phases:
  - {id: awareness, name: Aufmerksamkeit, order: 1}
  - {id: decision, name: Entscheidung, order: 2}
personas:
  - {id: gf-brandt, first_name: Jürgen, last_name: Brandt, role: decider, joins_at: awareness}
  - {id: ek-weiss, first_name: Stefan, last_name: Weiß, role: buyer, joins_at: decision}
touchpoints:
  - {id: messe, name: Messe, mode: offline, phases: [awareness]}
  - {id: angebot, name: Angebot, mode: offline, phases: [decision]}
cells:
  - phase: awareness
    actions: [Besucht die EMO]
    needs: [Überblick über Anbieter]
    information_needs: [Taktzeiten vergleichbarer Zellen]
    opportunities: [Live-Bearbeitung am Messestand]
    kpis: [{name: Messekontakte, target: 40}]
  - phase: decision
    needs: [Referenzen aus der Automobilbranche]
    kpis: [{name: Angebots-Auftrags-Quote, target: 25.5, unit: "%"}]
  - phase: decision
    persona: gf-brandt
    emotion: {score: 0.5, label: unterstützend}
  - phase: decision
    persona: ek-weiss
    emotion: {score: -1.5, label: kritisch}
  - phase: decision
    persona: ek-weiss
    touchpoint: angebot
    questions: [Warum ist die Schulung eine Extra-Position?]
"""


@pytest.fixture
def machine_map(tmp_path: Path) -> Path:
    path = tmp_path / "maschinenbau.yaml"
    path.write_text(MACHINE, encoding="utf-8")
    return path


def _show(path: Path, *options: str, language: str = "de") -> str:
    # Wide enough that no item wraps, whatever width an earlier test left the console at.
    saved = console._width
    console.width = 300
    try:
        result = CliRunner().invoke(
            app, ["show", str(path), *options], env={"JOURNEYMAP_LANG": language}
        )
    finally:
        console._width = saved
    assert result.exit_code == 0, result.output
    return result.output


def _row(output: str, title: str) -> str:
    """The first line of the lane row ``title``."""
    lines = [line for line in output.splitlines() if line.startswith(title)]
    assert lines, f"no row {title!r} in:\n{output}"
    return lines[0]


def test_show_map_has_every_lane_of_the_drawn_map(machine_map: Path) -> None:
    view = show_map(machine_map)
    assert list(view.lanes) == [
        "actions",
        "goals",
        "questions",
        "needs",
        "information_needs",
        "pain_points",
        "opportunities",
        "kpis",
    ]
    assert view.lanes["needs"]["awareness"] == ["Überblick über Anbieter"]
    assert view.lanes["information_needs"]["awareness"] == ["Taktzeiten vergleichbarer Zellen"]
    assert view.lanes["opportunities"]["awareness"] == ["Live-Bearbeitung am Messestand"]
    assert view.lanes["kpis"]["awareness"] == ["Messekontakte (40)"]


def test_a_persona_item_at_a_touchpoint_says_whose_and_where(machine_map: Path) -> None:
    view = show_map(machine_map)
    assert view.lanes["questions"]["decision"] == [
        "Stefan Weiß · Angebot: Warum ist die Schulung eine Extra-Position?"
    ]
    # Filtered to the persona, the item is still named as the drawn map names it.
    assert show_map(machine_map, "ek-weiss").lanes["questions"]["decision"] == [
        "Stefan Weiß · Angebot: Warum ist die Schulung eine Extra-Position?"
    ]
    assert show_map(machine_map, "gf-brandt").lanes["questions"]["decision"] == []


def test_show_prints_needs_information_needs_opportunities_and_kpis_in_german(
    machine_map: Path,
) -> None:
    output = _show(machine_map)
    assert "Überblick über Anbieter" in _row(output, "Bedürfnisse")
    assert "Referenzen aus der Automobilbranche" in _row(output, "Bedürfnisse")
    assert "Taktzeiten vergleichbarer Zellen" in _row(output, "Informationsbedarf")
    assert "Live-Bearbeitung am Messestand" in _row(output, "Chancen")
    kpis = _row(output, "KPIs")
    assert "Messekontakte (40)" in kpis
    assert "Angebots-Auftrags-Quote (25,5 %)" in kpis
    assert "Stefan Weiß · Angebot: Warum ist die Schulung eine Extra-Position?" in _row(
        output, "Fragen"
    )


def test_a_lane_without_content_gets_no_row(machine_map: Path) -> None:
    output = _show(machine_map)
    assert not [line for line in output.splitlines() if line.startswith(("Ziele", "Pain Points"))]


@pytest.mark.parametrize(
    ("language", "half", "one_and_a_half"),
    [("de", "+0,5 ▲ unterstützend", "-1,5 ▼▼ kritisch"), ("en", "+0.5 ▲", "-1.5 ▼▼")],
)
def test_emotion_scores_are_written_in_the_users_language(
    machine_map: Path, language: str, half: str, one_and_a_half: str
) -> None:
    output = _show(machine_map, language=language)
    assert half in _row(output, "Jürgen Brandt")
    assert one_and_a_half in output
    if language == "de":
        assert "0.5" not in output and "1.5" not in output
