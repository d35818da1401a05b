"""Problem messages count list items as the map author counts them in the file: from 1,
the same in the text and in the path; a number where text belongs says to quote it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import MapValidationError
from journeymap.mapfile import loads_map

MAP = """\
id: cnc-zelle
name: Kauf einer CNC-Zelle
tags: [maschinenbau, cnc]
phases:
  - {id: awareness, name: Aufmerksamkeit}
  - {id: decision, name: Entscheidung}
personas:
  - {id: gf-brandt, first_name: Jürgen}
  - {id: ek-weiss, first_name: Stefan}
touchpoints:
  - {id: messe, name: Messe, phases: [awareness]}
  - {id: angebot, name: Angebot, phases: [decision]}
cells:
  - {phase: awareness, emotion: {score: 0}}
  - {phase: decision, persona: gf-brandt, emotion: {score: 1, label: überzeugt}}
  - {phase: decision, persona: ek-weiss, emotion: {score: -0.5, label: kritisch}}
"""


def _validate(tmp_path: Path, text: str, language: str) -> tuple[int, list[str]]:
    path = tmp_path / "karte.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)], env={"JOURNEYMAP_LANG": language})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, [
        line.replace(str(path), "karte.yaml") for line in result.output.splitlines()
    ]


def test_one_run_counts_cells_from_1_in_the_text_and_in_the_path(tmp_path: Path) -> None:
    text = MAP.replace(
        "persona: ek-weiss, emotion: {score: -0.5", "persona: ek-weis, emotion: {score: 5"
    )
    code, lines = _validate(tmp_path, text, "de")
    assert code == 1
    # The third cell is "Zelle Nr. 3", cells[3] and cells.3 alike in one run: the path and
    # cells[...] counted from 0 (cells.2, cells[2]) beside "Zelle Nr. 3".
    assert lines[1:] == [
        "  karte.yaml:16:32: Fehler: Zelle Nr. 3 verweist auf die Persona 'ek-weis', die die "
        "Map nicht definiert (meinten Sie 'ek-weiss'?); fügen Sie die Persona hinzu oder "
        "korrigieren Sie die ID (bei cells.3.persona)",
        "  karte.yaml:16:58: Fehler: cells[3].emotion.score: der Emotionswert 5 liegt außerhalb "
        "von -2..+2; verwenden Sie -2 (sehr negativ), -1, 0 (neutral), +1 oder +2 (sehr "
        "positiv) (bei cells.3.emotion.score)",
    ]


def test_a_path_into_a_nested_list_counts_each_list_from_1(tmp_path: Path) -> None:
    text = MAP.replace("phases: [decision]}", "phases: [decision, awareness, 7]}")
    code, lines = _validate(tmp_path, text, "en")
    assert code == 1
    assert lines[1].startswith("  karte.yaml:12:64: error: touchpoints[2].phases[3]")
    assert lines[1].endswith("(at touchpoints.2.phases.3)")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "de",
            "  karte.yaml:3:27: Fehler: tags[3] muss Text sein, gefunden: 2025; setzen Sie den "
            'Wert in Anführungszeichen: "2025" (bei tags.3)',
        ),
        (
            "da",
            "  karte.yaml:3:27: fejl: tags[3] skal være tekst, fandt 2025; sæt værdien i "
            'anførselstegn: "2025" (ved tags.3)',
        ),
        (
            "en",
            "  karte.yaml:3:27: error: tags[3] should be text, found 2025; put it in quotes: "
            '"2025" (at tags.3)',
        ),
    ],
)
def test_a_number_where_text_belongs_says_to_quote_it(
    tmp_path: Path, language: str, expected: str
) -> None:
    code, lines = _validate(
        tmp_path, MAP.replace("[maschinenbau, cnc]", "[maschinenbau, cnc, 2025]"), language
    )
    assert code == 1
    assert lines[1:] == [expected]


def test_a_number_or_boolean_label_says_how_to_quote_it() -> None:
    for written, quoted in [("1", '"1"'), ("2.5", '"2.5"'), ("true", '"true"')]:
        text = MAP.replace("label: kritisch", f"label: {written}")
        with pytest.raises(MapValidationError) as caught:
            loads_map(text, source="karte.yaml")
        (issue,) = caught.value.issues
        assert issue.message.startswith("cells[3].emotion.label should be text, found ")
        assert issue.message.endswith(f"; put it in quotes: {quoted}")
        assert issue.path == ("cells", 2, "emotion", "label")  # the API's path counts from 0


def test_null_where_text_belongs_is_not_told_to_be_quoted(tmp_path: Path) -> None:
    code, lines = _validate(
        tmp_path, MAP.replace("[maschinenbau, cnc]", "[maschinenbau, null]"), "en"
    )
    assert code == 1
    assert lines[1:] == [
        "  karte.yaml:3:22: error: tags[2] should be text, found nothing (null); fix the value "
        "(at tags.2)"
    ]
