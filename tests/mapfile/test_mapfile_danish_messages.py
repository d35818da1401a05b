"""A Danish map author's mistakes, reported in Danish with file:line:column and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import MapValidationError
from journeymap.mapfile import loads_map

runner = CliRunner()

SHOP = """\
id: hjem-og-hygge
name: Familien Hansen køber en sofa
language: da
kind: b2c
phases:
  - id: opmaerksomhed
    name: Opmærksomhed
  - id: koeb
    name: Køb
personas:
  - id: mette-hansen
    first_name: Mette
    role: decider
touchpoints:
  - id: instagram
    name: Instagram-annonce
    phases: [opmaerksomhed]
  - id: chat
    name: Kundeservice-chat
    mode: online
    influence: direct
    phases: [opmaerksomhed, koeb]
cells:
  - phase: koeb
    emotion: {score: 1}
"""


def _validate(tmp_path: Path, text: str, language: str = "da") -> tuple[int, str]:
    path = tmp_path / "møbler.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)], env={"JOURNEYMAP_LANG": language})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_a_misspelt_phase_is_reported_in_danish_with_place_and_fix(tmp_path: Path) -> None:
    text = SHOP.replace("[opmaerksomhed, koeb]", "[opmaerksomhed, kob]")
    code, output = _validate(tmp_path, text)
    assert code == 1
    assert "Fejl: kortet har 1 problem:" in output
    assert (
        "møbler.yaml:22:29: fejl: touchpointet 'chat' henviser til fasen 'kob', som kortet ikke "
        "definerer (mente du 'koeb'?); tilføj den under 'phases' eller ret id'et "
        "(ved touchpoints.2.phases.2)"
    ) in output
    assert "refers to" not in output


def test_danish_choice_names_are_pointed_to_the_value_the_file_needs(tmp_path: Path) -> None:
    text = SHOP.replace("influence: direct", "influence: indirekte").replace(
        "role: decider", "role: påvirker"
    )
    code, output = _validate(tmp_path, text)
    assert code == 1
    assert "kortet har 2 problemer:" in output
    assert (
        "møbler.yaml:13:11: fejl: personas[1].role er teksten 'påvirker', som ikke er tilladt; "
        "brug en af: 'initiator', 'user', 'influencer', 'decider', 'buyer' eller 'gatekeeper' "
        "(mente du 'influencer'?)"
    ) in output
    assert "(mente du 'indirect'?)" in output


def test_an_id_with_danish_letters_gets_its_ascii_spelling(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, SHOP.replace("id: koeb", "id: køb"))
    assert code == 1
    assert "møbler.yaml:8:9: fejl: phases[2].id: 'køb' er ikke et gyldigt id" in output
    assert "(ikke æ, ø, å eller accenter)" in output
    assert "skriv 'koeb', og det samme alle steder, hvor id'et bruges" in output


def test_an_id_with_danish_letters_in_english(tmp_path: Path) -> None:
    with pytest.raises(MapValidationError) as caught:
        loads_map(SHOP.replace("id: koeb", "id: køb"), source="map.yaml")
    message = caught.value.issues[0].message
    assert "'køb' is not a valid id: use the letters a-z and A-Z (no accents" in message
    assert message.endswith("; write 'koeb', and the same everywhere the id is used")


def test_a_tab_is_named_as_the_problem(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, SHOP.replace("    role: decider", "\trole: decider"))
    assert code == 1
    assert "møbler.yaml:13:1: YAML-syntaksfejl:" in output
    assert "YAML indrykkes med mellemrum, ikke tabulatorer; erstat tabulatoren med mellemrum" in (
        output
    )


def test_an_emotion_out_of_range_in_danish(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, SHOP.replace("score: 1", "score: -3"))
    assert code == 1
    assert "følelsesscoren -3 ligger uden for -2..+2; brug -2 (meget negativ)" in output
    assert "(ved cells.1.emotion.score)" in output


def test_a_duplicate_id_and_an_unknown_persona_in_german(tmp_path: Path) -> None:
    text = SHOP.replace("  - id: chat", "  - id: instagram").replace(
        "  - phase: koeb\n", "  - phase: koeb\n    persona: mette\n"
    )
    code, output = _validate(tmp_path, text, "de")
    assert code == 1
    assert "Fehler: die Journey Map hat 2 Probleme:" in output
    assert (
        "møbler.yaml:18:9: Fehler: die Touchpoint-ID 'instagram' wird mehr als einmal verwendet "
        f"(zuerst definiert bei {tmp_path / 'møbler.yaml'}:15:9); geben Sie jedem Touchpoint "
        "eine eigene ID (bei touchpoints.2.id)"
    ) in output
    assert (
        "Zelle Nr. 1 verweist auf die Persona 'mette', die die Map nicht definiert (meinten Sie "
        "'mette-hansen'?)"
    ) in output


def test_warnings_are_counted_in_danish_and_listed_in_file_order(tmp_path: Path) -> None:
    text = SHOP.replace("    phases: [opmaerksomhed]\n", "    phases: []\n").replace(
        "[opmaerksomhed, koeb]", "[koeb]"
    )
    code, output = _validate(tmp_path, text)
    assert code == 0, output
    assert "2 advarsler:" in output and "advarsel/advarsler" not in output
    phase_warning = output.index("møbler.yaml:6:5: advarsel: fasen 'opmaerksomhed' har ingen")
    touchpoint_warning = output.index("møbler.yaml:15:5: advarsel: touchpointet 'instagram'")
    assert phase_warning < touchpoint_warning


def test_render_reports_the_problems_in_danish(tmp_path: Path) -> None:
    path = tmp_path / "møbler.yaml"
    path.write_text(SHOP.replace("score: 1", "score: 3"), encoding="utf-8")
    result = runner.invoke(
        app,
        ["render", str(path), "--out", str(tmp_path / "kort.svg")],
        env={"JOURNEYMAP_LANG": "da"},
    )
    assert result.exit_code == 1
    assert "Fejl: kortet har 1 problem:" in result.output
    assert "følelsesscoren 3 ligger uden for -2..+2" in result.output
    assert not (tmp_path / "kort.svg").exists()
