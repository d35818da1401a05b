"""``journeymap diff`` says what a changed field was and what it is now, not only its name."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from journeymap.cli.app import app

OLD = """\
id: hjem-og-hygge
name: Sofa
language: da
phases:
  - {id: levering, name: Levering og montering}
touchpoints:
  - {id: fragtmand, name: Fragtmand, mode: offline, phases: [levering]}
cells:
  - phase: levering
    emotion: {score: -2, label: frustreret}
"""


def test_diff_prints_old_and_new_values_of_changed_elements(tmp_path: Path) -> None:
    old, new = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(
        OLD.replace("name: Levering og montering", "name: Levering")
        .replace("mode: offline", "mode: online")
        .replace("{score: -2, label: frustreret}", "{score: -1, label: irriteret}"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["diff", str(old), str(new)], env={"COLUMNS": "200", "JOURNEYMAP_LANG": "en"}
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines == [
        "~ cells: levering/*/* (emotion)",
        "    emotion: {score: -2, label: 'frustreret'} -> {score: -1, label: 'irriteret'}",
        "~ phases: levering (name)",
        "    name: 'Levering og montering' -> 'Levering'",
        "~ touchpoints: fragtmand (mode)",
        "    mode: 'offline' -> 'online'",
    ]


def test_a_long_changed_text_is_cut_to_one_line(tmp_path: Path) -> None:
    old, new = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(OLD.replace("name: Levering og montering", "name: " + "Lang " * 40), "utf-8")
    result = CliRunner().invoke(
        app, ["diff", str(old), str(new)], env={"COLUMNS": "300", "JOURNEYMAP_LANG": "en"}
    )
    detail = result.output.splitlines()[1]
    assert detail.startswith("    name: 'Levering og montering' -> 'Lang Lang")
    assert detail.endswith("…")
    assert len(detail) < 120
