"""The Danish and German catalogs translate every marked string, and are used everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.examples import example_path
from journeymap.i18n import LOCALE_DIR
from journeymap.model import CATALOG, catalog_touchpoint, phase_template

SOURCE = Path(__file__).resolve().parents[2] / "src" / "journeymap"
# Babel skips _() inside f-strings; this catches simple literal calls there too.
LITERAL_CALL = re.compile(r"""\b(?:N_|_)\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)""")


def _message_ids() -> set[str]:
    ids = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(SOURCE), method_map=[("**.py", "python")], keywords={"_": None, "N_": None}
        )
        if isinstance(message, str)
    }
    for path in SOURCE.rglob("*.py"):
        for match in LITERAL_CALL.finditer(path.read_text(encoding="utf-8")):
            message = match.group(1) if match.group(1) is not None else match.group(2)
            if message and "\\" not in message:
                ids.add(message)
    return ids


@pytest.mark.parametrize("language", ["da", "de"])
def test_every_marked_string_is_translated(language: str) -> None:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "journeymap.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    translated = {
        message.id: message.string for message in catalog if message.id and message.string
    }
    ids = _message_ids()
    assert len(ids) > 50
    missing = sorted(ids - set(translated))
    assert missing == [], f"add these to the {language} catalog: {missing}"


@pytest.mark.parametrize("language", ["da", "de"])
def test_format_placeholders_survive_translation(language: str) -> None:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "journeymap.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    for message in catalog:
        if message.id and isinstance(message.id, str):
            placeholders = set(re.findall(r"\{\w+\}", message.id))
            assert placeholders == set(re.findall(r"\{\w+\}", str(message.string))), message.id


def test_phase_templates_are_translated() -> None:
    assert [p.name for p in phase_template("b2b", "da")] == [
        "Opmærksomhed",
        "Overvejelse",
        "Beslutning",
        "Fastholdelse",
        "Anbefaling",
    ]
    assert [p.name for p in phase_template("webshop", "de")] == [
        "Aufmerksamkeit",
        "Erwägung",
        "Kauf",
        "Kundenbindung",
        "Loyalität",
    ]
    assert phase_template("classic4", "da")[3].name == "Evaluering"
    assert phase_template("b2b", "de")[0].description.startswith("Der Interessent")


def test_catalog_names_are_translated_in_german() -> None:
    names = {entry_id: catalog_touchpoint(entry_id, "de").name for entry_id in CATALOG}
    assert names["search-ads"] == "Search-Ads"
    assert names["stores"] == "Geschäfte und Filialen"
    assert names["review-portals"] == "Bewertungsportale"
    assert names["recommendations"] == "Empfehlungen"
    english = {entry_id: catalog_touchpoint(entry_id, "en").name for entry_id in CATALOG}
    changed = [entry_id for entry_id in CATALOG if names[entry_id] != english[entry_id]]
    assert len(changed) >= 12


def test_cli_messages_follow_journeymap_lang(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["validate", str(example_path("online-yoga"))], env={"JOURNEYMAP_LANG": "de"}
    )
    assert result.exit_code == 0
    assert "ist eine gültige Journey Map" in result.output
    result = runner.invoke(
        app, ["validate", str(tmp_path / "missing.yaml")], env={"JOURNEYMAP_LANG": "da"}
    )
    assert result.exit_code == 1
    assert "Fejl:" in result.output


def test_init_writes_a_skeleton_in_the_chosen_language(tmp_path: Path) -> None:
    target = tmp_path / "kort.yaml"
    result = CliRunner().invoke(
        app, ["init", str(target), "--lang", "da"], env={"JOURNEYMAP_LANG": "da"}
    )
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "Opmærksomhed" in text and "Søgeannoncer" in text
    assert "Hvad gør kunden i denne fase?" in text
    assert "Oprettede" in result.output


def test_show_labels_lanes_and_roles_in_german() -> None:
    result = CliRunner().invoke(
        app, ["show", str(example_path("payment-provider"))], env={"JOURNEYMAP_LANG": "de"}
    )
    assert result.exit_code == 0, result.output
    assert "Aktionen" in result.output and "Entscheider" in result.output
    assert "steigt ein" in result.output


def _help_texts() -> list[str]:
    """Every help text of the command line: commands, arguments and options."""
    import typer

    root = typer.main.get_command(app)
    texts = []
    for command in [root, *root.commands.values()]:  # type: ignore[attr-defined]
        texts.append(command.help)
        texts.extend(getattr(param, "help", None) for param in command.params)
    return [text for text in texts if text]


@pytest.mark.parametrize("language", ["da", "de"])
def test_every_help_text_is_translated(language: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYMAP_LANG", "en")
    with (LOCALE_DIR / language / "LC_MESSAGES" / "journeymap.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    translated = {message.id for message in catalog if message.id and message.string}
    texts = _help_texts()
    assert len(texts) > 70
    missing = sorted(set(texts) - translated)
    assert missing == [], f"add these --help texts to the {language} catalog: {missing}"


def test_help_speaks_the_users_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """``journeymap import --help`` in German, then in English again in the same process."""
    runner = CliRunner()
    monkeypatch.setenv("JOURNEYMAP_LANG", "de")
    german = runner.invoke(app, ["import", "--help"], terminal_width=200).output
    assert "Ereignisse importieren: Jede Zeile wird ein Ereignis" in german
    assert "Die Ereignisdatei (CSV, TSV, Parquet, JSONL, XES)." in german
    assert "Argumente" in german and "Optionen" in german and "[erforderlich]" in german
    assert "Diese Hilfe anzeigen und beenden." in german
    assert "Aufruf: journeymap import" in german and "Usage:" not in german
    monkeypatch.setenv("JOURNEYMAP_LANG", "da")
    danish = runner.invoke(app, ["--help"], terminal_width=200).output
    assert "Kommandoer" in danish and "Mål kortet mod hændelserne" in danish
    monkeypatch.setenv("JOURNEYMAP_LANG", "en")
    english = runner.invoke(app, ["import", "--help"], terminal_width=200).output
    assert "Arguments" in english and "[required]" in english
    assert "Usage: journeymap import" in english
    assert "Show this message and exit." in english and "Argumente" not in english
