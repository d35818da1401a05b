"""``validate`` warns where a hand-written map says something other than the author meant.

A 2,500-character action validated silently and stretched the drawn map to two and a half
times its height; a 40-letter compound is broken mid-word. A trade fair without ``mode`` was
silently drawn as online. A KPI target written as ``"25 %"`` was refused without pointing to
``unit``. Each is now said, located, in the author's language.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import MapValidationError
from journeymap.examples import example_path
from journeymap.mapfile import load_map, loads_map
from journeymap.model.validation import LONG_TEXT, LONG_WORD

MAP = """\
id: cnc-zelle
name: Kauf einer CNC-Zelle
language: de
phases:
  - {id: awareness, name: Aufmerksamkeit}
  - {id: decision, name: Entscheidung}
touchpoints:
  - id: messe
    name: Messe
    mode: offline
    phases: [awareness]
  - id: website
    name: Website
    mode: online
    phases: [awareness, decision]
cells:
  - phase: awareness
    actions:
      - Besucht die Messe
      - ACTION
  - phase: decision
    kpis:
      - {name: Angebotsquote, target: 25, unit: "%"}
"""

LONG_ACTION = (
    "Die Geschäftsführung besucht die Messe, spricht mit dem Außendienst über Taktzeiten, "
    "Automatisierung und Finanzierung und bittet um ein Angebot. "
) * 17  # 2,465 characters: in the lane of a wall map, some ninety lines


def _warnings(text: str) -> list[tuple[str, tuple[str | int, ...]]]:
    journey_map = loads_map(text, source="karte.yaml")
    return [
        (issue.code, issue.path) for issue in journey_map.issues() if issue.severity == "warning"
    ]


def _validate(tmp_path: Path, text: str, language: str) -> tuple[int, str]:
    path = tmp_path / "karte.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)], env={"JOURNEYMAP_LANG": language})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_a_map_of_short_texts_has_no_warning() -> None:
    assert _warnings(MAP.replace("ACTION", "Fragt nach Referenzen")) == []


def test_a_very_long_action_is_a_located_warning_with_its_length(tmp_path: Path) -> None:
    assert len(LONG_ACTION) == 2465 > LONG_TEXT
    code, output = _validate(tmp_path, MAP.replace("ACTION", LONG_ACTION.strip()), "en")
    assert code == 0  # a warning: the map is still valid
    assert (
        "karte.yaml:20:9: warning: cell #1: item 2 of 'actions' has 2,464 characters, more than "
        "the 280 a box of the wall map holds, so the map grows as tall as the text; shorten it "
        "to at most 280 characters"
    ) in output, output
    assert "1 warning:" in output


def test_the_length_is_said_in_german_with_german_numbers(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, MAP.replace("ACTION", LONG_ACTION.strip()), "de")
    assert code == 0
    assert (
        "karte.yaml:20:9: Warnung: Zelle Nr. 1: Eintrag 2 von 'actions' hat 2.464 Zeichen, mehr "
        "als die 280, die ein Feld der Journey Map an der Wand fasst"
    ) in output, output


def test_a_text_of_the_limit_is_no_warning() -> None:
    assert _warnings(MAP.replace("ACTION", "x " * (LONG_TEXT // 2))) == []
    one_more = MAP.replace("ACTION", "x " * (LONG_TEXT // 2) + "y")
    assert [code for code, _path in _warnings(one_more)] == ["long-text"]


def test_a_word_no_line_holds_is_a_warning_naming_the_word(tmp_path: Path) -> None:
    word = "Donaudampfschifffahrtsgesellschaftskapitänsmütze"  # 48 letters, no hyphen
    assert len(word) >= LONG_WORD
    code, output = _validate(tmp_path, MAP.replace("ACTION", f"Trägt eine {word}"), "de")
    assert code == 0
    assert (
        "karte.yaml:20:9: Warnung: Zelle Nr. 1: Eintrag 2 von 'actions' hat ein Wort mit 48 "
        "Zeichen ('Donaudampfschifffahrtsg…'), länger als eine Zeile der Journey Map"
    ) in output, output


@pytest.mark.parametrize(
    "text",
    [
        "Donaudampfschifffahrts-Gesellschaftskapitänsmütze",  # the hyphen lets it break
        "Liest https://www.example.com/maschinenbau/cnc-zellen/referenzen/automobil",
        "Schreibt an vertriebsinnendienst.maschinenbau@example-werkzeugmaschinen.de",
        "Kennt die Inbetriebnahmeprotokollvorlage",  # 39 letters: below the limit
    ],
)
def test_words_that_break_or_are_addresses_are_no_warning(text: str) -> None:
    assert _warnings(MAP.replace("ACTION", text)) == []


def test_a_long_kpi_name_is_located_at_the_name() -> None:
    text = MAP.replace("{name: Angebotsquote,", "{name: " + "Quote " * 50 + ",")
    assert _warnings(text) == [("long-text", ("cells", 1, "kpis", 0, "name"))]


def test_a_touchpoint_without_mode_in_a_map_with_offline_ones_is_a_located_warning(
    tmp_path: Path,
) -> None:
    text = (
        MAP.replace("ACTION", "Fragt nach Referenzen")
        .replace("    name: Messe\n    mode: offline\n", "    name: Messe\n")
        .replace(
            "touchpoints:\n",
            "touchpoints:\n  - id: aussendienst\n    name: Außendienst\n    mode: offline\n"
            "    phases: [decision]\n",
        )
    )
    code, output = _validate(tmp_path, text, "de")
    assert code == 0
    assert (
        "karte.yaml:12:5: Warnung: der Touchpoint 'messe' hat keinen mode; er wird als online "
        "gezeichnet — setzen Sie mode: offline, wenn Kunden ihm persönlich begegnen"
    ) in output, output
    assert "1 Warnung:" in output  # the website says mode: online; the fair alone is meant
    code, output = _validate(tmp_path, text, "en")
    assert (
        "warning: touchpoint 'messe' has no mode; it is drawn as online — set mode: offline if "
        "customers meet it in person"
    ) in output


def test_a_map_without_offline_touchpoints_needs_no_mode() -> None:
    text = (
        MAP.replace("ACTION", "Fragt nach Referenzen")
        .replace("    mode: offline\n", "")
        .replace("    mode: online\n", "")
    )
    assert _warnings(text) == []


@pytest.mark.parametrize(
    "name",
    [
        "payment-provider",
        "fashion-webshop",
        "online-yoga",
    ],
)
def test_the_bundled_examples_give_every_mode_and_fit_the_boxes(name: str) -> None:
    issues = load_map(example_path(name)).issues()
    assert [i for i in issues if i.code in ("mode-left-out", "long-text", "long-word")] == []


@pytest.mark.parametrize(
    ("target", "hint"),
    [
        ('"25 %"', 'write target: 25 and unit: "%"'),
        ('"2,5 Tage"', 'write target: 2.5 and unit: "Tage"'),
        ("'-10 EUR'", 'write target: -10 and unit: "EUR"'),
    ],
)
def test_a_kpi_target_with_its_unit_points_to_unit(target: str, hint: str) -> None:
    text = MAP.replace("ACTION", "x").replace('target: 25, unit: "%"', f"target: {target}")
    with pytest.raises(MapValidationError) as caught:
        loads_map(text, source="karte.yaml")
    (issue,) = caught.value.issues
    assert issue.location is not None and (issue.location.line, issue.location.column) == (23, 39)
    assert issue.message.endswith(hint), issue.message
    assert "should be a number" in issue.message


def test_a_kpi_target_with_its_unit_is_explained_in_german(tmp_path: Path) -> None:
    text = MAP.replace("ACTION", "x").replace('target: 25, unit: "%"', 'target: "25 %"')
    code, output = _validate(tmp_path, text, "de")
    assert code == 1
    assert (
        "cells[2].kpis[1].target muss eine Zahl sein, gefunden: der Text '25 %'; schreiben Sie "
        'target: 25 und unit: "%"'
    ) in output, output


def test_a_number_with_a_thousands_separator_gets_no_guessed_number() -> None:
    # "1.500" is 1500 in German and 1.5 in English: no number is offered for it.
    text = MAP.replace("ACTION", "x").replace('target: 25, unit: "%"', 'target: "1.500 EUR"')
    with pytest.raises(MapValidationError) as caught:
        loads_map(text, source="karte.yaml")
    assert "write target" not in caught.value.issues[0].message
