"""``journeymap diff`` speaks the user's language: section and field words translated, values
as a reader reads them (no Python reprs); ``--json`` keeps the file's keys and values."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from journeymap.cli.app import app

OLD = """\
id: cnc-zelle
name: Kauf einer CNC-Zelle
language: de
kind: b2b
phases:
  - {id: awareness, name: Aufmerksamkeit, order: 1}
  - {id: consideration, name: Erwägung, order: 2}
  - {id: decision, name: Entscheidung, order: 3}
personas:
  - {id: gf-brandt, first_name: Jürgen, joins_at: awareness}
  - {id: ek-weiss, first_name: Stefan, joins_at: decision}
touchpoints:
  - {id: webinar, name: Webinar, phases: [consideration]}
  - {id: angebot, name: Angebot, phases: [decision]}
cells:
  - {phase: decision, persona: gf-brandt, emotion: {score: -1.5, label: gestresst im Anlauf}}
evidence:
  - {id: crm, name: CRM-Auswertung, backs: [decision, gf-brandt, ek-weiss, angebot]}
"""

NEW = (
    OLD.replace("  - {id: ek-weiss, first_name: Stefan, joins_at: decision}\n", "")
    .replace("[decision, gf-brandt, ek-weiss, angebot]", "[decision, gf-brandt, angebot]")
    .replace("name: Erwägung", "name: Evaluierung")
    .replace("phases: [consideration]}", "phases: [awareness]}")
    .replace("{score: -1.5, label: gestresst im Anlauf}", '{score: -2, label: "it\'s late"}')
)


def _diff(tmp_path: Path, language: str, *options: str) -> tuple[int, str]:
    old, new = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(NEW, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["diff", str(old), str(new), *options],
        env={"JOURNEYMAP_LANG": language, "COLUMNS": "200"},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_diff_in_german_names_sections_and_fields_in_german(tmp_path: Path) -> None:
    code, output = _diff(tmp_path, "de")
    assert code == 1
    assert output.splitlines() == [
        "- Personas: ek-weiss",
        "~ Zellen: decision/gf-brandt/* (Emotion)",
        "    Emotion: {Wert: -1,5; Beschriftung: 'gestresst im Anlauf'} -> "
        "{Wert: -2; Beschriftung: 'it's late'}",
        "~ Quellen: crm (belegt)",
        "    belegt: 'decision', 'gf-brandt', 'ek-weiss', 'angebot' -> "
        "'decision', 'gf-brandt', 'angebot'",
        "~ Phasen: consideration (Name)",
        "    Name: 'Erwägung' -> 'Evaluierung'",
        "~ Touchpoints: webinar (Phasen)",
        "    Phasen: 'consideration' -> 'awareness'",
    ]


def test_diff_in_danish(tmp_path: Path) -> None:
    code, output = _diff(tmp_path, "da")
    assert code == 1
    lines = output.splitlines()
    assert lines[0] == "- personas: ek-weiss"
    assert "~ kilder: crm (underbygger)" in lines
    assert "~ faser: consideration (navn)" in lines
    assert "    følelse: {score: -1,5; etiket: 'gestresst im Anlauf'} -> " in output


def test_text_is_quoted_the_same_way_with_an_apostrophe_in_it(tmp_path: Path) -> None:
    # Python's repr switched to double quotes for "it's late".
    code, output = _diff(tmp_path, "en")
    assert code == 1
    assert (
        "    emotion: {score: -1.5, label: 'gestresst im Anlauf'} -> "
        "{score: -2, label: 'it's late'}"
    ) in output.splitlines()
    assert "[" not in output and '"' not in output


def test_an_emptied_list_and_a_cleared_value_read_as_a_dash(tmp_path: Path) -> None:
    old, new = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(
        OLD.replace("backs: [decision, gf-brandt, ek-weiss, angebot]", "backs: []").replace(
            "{id: angebot, name: Angebot,", "{id: angebot, name: Angebot, owner: Innendienst,"
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["diff", str(old), str(new)], env={"JOURNEYMAP_LANG": "de", "COLUMNS": "200"}
    )
    lines = result.output.splitlines()
    assert "    belegt: 'decision', 'gf-brandt', 'ek-weiss', 'angebot' -> –" in lines
    assert "    Verantwortlich: – -> 'Innendienst'" in lines


def test_the_json_keeps_the_files_keys_and_values(tmp_path: Path) -> None:
    code, output = _diff(tmp_path, "de", "--json")
    assert code == 1
    data = json.loads(output)
    assert data["removed"]["personas"] == ["ek-weiss"]
    changed = {(change["section"], change["id"]): change["fields"] for change in data["changed"]}
    assert changed[("evidence", "crm")] == {
        "backs": {
            "old": ["decision", "gf-brandt", "ek-weiss", "angebot"],
            "new": ["decision", "gf-brandt", "angebot"],
        }
    }
    assert changed[("cells", "decision/gf-brandt/*")]["emotion"] == {
        "old": {"score": -1.5, "label": "gestresst im Anlauf"},
        "new": {"score": -2.0, "label": "it's late"},
    }
    assert changed[("phases", "consideration")] == {
        "name": {"old": "Erwägung", "new": "Evaluierung"}
    }
