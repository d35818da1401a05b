"""YAML syntax errors point at the mistake and say it in the map author's words and language.

A quote left open made the parser stop five lines later, at a correct line, with "expected
<block end>, but found '<scalar>'". The common hand-made mistakes (open quote, tab, a colon
inside a value, a line indented wrongly, a key given twice) are now said plainly, at the
place to fix, in English, Danish or German, with file:line:column.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import Location, MapFileError
from journeymap.mapfile import load_map, loads_map

MAP = """\
id: cnc-zelle
name: Kauf einer CNC-Zelle
language: de
phases:
  - id: awareness
    name: Aufmerksamkeit
  - id: decision
    name: Entscheidung
touchpoints:
  - id: messe
    name: "Messe (EMO, AMB)"
    channel: events
    mode: offline
    phases: [awareness]
  - id: angebot
    name: "Angebot"
    channel: sales
    mode: offline
    influence: direct
    phases: [decision]
    owner: "Vertriebsinnendienst"
  - id: website
    name: Website
    mode: online
    phases: [awareness, decision]
"""
# Line 16 is `    name: "Angebot"`; its opening quote is in column 11.


def _error(text: str) -> MapFileError:
    with pytest.raises(MapFileError) as caught:
        loads_map(text, source="karte.yaml")
    return caught.value


def _validate(tmp_path: Path, text: str, language: str) -> tuple[int, str]:
    path = tmp_path / "karte.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)], env={"JOURNEYMAP_LANG": language})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_the_map_without_mistakes_loads() -> None:
    assert [t.id for t in loads_map(MAP).touchpoints] == ["messe", "angebot", "website"]


def test_an_open_quote_is_reported_where_it_opens_not_where_the_parser_stopped() -> None:
    error = _error(MAP.replace('name: "Angebot"', 'name: "Angebot'))
    # The parser took lines 17-21 into the text and stopped at line 21, which is correct.
    assert error.location == Location("karte.yaml", 16, 11)
    message = str(error)
    assert message.startswith(
        "karte.yaml:16:11: YAML syntax error: a quoted text starting at 16:11 is never closed; "
        'close it with "'
    ), message
    assert "stopped at 21:13" in message  # the parser's position, kept as context
    assert "block end" not in message


def test_an_open_quote_at_the_end_of_the_file_is_reported_where_it_opens() -> None:
    error = _error(MAP + '  - id: hotline\n    name: "Service-Hotline\n')
    assert error.location == Location("karte.yaml", 27, 11)
    assert "a quoted text starting at 27:11 is never closed" in str(error)


def test_an_open_single_quote_names_the_single_quote() -> None:
    error = _error(MAP.replace('name: "Angebot"', "name: 'Angebot"))
    assert error.location == Location("karte.yaml", 16, 11)
    assert "close it with '" in str(error)


def test_text_after_a_closing_quote_points_at_that_quote() -> None:
    error = _error(MAP.replace('name: "Angebot"', 'name: "Angebot "verbindlich""'))
    assert error.location == Location("karte.yaml", 16, 20)
    assert "the quote at 16:20 closes the quoted text, but more text follows it" in str(error)
    assert "put the whole text in single quotes" in str(error)


def test_a_tab_used_for_indentation_is_named() -> None:
    error = _error(MAP.replace("    channel: events", "\tchannel: events"))
    assert error.location == Location("karte.yaml", 12, 1)
    assert "a tab at the start of line 12; YAML indents with spaces, not tabs" in str(error)
    assert "cannot start any token" not in str(error)


def test_a_colon_inside_a_value_gets_the_quoted_value_to_write() -> None:
    error = _error(MAP.replace("name: Website", "name: Website: Produktseite"))
    assert error.location == Location("karte.yaml", 23, 18)
    assert str(error).endswith(
        "the value holds ': ', which YAML reads as the start of another key; put the value in "
        'quotes: name: "Website: Produktseite"'
    )


def test_a_key_indented_one_space_too_deep_names_the_column_it_belongs_in() -> None:
    error = _error(MAP.replace('    name: "Messe', '     name: "Messe'))
    assert error.location == Location("karte.yaml", 11, 6)
    assert "line 11 is indented deeper than line 10" in str(error)
    assert "(column 5)" in str(error)
    assert "mapping values are not allowed here" not in str(error)


def test_a_key_indented_too_little_names_the_line_above() -> None:
    error = _error(MAP.replace("    channel: events", "   channel: events"))
    assert error.location == Location("karte.yaml", 12, 4)
    assert "line 12 starts in column 4, but line 11 above it in column 5" in str(error)
    assert "block end" not in str(error)


def test_a_key_given_twice_names_the_first() -> None:
    error = _error(MAP.replace('    name: "Angebot"\n', '    name: "Angebot"\n    name: B\n'))
    assert error.location == Location("karte.yaml", 17, 5)
    assert "the key 'name' is given a second time in this mapping (first at 16:5)" in str(error)
    assert "each key may appear once in a mapping" in str(error)


def test_an_open_quote_in_a_windows_file_is_found_alike(tmp_path: Path) -> None:
    path = tmp_path / "karte.yaml"
    text = MAP.replace('name: "Angebot"', 'name: "Angebot')
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    with pytest.raises(MapFileError) as caught:
        load_map(path)
    assert caught.value.location == Location(str(path), 16, 11)


@pytest.mark.parametrize(
    ("mistake", "expected"),
    [
        (
            ('name: "Angebot"', 'name: "Angebot'),
            "karte.yaml:16:11: YAML-Syntaxfehler: ein Text in Anführungszeichen, der bei 16:11 "
            'beginnt, wird nie geschlossen; schließen Sie ihn mit "',
        ),
        (
            ("    channel: events", "\tchannel: events"),
            "karte.yaml:12:1: YAML-Syntaxfehler: ein Tabulator am Anfang von Zeile 12",
        ),
        (
            ("name: Website", "name: Website: Produktseite"),
            "karte.yaml:23:18: YAML-Syntaxfehler: der Wert enthält ': ', was YAML als Beginn "
            "eines weiteren Schlüssels liest; setzen Sie den Wert in Anführungszeichen: "
            'name: "Website: Produktseite"',
        ),
        (
            ('    name: "Messe', '     name: "Messe'),
            "karte.yaml:11:6: YAML-Syntaxfehler: Zeile 11 ist tiefer eingerückt als Zeile 10",
        ),
        (
            ('    name: "Angebot"\n', '    name: "Angebot"\n    name: B\n'),
            "karte.yaml:17:5: YAML-Syntaxfehler: der Schlüssel 'name' steht ein zweites Mal in "
            "dieser Zuordnung (zuerst bei 16:5)",
        ),
    ],
)
def test_validate_says_the_syntax_error_in_german(
    tmp_path: Path, mistake: tuple[str, str], expected: str
) -> None:
    code, output = _validate(tmp_path, MAP.replace(*mistake), "de")
    assert code == 1
    assert expected in output, output
    assert output.startswith("Fehler: ")
    for english in ("expected <block end>", "mapping values", "cannot start any token", "found"):
        assert english not in output, output


def test_validate_says_an_open_quote_in_danish(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, MAP.replace('name: "Angebot"', 'name: "Angebot'), "da")
    assert code == 1
    assert (
        "karte.yaml:16:11: YAML-syntaksfejl: en tekst i anførselstegn, der begynder ved 16:11, "
        "bliver aldrig lukket"
    ) in output, output
