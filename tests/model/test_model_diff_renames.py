"""``journeymap diff`` reports an element whose id changed as a rename, not a remove and an add."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.model import JourneyMap, diff_maps

OLD = """\
id: shop
name: Shop
phases:
  - {id: awareness, name: Awareness, order: 1}
  - {id: purchase, name: Purchase, order: 2}
personas:
  - {id: p1, first_name: Sara, last_name: Jensen}
touchpoints:
  - {id: "1", name: Instagram ad, phases: [awareness]}
  - {id: "2", name: Checkout, phases: [purchase]}
"""


def _diff(tmp_path: Path, new_text: str, *options: str) -> tuple[int, str]:
    old, new = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(new_text, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["diff", str(old), str(new), *options], env={"JOURNEYMAP_LANG": "en", "COLUMNS": "200"}
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_a_changed_touchpoint_id_is_a_rename(tmp_path: Path) -> None:
    code, output = _diff(tmp_path, OLD.replace('id: "1"', "id: tt-1"))
    assert code == 1
    assert output.splitlines() == ["~ touchpoints: renamed: 1 → tt-1"]


def test_a_rename_lists_the_other_fields_that_changed(tmp_path: Path) -> None:
    new = OLD.replace('id: "2", name: Checkout,', "id: checkout, name: Checkout, mode: offline,")
    code, output = _diff(tmp_path, new)
    assert code == 1
    assert output.splitlines() == [
        "~ touchpoints: renamed: 2 → checkout (mode)",
        "    mode: 'online' -> 'offline'",
    ]


def test_renamed_phases_and_personas_and_a_touchpoint_in_the_renamed_phase(tmp_path: Path) -> None:
    new = (
        OLD.replace("id: purchase", "id: buy")
        .replace("[purchase]", "[buy]")
        .replace("id: p1", "id: sara-jensen")
        .replace('id: "2"', "id: checkout")
    )
    code, output = _diff(tmp_path, new)
    assert code == 1
    # The touchpoint's phases only follow the phase's rename: no change of its own.
    assert output.splitlines() == [
        "~ phases: renamed: purchase → buy",
        "~ personas: renamed: p1 → sara-jensen",
        "~ touchpoints: renamed: 2 → checkout",
    ]


def test_references_that_only_follow_a_rename_are_no_change(tmp_path: Path) -> None:
    """Renaming a phase's id listed every touchpoint in it, every persona joining there and
    every evidence backing it as changed (about ten lines for the payment-provider map)."""
    old = (
        OLD.replace(
            "  - {id: p1, first_name: Sara, last_name: Jensen}",
            ("  - {id: p1, first_name: Sara, last_name: Jensen, joins_at: purchase}"),
        )
        + "evidence:\n  - {id: e1, name: Interviews, backs: [purchase, p1]}\n"
    )
    new = old.replace("id: purchase", "id: buy").replace("[purchase]", "[buy]")
    new = new.replace("joins_at: purchase", "joins_at: buy").replace("[purchase, p1]", "[buy, p1]")
    (tmp_path / "v1.yaml").write_text(old, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(new, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["diff", str(tmp_path / "v1.yaml"), str(tmp_path / "v2.yaml")],
        env={"JOURNEYMAP_LANG": "en", "COLUMNS": "200"},
    )
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == ["~ phases: renamed: purchase → buy"]


def test_a_touchpoint_in_other_phases_is_still_removed_and_added(tmp_path: Path) -> None:
    code, output = _diff(
        tmp_path,
        OLD.replace(
            'id: "1", name: Instagram ad, phases: [awareness]',
            "id: tt-1, name: Instagram ad, phases: [purchase]",
        ),
    )
    assert code == 1
    assert output.splitlines() == ["+ touchpoints: tt-1", "- touchpoints: 1"]


def test_the_json_keeps_its_keys_and_adds_renamed(tmp_path: Path) -> None:
    new = OLD.replace('id: "1", name: Instagram ad,', "id: tt-1, name: Instagram ad, owner: Ida,")
    code, output = _diff(tmp_path, new, "--json")
    assert code == 1
    data = json.loads(output)
    assert set(data) == {"added", "removed", "changed", "map_fields", "renamed"}
    assert data["added"]["touchpoints"] == [] and data["removed"]["touchpoints"] == []
    assert data["changed"] == []
    assert data["renamed"] == [
        {
            "section": "touchpoints",
            "old_id": "1",
            "new_id": "tt-1",
            "fields": {"owner": {"old": None, "new": "Ida"}},
        }
    ]


def test_two_candidates_with_the_same_name_are_not_guessed_at() -> None:
    old = JourneyMap.model_validate(
        {
            "id": "m",
            "name": "M",
            "phases": [{"id": "a", "name": "A"}],
            "touchpoints": [
                {"id": "1", "name": "Ad", "phases": ["a"]},
                {"id": "2", "name": "Ad", "phases": ["a"]},
            ],
        }
    )
    new = old.model_copy(
        update={
            "touchpoints": [tp.model_copy(update={"id": f"tt-{tp.id}"}) for tp in old.touchpoints]
        }
    )
    diff = diff_maps(old, new)
    assert diff.renamed == []
    assert (diff.removed["touchpoints"], diff.added["touchpoints"]) == (
        ["1", "2"],
        ["tt-1", "tt-2"],
    )


def test_a_cell_of_a_renamed_touchpoint_is_the_same_cell(tmp_path: Path) -> None:
    """The cell keyed by a renamed touchpoint read '- cells: .../1' and '+ cells: .../tt-1'.
    It is the same cell: unchanged it is not listed, changed it is listed under its new key."""
    cells = (
        "cells:\n"
        "  - {phase: awareness, persona: p1, touchpoint: '1', needs: [a clear price]}\n"
        "  - {phase: purchase, touchpoint: '2', needs: [fast delivery]}\n"
    )
    renamed = (OLD + cells).replace('id: "1"', "id: tt-1").replace("'1'", "tt-1")
    old, new = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    old.write_text(OLD + cells, encoding="utf-8")
    new.write_text(renamed, encoding="utf-8")

    def run() -> list[str]:
        result = CliRunner().invoke(
            app, ["diff", str(old), str(new)], env={"JOURNEYMAP_LANG": "en", "COLUMNS": "200"}
        )
        assert result.exit_code == 1, result.output
        return result.output.splitlines()

    assert run() == ["~ touchpoints: renamed: 1 → tt-1"]
    new.write_text(renamed.replace("a clear price", "a clear monthly price"), encoding="utf-8")
    lines = run()
    assert lines[0] == "~ touchpoints: renamed: 1 → tt-1"
    assert lines[1].startswith("~ cells: awareness/p1/tt-1")
    assert not any(line.startswith(("+ cells", "- cells")) for line in lines)
