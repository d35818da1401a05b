"""Which language the command line speaks: the spellings people write, and the map's own.

Found by a German map designer (map-designer-de, finding 6): ``JOURNEYMAP_LANG=deutsch`` fell
back to English without a word, and a ``language: de`` map got English ``validate`` errors and
an English ``show`` frame on a machine with ``LANG=C.UTF-8`` while ``render`` was German.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from journeymap.cli.app import app, handle_errors
from journeymap.cli.maps import diff_command, map_errors, show_command, validate_command
from journeymap.i18n import in_map_language, language_choice, map_file_language

NO_LANGUAGE = {"JOURNEYMAP_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"}


def _map_commands() -> typer.Typer:
    """``validate``, ``show`` and ``diff`` wired as cli/maps.py is asked to wire them."""
    commands = typer.Typer()
    commands.command("validate")(
        in_map_language("path", "map_path")(handle_errors(map_errors(validate_command)))
    )
    commands.command("show")(in_map_language("path")(handle_errors(map_errors(show_command))))
    commands.command("diff")(in_map_language("b", "a")(handle_errors(map_errors(diff_command))))
    return commands


def _invoke(target: typer.Typer, args: list[str], env: dict[str, str | None]) -> tuple[int, str]:
    result = CliRunner().invoke(target, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.fixture
def german_map(tmp_path: Path) -> Path:
    """A German map written by ``init --lang de``, with a touchpoint in an unknown phase."""
    path = tmp_path / "karte.yaml"
    code, output = _invoke(
        app, ["init", str(path), "--lang", "de"], {**NO_LANGUAGE, "JOURNEYMAP_LANG": "en"}
    )
    assert code == 0, output
    text = path.read_text(encoding="utf-8")
    assert "\nlanguage: de" in text
    broken = tmp_path / "kaputt.yaml"
    broken.write_text(text.replace("phases: [awareness]", "phases: [awarenes]", 1), "utf-8")
    return broken


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("deutsch", "ist eine gültige Journey Map"),
        ("German", "ist eine gültige Journey Map"),
        ("de_DE.UTF-8", "ist eine gültige Journey Map"),
        ("dk", "er et gyldigt journey map"),
        ("danish", "er et gyldigt journey map"),
        ("dansk", "er et gyldigt journey map"),
        ("da_DK.UTF-8", "er et gyldigt journey map"),
    ],
)
def test_the_obvious_spellings_are_understood(value: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    _invoke(app, ["init", str(path)], {**NO_LANGUAGE, "JOURNEYMAP_LANG": "en"})
    code, output = _invoke(app, ["validate", str(path)], {**NO_LANGUAGE, "JOURNEYMAP_LANG": value})
    assert code == 0
    assert expected in output


def test_a_value_not_understood_is_said_once_with_the_choices(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    _invoke(app, ["init", str(path)], {**NO_LANGUAGE, "JOURNEYMAP_LANG": "en"})
    done = subprocess.run(
        [sys.executable, "-m", "journeymap", "validate", str(path)],
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONPATH", "HOME")},
            "LANG": "C.UTF-8",
            "JOURNEYMAP_LANG": "francais",
        },
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("JOURNEYMAP_LANG='francais' is not a language journeymap") == 1
    assert "choose en (English), da (Danish) or de (German)" in done.stderr
    assert "is a valid journey map" in done.stdout  # English, as nothing else chose


def test_a_german_locale_is_understood_and_c_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOURNEYMAP_LANG", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LC_ALL", "C")
    monkeypatch.setenv("LANG", "de_AT.UTF-8@euro")
    assert language_choice().language == "de" and language_choice().source == "LANG"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert language_choice().language == "en" and language_choice().source == "default"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "Fehler"),  # LANG=C.UTF-8: the map's German
        ({"LANG": "en_US.UTF-8"}, "Fehler"),  # an English locale does not outrank the map
        ({"LANG": "da_DK.UTF-8"}, "Fejl"),  # the user's Danish does
        ({"JOURNEYMAP_LANG": "en"}, "Error"),  # and the variable beats everything
    ],
)
def test_validate_speaks_the_maps_language_unless_the_user_chose(
    german_map: Path, env: dict[str, str], expected: str
) -> None:
    code, output = _invoke(_map_commands(), ["validate", str(german_map)], {**NO_LANGUAGE, **env})
    assert code == 1
    assert output.startswith(f"{expected}:"), output
    if expected == "Fehler":
        assert "die Journey Map hat 1 Problem" in output and "meinten Sie" in output


def test_a_map_with_a_syntax_error_still_speaks_its_language(tmp_path: Path) -> None:
    path = tmp_path / "karte.yaml"
    path.write_text("id: k\nname: Karte\nlanguage: de\nphases:\n\t- id: a\n", encoding="utf-8")
    assert map_file_language(path) == "de"
    code, output = _invoke(_map_commands(), ["validate", str(path)], NO_LANGUAGE)
    assert code == 1
    assert "YAML-Syntaxfehler" in output and "Fehler:" in output


def test_show_and_diff_speak_the_maps_language(german_map: Path, tmp_path: Path) -> None:
    fixed = tmp_path / "karte.yaml"
    code, output = _invoke(_map_commands(), ["show", str(fixed)], NO_LANGUAGE)
    assert code == 0, output
    assert "Aktionen" in output and "Actions" not in output
    changed = tmp_path / "neu.yaml"
    text = fixed.read_text(encoding="utf-8")
    changed.write_text(text.replace('"Aufmerksamkeit"', '"Wahrnehmung"', 1), "utf-8")
    code, output = _invoke(_map_commands(), ["diff", str(fixed), str(changed)], NO_LANGUAGE)
    assert code == 1, output
    assert "Phasen" in output or "Phase" in output


def test_the_language_of_a_json_map_and_of_no_map(tmp_path: Path) -> None:
    path = tmp_path / "map.json"
    path.write_text('{\n  "id": "m",\n  "language": "da",\n  "phases": []\n}\n', "utf-8")
    assert map_file_language(path) == "da"
    assert map_file_language(tmp_path / "missing.yaml") is None
    assert map_file_language(tmp_path) is None  # a folder


def test_the_command_line_validates_a_german_map_in_german(german_map: Path) -> None:
    code, output = _invoke(app, ["validate", str(german_map)], NO_LANGUAGE)
    assert code == 1
    assert output.startswith("Fehler:"), output
