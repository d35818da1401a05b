from __future__ import annotations

import json
from pathlib import Path

import pytest

from journeymap.mapfile import (
    dump_map,
    load_map,
    load_map_document,
    load_rules,
    loads_map,
    save_map,
)
from journeymap.model import JourneyMap, Touchpoint


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_save_then_load_gives_an_equal_map(
    tmp_path: Path, suffix: str, example_map: JourneyMap
) -> None:
    original = example_map.model_copy(deep=True)
    path = tmp_path / f"map{suffix}"
    save_map(original, path)
    loaded = load_map(path)
    assert loaded == original
    save_map(loaded, path)
    assert load_map(path) == original


def test_yaml_output_is_clean_block_style_without_defaults(example_map: JourneyMap) -> None:
    text = dump_map(example_map.model_copy(deep=True))
    lines = text.splitlines()
    assert lines[:2] == ["id: fashion", "name: Saras sommerfest-outfit"]
    assert "description: |-" in text  # multi-line text as a readable block
    assert "Opmærksomhed" in text  # unicode kept as is
    assert "{" not in text and "owner" not in text and "actions: []" not in text
    assert "case_sensitive" not in text  # default left out
    assert "    - in:" in text or "in:" in text  # the 'in' alias, not 'in_'
    top_keys = [line.split(":")[0] for line in lines if line and not line.startswith(" ")]
    assert top_keys == [
        "id", "name", "description", "language", "kind", "status", "tags", "phases",
        "personas", "touchpoints", "cells", "evidence", "mapping",
    ]  # fmt: skip


def test_json_output_is_indented_and_reloads(example_map: JourneyMap) -> None:
    text = dump_map(example_map.model_copy(deep=True), format="json")
    data = json.loads(text)
    assert data["touchpoints"][0] == {
        "id": "social-ads",
        "name": "Sociale annoncer",
        "channel": "paid-social",
        "phases": ["awareness"],
        "order": {"awareness": 1},
    }
    assert loads_map(text, format="json") == example_map.model_copy(deep=True)


def test_save_replaces_the_file_atomically_and_leaves_no_temporary_files(
    tmp_path: Path, example_map: JourneyMap
) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("old content", encoding="utf-8")
    save_map(example_map.model_copy(deep=True), path)
    assert load_map(path).id == "fashion"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.yaml"]


def test_comments_survive_a_document_round_trip(tmp_path: Path, small_map_yaml: str) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(small_map_yaml, encoding="utf-8")
    document = load_map_document(path)
    assert [p.id for p in document.map.phases] == ["awareness", "decision"]
    document.save()
    assert path.read_text(encoding="utf-8") == small_map_yaml


def test_update_keeps_comments_and_applies_changes(tmp_path: Path, small_map_yaml: str) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(small_map_yaml, encoding="utf-8")
    document = load_map_document(path)
    edited = document.map.model_copy(deep=True)
    edited.name = "Demo v2"
    edited.touchpoints = [
        edited.touchpoints[0],
        Touchpoint(id="newsletter", name="Newsletter", phases=["decision"]),
    ]  # checkout removed, newsletter added
    document.update(edited)
    document.save()
    text = path.read_text(encoding="utf-8")
    for comment in (
        "# The demo map: keep this comment",
        "# shown as the title",
        "# first phase",
        "# the ads come first",
    ):
        assert comment in text
    name_line = next(line for line in text.splitlines() if line.startswith("name:"))
    assert name_line.startswith("name: Demo v2") and name_line.endswith("# shown as the title")
    assert "checkout" not in text
    reloaded = load_map(path)
    assert reloaded == edited
    assert [t.id for t in reloaded.touchpoints] == ["search-ads", "newsletter"]


def test_update_does_not_add_defaults_the_file_leaves_out(
    tmp_path: Path, small_map_yaml: str
) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(small_map_yaml, encoding="utf-8")
    document = load_map_document(path)
    edited = document.map.model_copy(deep=True)
    edited.owner = "Marketing"
    document.update(edited)
    text = document.text()
    assert "owner: Marketing" in text
    assert "language" not in text and "status" not in text
    assert text.index("owner: Marketing") < text.index("phases:")  # field order kept


def test_json_document_update_and_save(tmp_path: Path, example_map: JourneyMap) -> None:
    path = tmp_path / "map.json"
    save_map(example_map.model_copy(deep=True), path)
    document = load_map_document(path)
    edited = document.map.model_copy(deep=True)
    edited.status = "live"
    document.update(edited)
    document.save()
    assert load_map(path).status == "live"
    assert json.loads(path.read_text(encoding="utf-8"))["status"] == "live"


def test_rules_file_plain_and_wrapped(tmp_path: Path, example_map: JourneyMap) -> None:
    rules = example_map.model_copy(deep=True).mapping
    assert rules is not None
    plain = tmp_path / "rules.yaml"
    plain.write_text(
        "columns:\n  person_id: user\n  timestamp: time\n"
        "conversion:\n  - field: event\n    equals: order\n"
        "touchpoints:\n  - touchpoint: social-ads\n    when:\n"
        "      - {field: src, in: [ig, fb]}\n  - touchpoint_from: page\n",
        encoding="utf-8",
    )
    assert load_rules(plain) == rules
    wrapped = tmp_path / "rules.json"
    wrapped.write_text(
        json.dumps({"mapping": rules.model_dump(mode="json", by_alias=True)}), encoding="utf-8"
    )
    assert load_rules(wrapped) == rules


def test_update_removes_cleared_optional_values(tmp_path: Path, small_map_yaml: str) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(small_map_yaml.replace("name: Demo ", "owner: Anna\nname: Demo "), "utf-8")
    document = load_map_document(path)
    assert document.map.owner == "Anna"
    edited = document.map.model_copy(deep=True)
    edited.owner = None
    document.update(edited)
    assert "owner" not in document.text()
    assert "# shown as the title" in document.text()


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_document_locates_issue_paths(tmp_path: Path, suffix: str, example_map: JourneyMap) -> None:
    path = tmp_path / f"map{suffix}"
    save_map(example_map, path)
    document = load_map_document(path)
    location = document.location(("touchpoints", 1, "phases", 0))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert location.file == str(path) and location.line is not None
    assert location.column is not None
    assert lines[location.line - 1][location.column - 1 :].lstrip('"').startswith("purchase")


def test_update_with_many_kinds_of_edits_reloads_equal(
    tmp_path: Path, example_map: JourneyMap
) -> None:
    path = tmp_path / "map.yaml"
    save_map(example_map, path)
    path.write_text("# top comment\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    document = load_map_document(path)
    edited = document.map.model_copy(deep=True)
    edited.phases = list(reversed(edited.phases))  # reordered
    edited.personas[0].goals = ["look good", "save money"]  # list item appended
    edited.cells[0].emotion = None  # optional value cleared
    edited.cells[1].pain_points = []  # list emptied
    edited.tags = ["b2c"]  # list item removed
    edited.language = "en"  # set back to the default
    document.update(edited)
    document.save()
    assert load_map(path) == edited
    assert path.read_text(encoding="utf-8").startswith("# top comment\n")
