"""Cells that contradict the map are warned about, located in the file, in the user's language.

A persona's cell before the persona joins is left out of its emotion curve; a touchpoint's
cell in a phase the touchpoint is not in is drawn in a column without it. Both come from
moving a touchpoint or a ``joins_at`` and forgetting the cells; both passed ``validate``.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.mapfile import loads_map

MAP = """\
id: cnc-zelle
name: Kauf einer CNC-Zelle
kind: b2b
phases:
  - {id: awareness, name: Aufmerksamkeit, order: 1}
  - {id: consideration, name: Erwägung, order: 2}
  - {id: decision, name: Entscheidung, order: 3}
personas:
  - {id: gf-brandt, first_name: Jürgen, joins_at: awareness}
  - {id: tl-oezdemir, first_name: Ayşe, joins_at: consideration}
  - {id: ek-weiss, first_name: Stefan, joins_at: decision}
touchpoints:
  - {id: messe, name: Messe, phases: [awareness, consideration]}
  - {id: website, name: Website, phases: [awareness]}
  - {id: angebot, name: Angebot, phases: [decision]}
cells:
  - {phase: awareness, persona: gf-brandt, emotion: {score: -1, label: besorgt}}
  - {phase: consideration, persona: tl-oezdemir, emotion: {score: 1, label: begeistert}}
  - {phase: decision, persona: ek-weiss, touchpoint: angebot, questions: [Warum?]}
"""


def _validate(tmp_path: Path, text: str, language: str) -> tuple[int, str]:
    path = tmp_path / "maschinenbau.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)], env={"JOURNEYMAP_LANG": language})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_a_map_whose_cells_fit_has_no_warning(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, MAP, "en")
    assert (code, output.splitlines()[1:]) == (0, [])


def test_a_persona_cell_before_the_persona_joins_is_a_located_warning(tmp_path: Path) -> None:
    text = MAP.replace(
        "  - {phase: consideration, persona: tl-oezdemir,",
        "  - {phase: awareness, persona: tl-oezdemir, emotion: {score: 0, label: noch nicht da}}\n"
        "  - {phase: consideration, persona: tl-oezdemir,",
    )
    code, output = _validate(tmp_path, text, "de")
    assert code == 0
    path = tmp_path / "maschinenbau.yaml"
    assert output.splitlines()[1:] == [
        "1 Warnung:",
        f"  {path}:18:6: Warnung: Zelle Nr. 2 gilt für die Persona 'tl-oezdemir' in Phase "
        "'awareness', bevor die Persona in 'consideration' einsteigt: die Journey Map lässt die "
        "Persona in den Phasen davor weg (ihre Emotionskurve beginnt bei 'consideration'); "
        "verschieben Sie die Zelle nach 'consideration' oder in eine spätere Phase, oder setzen "
        "Sie joins_at der Persona auf 'awareness' (bei cells.2.phase)",
    ]


def test_a_touchpoint_cell_outside_the_touchpoints_phases_is_a_located_warning(
    tmp_path: Path,
) -> None:
    # Moved together with the buyer, who joins earlier now: only the touchpoint is wrong.
    text = MAP.replace("joins_at: decision", "joins_at: awareness").replace(
        "{phase: decision, persona: ek-weiss, touchpoint: angebot",
        "{phase: awareness, persona: ek-weiss, touchpoint: angebot",
    )
    code, output = _validate(tmp_path, text, "en")
    assert code == 0
    path = tmp_path / "maschinenbau.yaml"
    assert output.splitlines()[1:] == [
        "1 warning:",
        f"  {path}:19:6: warning: cell #3 is for touchpoint 'angebot' in phase 'awareness', "
        "but the touchpoint is not in that phase (its phases: 'decision'), so the map draws "
        "the cell in a column without the touchpoint; set the cell's phase to one of the "
        "touchpoint's phases, or add 'awareness' to the touchpoint's 'phases' "
        "(at cells.3.phase)",
    ]


def test_both_warnings_are_in_danish_too(tmp_path: Path) -> None:
    text = MAP.replace(
        "{phase: decision, persona: ek-weiss, touchpoint: angebot",
        "{phase: consideration, persona: ek-weiss, touchpoint: messe",
    ).replace(
        "{phase: consideration, persona: tl-oezdemir,", "{phase: decision, touchpoint: messe,"
    )
    code, output = _validate(tmp_path, text, "da")
    assert code == 0
    lines = output.splitlines()
    assert lines[1] == "2 advarsler:"
    assert (
        ":19:6: advarsel: celle nr. 3 gælder personaen 'ek-weiss' i fasen 'consideration', "
        in (lines[3])
    )
    assert (
        ":18:6: advarsel: celle nr. 2 gælder touchpointet 'messe' i fasen 'decision', "
        in (lines[2])
    )
    assert "(dets faser: 'awareness', 'consideration')" in lines[2]


def test_the_warnings_are_in_the_maps_issues() -> None:
    text = MAP.replace(
        "{phase: decision, persona: ek-weiss, touchpoint: angebot",
        "{phase: awareness, persona: ek-weiss, touchpoint: angebot",
    )
    issues = loads_map(text).issues()
    assert [(issue.severity, issue.code, issue.path) for issue in issues] == [
        ("warning", "cell-before-joining", ("cells", 2, "phase")),
        ("warning", "cell-outside-touchpoint-phases", ("cells", 2, "phase")),
    ]


def test_a_cell_of_a_touchpoint_in_no_phase_gets_only_the_touchpoints_warning() -> None:
    text = MAP.replace("{id: angebot, name: Angebot, phases: [decision]}", "{id: angebot, name: A}")
    codes = [issue.code for issue in loads_map(text).issues()]
    assert "touchpoint-without-phase" in codes
    assert "cell-outside-touchpoint-phases" not in codes


def test_a_duplicate_cell_is_named_without_pythons_none(tmp_path: Path) -> None:
    text = MAP + "  - {phase: awareness, persona: gf-brandt, emotion: {score: -2}}\n"
    code, output = _validate(tmp_path, text, "de")
    assert code == 1
    path = tmp_path / "maschinenbau.yaml"
    assert output.splitlines()[1] == (
        f"  {path}:20:5: Fehler: mehr als eine Zelle für Phase 'awareness' und Persona "
        f"'gf-brandt' (die erste steht bei {path}:17:5); fassen Sie sie zu einer zusammen "
        "(bei cells.4)"
    )
    assert "None" not in output
    for extra, words in [
        ("  - {phase: decision}\n  - {phase: decision}\n", "for phase 'decision' (the first"),
        (
            "  - {phase: decision, touchpoint: angebot}\n" * 2,
            "for phase 'decision' and touchpoint 'angebot' (the first",
        ),
        (
            "  - {phase: decision, persona: ek-weiss, touchpoint: angebot}\n",
            "for phase 'decision', persona 'ek-weiss' and touchpoint 'angebot' (the first",
        ),
    ]:
        code, output = _validate(tmp_path, MAP + extra, "en")
        assert code == 1 and "None" not in output
        assert f"error: more than one cell {words}" in output
