"""Import mistakes speak the user's language (JOURNEYMAP_LANG); English reads as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.examples import example_path

LANGUAGES = ["en", "de", "da"]


def _run(monkeypatch: pytest.MonkeyPatch, language: str, *args: str) -> tuple[int, str]:
    # CliRunner builds the command (and its translated help) before it applies env=.
    monkeypatch.setenv("JOURNEYMAP_LANG", language)
    result = CliRunner().invoke(
        app, list(args), env={"JOURNEYMAP_LANG": language, "COLUMNS": "300"}
    )
    return result.exit_code, result.output


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A map, an events file and rules files, in the working directory (short paths)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "map.yaml").write_text(
        example_path("payment-provider").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "events.csv").write_text(
        "user,when,activity\np1,2024-01-01T10:00:00Z,demo\n", encoding="utf-8"
    )
    (tmp_path / "typo.yaml").write_text(
        "columns: {person_id: user, timestamp: when}\n"
        "touchpoints:\n"
        "  - touchpoint: demo\n"
        "    when: [{field: actvity, equals: demo}]\n",
        encoding="utf-8",
    )
    (tmp_path / "zone.yaml").write_text(
        "columns: {person_id: user, timestamp: when, timezone: Europe/Berln}\n"
        "touchpoints:\n"
        "  - touchpoint: demo\n",
        encoding="utf-8",
    )
    (tmp_path / "unknown.yaml").write_text(
        "columns: {person_id: user, timestamp: when}\ntouchpoints:\n  - touchpoint: demoo\n",
        encoding="utf-8",
    )
    return tmp_path


def _import(monkeypatch: pytest.MonkeyPatch, language: str, *args: str) -> tuple[int, str]:
    return _run(monkeypatch, language, "import", *args, "--map", "map.yaml", "--db", "ws.duckdb")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Error: missing.csv: file not found\n"),
        ("de", "Fehler: missing.csv: Datei nicht gefunden\n"),
        ("da", "Fejl: missing.csv: filen findes ikke\n"),
    ],
    ids=LANGUAGES,
)
def test_a_missing_events_file(
    language: str, expected: str, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = _import(monkeypatch, language, "missing.csv", "--rules", "typo.yaml")
    assert code == 1
    assert output == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Error: --encoding 'bogus' is no text encoding Python knows "
            "(e.g. utf-8, cp1252, latin-1)\n",
        ),
        (
            "de",
            "Fehler: --encoding 'bogus' ist keine Textkodierung, die Python kennt "
            "(z. B. utf-8, cp1252, latin-1)\n",
        ),
        (
            "da",
            "Fejl: --encoding 'bogus' er ikke en tegnkodning, Python kender "
            "(f.eks. utf-8, cp1252, latin-1)\n",
        ),
    ],
    ids=LANGUAGES,
)
def test_an_unknown_encoding(
    language: str, expected: str, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = _import(
        monkeypatch, language, "events.csv", "--rules", "typo.yaml", "--encoding", "bogus"
    )
    assert code == 2
    assert output == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Error: typo.yaml:4:20: the mapping rules use column(s) 'actvity' that the events do "
            "not have; did you mean 'activity'? (available: user, when, activity)\n",
        ),
        (
            "de",
            "Fehler: typo.yaml:4:20: die Zuordnungsregeln verwenden Spalte(n) 'actvity', die die "
            "Ereignisse nicht haben; meinten Sie 'activity'? (vorhanden: user, when, activity)\n",
        ),
        (
            "da",
            "Fejl: typo.yaml:4:20: mapping-reglerne bruger kolonne(r) 'actvity', som hændelserne "
            "ikke har; mente du 'activity'? (til rådighed: user, when, activity)\n",
        ),
    ],
    ids=LANGUAGES,
)
def test_a_rules_column_typo(
    language: str, expected: str, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = _import(monkeypatch, language, "events.csv", "--rules", "typo.yaml")
    assert code == 1
    assert output == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Error: the mapping rules file has 1 problem:\n"
            "  zone.yaml:1:55: error: columns.timezone: unknown time zone 'Europe/Berln' "
            "(did you mean 'Europe/Berlin'?); use an IANA name such as 'Europe/Berlin' or 'UTC' "
            "(at columns.timezone)\n",
        ),
        (
            "de",
            "Fehler: die Datei mit Zuordnungsregeln hat 1 Problem:\n"
            "  zone.yaml:1:55: Fehler: columns.timezone: unbekannte Zeitzone 'Europe/Berln' "
            "(meinten Sie 'Europe/Berlin'?); verwenden Sie einen IANA-Namen wie 'Europe/Berlin' "
            "oder 'UTC' (bei columns.timezone)\n",
        ),
        (
            "da",
            "Fejl: filen med mapping-regler har 1 problem:\n"
            "  zone.yaml:1:55: fejl: columns.timezone: ukendt tidszone 'Europe/Berln' "
            "(mente du 'Europe/Berlin'?); brug et IANA-navn som 'Europe/Berlin' eller 'UTC' "
            "(ved columns.timezone)\n",
        ),
    ],
    ids=LANGUAGES,
)
def test_validate_a_rules_file_with_a_bad_time_zone(
    language: str, expected: str, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = _run(monkeypatch, language, "validate", "zone.yaml")
    assert code == 1
    assert output == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Error: the mapping rules file has 1 problem:\n"
            "  unknown.yaml:3:17: error: touchpoint rule #1 assigns touchpoint 'demoo', which the "
            "journey map map.yaml does not define (did you mean 'demo'?); fix the id or add the "
            "touchpoint to the map (at touchpoints.1.touchpoint)\n",
        ),
        (
            "de",
            "Fehler: die Datei mit Zuordnungsregeln hat 1 Problem:\n"
            "  unknown.yaml:3:17: Fehler: Touchpoint-Regel Nr. 1 weist den Touchpoint 'demoo' zu, "
            "den die Journey Map map.yaml nicht definiert (meinten Sie 'demo'?); korrigieren Sie "
            "die ID oder fügen Sie den Touchpoint zur Map hinzu (bei touchpoints.1.touchpoint)\n",
        ),
        (
            "da",
            "Fejl: filen med mapping-regler har 1 problem:\n"
            "  unknown.yaml:3:17: fejl: touchpoint-regel nr. 1 tildeler touchpointet 'demoo', som "
            "kortet map.yaml ikke definerer (mente du 'demo'?); ret id'et, eller tilføj "
            "touchpointet til kortet (ved touchpoints.1.touchpoint)\n",
        ),
    ],
    ids=LANGUAGES,
)
def test_import_lists_the_rules_files_problems_in_the_users_language(
    language: str, expected: str, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = _import(monkeypatch, language, "events.csv", "--rules", "unknown.yaml")
    assert code == 1
    assert output == expected
    assert not (folder / "ws.duckdb").exists()
