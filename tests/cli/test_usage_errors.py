"""Usage errors (unknown option, missing argument, a bad value) in the user's language.

Typer words them in English itself; a German user typing ``--mapp`` read "No such option".
"""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app


def _error(args: list[str], language: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("JOURNEYMAP_LANG", language)
    result = CliRunner().invoke(app, args)
    # The panel may wrap at 80 columns: read its text as one line.
    text = re.sub(r"[│╭╮╰╯─]+", " ", result.output)
    return result.exit_code, re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(
    ("args", "german", "danish"),
    [
        (
            ["validate", "--mapp", "x"],
            "Unbekannte Option: --mapp (mögliche Optionen: --map)",
            "Ukendt tilvalg: --mapp (mulige tilvalg: --map)",
        ),
        (["validate"], "Das Argument 'path' fehlt.", "Argumentet 'path' mangler."),
        (["analyze", "--map", "m.yaml"], "Die Option '--out' fehlt.", "Tilvalget '--out' mangler."),
        (
            ["analyze", "--map", "m.yaml", "--order"],
            "Die Option '--order' braucht einen Wert.",
            "Tilvalget '--order' kræver en værdi.",
        ),
        (
            ["analyze", "--map", "m.yaml", "--out", "o", "--order", "abc"],
            "Ungültiger Wert für '--order': 'abc' ist keine ganze Zahl",
            "Ugyldig værdi for '--order': 'abc' er ikke et helt tal",
        ),
        (
            ["validate", "a", "b"],
            "Unerwartete zusätzliche Argumente: b",
            "Uventede ekstra argumenter: b",
        ),
        (
            ["nosuchcommand"],
            "Unbekannter Befehl 'nosuchcommand'.",
            "Ukendt kommando 'nosuchcommand'.",
        ),
    ],
)
def test_usage_errors_speak_the_users_language(
    args: list[str], german: str, danish: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, text = _error(args, "de", monkeypatch)
    assert code == 2
    assert german in text
    assert "Fehler" in text and "Usage:" not in text and "Try '" not in text
    code, text = _error(args, "da", monkeypatch)
    assert code == 2
    assert danish in text
    assert "Fejl" in text and "Usage:" not in text and "Try '" not in text


def test_usage_line_and_help_hint_in_german(monkeypatch: pytest.MonkeyPatch) -> None:
    _code, text = _error(["validate"], "de", monkeypatch)
    assert "Aufruf: journeymap validate" in text
    assert "Hilfe mit 'journeymap validate --help'." in text


def test_english_usage_errors_stay_typers_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a German run in the same process, English reads as Typer words it."""
    _error(["validate", "--mapp", "x"], "de", monkeypatch)
    code, text = _error(["validate", "--mapp", "x"], "en", monkeypatch)
    assert code == 2
    assert "No such option: --mapp (Possible options: --map)" in text
    assert "Error" in text and "Try 'journeymap validate --help' for help." in text
    _code, text = _error(
        ["analyze", "--map", "m.yaml", "--out", "o", "--order", "x"], "en", monkeypatch
    )
    assert "Invalid value for '--order': Input should be a valid integer" in text
