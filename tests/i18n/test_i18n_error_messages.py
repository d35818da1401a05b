"""User errors raised below the command line speak the user's language (JOURNEYMAP_LANG)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from journeymap.attribution import MODELS
from journeymap.cli.app import app
from journeymap.errors import UsageError
from journeymap.examples import example_path
from journeymap.settings import parse_bool

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
MAP = str(example_path("online-yoga"))


def _run(monkeypatch: pytest.MonkeyPatch, language: str, *args: str) -> tuple[int, str]:
    # CliRunner builds the command (and its translated help) before it applies env=.
    monkeypatch.setenv("JOURNEYMAP_LANG", language)
    result = CliRunner().invoke(
        app, list(args), env={"JOURNEYMAP_LANG": language, "COLUMNS": "300"}
    )
    return result.exit_code, result.output


@pytest.fixture
def workspace(tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]) -> Path:
    rows = pa.table(
        {
            "person_id": ["p1", "p1", "p2"],
            "ts": pa.array([T0, T0 + dt.timedelta(minutes=5), T0], pa.timestamp("us", "UTC")),
            "touchpoint": ["instagram", "website", "website"],
            "conversion": [False, True, False],
        }
    )
    return fill_workspace(tmp_path / "ws.duckdb", rows)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Error: {db} does not exist; import events first with `journeymap import`",
        ),
        (
            "de",
            "Fehler: {db} existiert nicht; importieren Sie zuerst Ereignisse mit "
            "`journeymap import`",
        ),
        (
            "da",
            "Fejl: {db} findes ikke; importér først hændelser med `journeymap import`",
        ),
    ],
    ids=["en", "de", "da"],
)
def test_a_missing_workspace(
    language: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "missing.duckdb"
    code, output = _run(
        monkeypatch, language, "analyze", "--map", MAP, "--db", str(db), "--out", str(tmp_path)
    )
    assert code == 2
    assert output == expected.format(db=db) + "\n"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Error: unknown attribution model 'firsttouch'; did you mean 'first_touch'? "),
        ("de", "Fehler: unbekanntes Attributionsmodell 'firsttouch'; meinten Sie 'first_touch'? "),
        ("da", "Fejl: ukendt attributionsmodel 'firsttouch'; mente du 'first_touch'? "),
    ],
    ids=["en", "de", "da"],
)
def test_an_unknown_model_with_its_suggestion(
    language: str, expected: str, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = _run(
        monkeypatch,
        language,
        "attribute",
        "--map",
        MAP,
        "--db",
        str(workspace),
        "--model",
        "firsttouch",
    )
    assert code == 2
    kind = {"en": "models", "de": "Modelle", "da": "modeller"}[language]
    assert output == f"{expected}({kind}: {', '.join(MODELS)})\n"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Error: {folder} is not a folder; write one with "
            "`journeymap analyze --map MAP --out {folder}`",
        ),
        (
            "de",
            "Fehler: {folder} ist kein Ordner; schreiben Sie einen mit "
            "`journeymap analyze --map MAP --out {folder}`",
        ),
        (
            "da",
            "Fejl: {folder} er ikke en mappe; skriv en med "
            "`journeymap analyze --map MAP --out {folder}`",
        ),
    ],
    ids=["en", "de", "da"],
)
def test_a_missing_analysis_folder(
    language: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "missing-folder"
    out = tmp_path / "report.html"
    code, output = _run(
        monkeypatch, language, "render", MAP, "--analysis", str(folder), "--out", str(out)
    )
    assert code == 1
    assert output == expected.format(folder=folder) + "\n"
    assert not out.exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "leave out --by and --session-gap (they cut a workspace's events into journeys)"),
        (
            "de",
            "lassen Sie --by und --session-gap weg (diese Optionen teilen die Ereignisse eines "
            "Arbeitsbereichs in Journeys auf)",
        ),
        (
            "da",
            "udelad --by og --session-gap (de opdeler et arbejdsområdes hændelser i rejser)",
        ),
    ],
    ids=["en", "de", "da"],
)
def test_pieces_of_a_message_are_translated_too(
    language: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The word joining the options is the user's language's, the options stay as typed."""
    paths = tmp_path / "paths.csv"
    paths.write_text("path,total_conversions,total_null\nad>buy,1,0\n", encoding="utf-8")
    code, output = _run(
        monkeypatch,
        language,
        "attribute",
        "--paths",
        str(paths),
        "--session-gap",
        "30m",
        "--by=account",
    )
    assert code == 2
    assert output.rstrip("\n").endswith(expected)


def test_the_library_raises_in_the_language_of_the_moment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Translated when raised, not when imported: the same process switches language."""
    from journeymap.engine.journeys import parse_duration

    monkeypatch.setenv("JOURNEYMAP_LANG", "de")
    with pytest.raises(UsageError, match=r"^'0m' ist eine Dauer von null; schreiben Sie none"):
        parse_duration("0m")
    with pytest.raises(ValueError, match=r"^'vielleicht' ist kein Ja/Nein-Wert$"):
        parse_bool("vielleicht")
    monkeypatch.setenv("JOURNEYMAP_LANG", "en")
    with pytest.raises(UsageError, match=r"^'0m' is a zero duration; write none to turn it off"):
        parse_duration("0m")
