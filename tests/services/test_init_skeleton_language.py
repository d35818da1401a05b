"""`journeymap init --lang da|de` writes the whole map in the user's language.

Mette (a Danish CX manager) got English comments, an English example persona ("Alex Example")
and English placeholders from `init --lang da`: everything a reader sees in the new file is now
Danish or German, while keys, ids and choice values stay what the file format needs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.mapfile import load_map

runner = CliRunner()

# Words of the English skeleton a Danish or German file must not show.
ENGLISH = [
    "A journey map made by",
    "Fill it in",
    "Buyer personas",
    "in the order customers meet them",
    "One cell per phase",
    "Where the knowledge comes from",
    "the language of the names",
    "backed by evidence",
    "Alex",
    "Example",
    "What does",
    "Which questions",
    "Describe the persona",
    "How does the customer feel",
]
EXPECTED = {
    "da": {
        "persona": ("Jens", "Jensen"),
        "texts": [
            "# Et journey map lavet med `journeymap init --template {template} --lang da`",
            "# Køberpersonas. I B2B tilføjes én pr. medlem af indkøbsteamet",
            'needs: ["Hvad har personaen brug for?"]',
            'questions: ["Hvilke spørgsmål stiller personaen?"]',
            'needs: ["Hvad har kunden brug for her?"]',
            'emotion: {score: 0, label: "Hvordan har kunden det her?"}',
            "status: draft   # draft (kladde) -> researched (underbygget af kilder) -> live (målt)",
        ],
    },
    "de": {
        "persona": ("Max", "Mustermann"),
        "texts": [
            "# Eine Journey Map, erstellt mit `journeymap init --template {template}",
            "# Buyer-Personas. Legen Sie in B2B eine pro Mitglied des Buying Centers an",
            'needs: ["Was braucht die Persona?"]',
            'questions: ["Welche Fragen stellt die Persona?"]',
            'needs: ["Was braucht der Kunde hier?"]',
            'emotion: {score: 0, label: "Wie fühlt sich der Kunde hier?"}',
            "status: draft   # draft (Entwurf) -> researched (durch Quellen belegt) -> live",
        ],
    },
}


def _init(tmp_path: Path, template: str, lang: str) -> Path:
    target = tmp_path / f"shop-{template}-{lang}.yaml"
    result = runner.invoke(
        app,
        ["init", str(target), "--template", template, "--lang", lang],
        env={"JOURNEYMAP_LANG": lang},
    )
    assert result.exit_code == 0, result.output
    return target


def _comments(text: str) -> list[str]:
    return [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line]


@pytest.mark.parametrize("template", ["b2b", "webshop", "classic4"])
@pytest.mark.parametrize("lang", ["da", "de"])
def test_the_new_map_reads_in_the_chosen_language(tmp_path: Path, template: str, lang: str) -> None:
    target = _init(tmp_path, template, lang)
    text = target.read_text(encoding="utf-8")
    for english in ENGLISH:
        assert english not in text, f"{english!r} in the {lang} skeleton:\n{text}"
    for expected in EXPECTED[lang]["texts"]:
        assert expected.replace("{template}", template) in text
    english_comments = set(_comments(_init(tmp_path, template, "en").read_text("utf-8")))
    comments = _comments(text)
    assert len(comments) >= 10
    assert not english_comments & set(comments)
    journey_map = load_map(target)
    persona = journey_map.personas[0]
    assert (persona.first_name, persona.last_name) == EXPECTED[lang]["persona"]
    # every id stays a-z, as the validator and the rest of the file need
    ids = [element.id for element in (*journey_map.phases, *journey_map.touchpoints, persona)]
    assert all(re.fullmatch(r"[a-z0-9-]+", element_id) for element_id in ids), ids


@pytest.mark.parametrize("template", ["b2b", "webshop", "classic4"])
@pytest.mark.parametrize("lang", ["da", "de"])
def test_the_new_map_validates_without_a_warning(tmp_path: Path, template: str, lang: str) -> None:
    target = _init(tmp_path, template, lang)
    result = runner.invoke(app, ["validate", str(target)], env={"JOURNEYMAP_LANG": lang})
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == [
        {
            "da": f"✓ {target} er et gyldigt journey map",
            "de": f"✓ {target} ist eine gültige Journey Map",
        }[lang]
    ]


def test_the_english_map_keeps_its_english_example_persona(tmp_path: Path) -> None:
    text = _init(tmp_path, "webshop", "en").read_text(encoding="utf-8")
    assert 'first_name: "Alex"' in text and 'last_name: "Example"' in text
    assert "# Buyer personas. In B2B add one per buying-center member;" in text
    assert 'emotion: {score: 0, label: "How does the customer feel here?"}' in text
