"""``journeymap diff`` reports the map's labels: a column labelled anew, one no longer, and
each raw value whose label changed, as it reports the other changes (in the user's words;
``--json`` keeps the file's keys). It said "The maps are equal." for two maps whose only
difference was a breakdown label."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.mapfile import loads_map
from journeymap.model import diff_maps

OLD = """\
id: leads
name: Sælgere
language: da
phases: [{id: awareness, name: Opmærksomhed}]
labels:
  origin:
    organic_search: Organisk søgning
    paid_search: Betalt søgning
  lead_type:
    online_big: Stor onlinebutik
"""

NEW = (
    OLD.replace("Betalt søgning", "Betalt annoncering")
    .replace("  lead_type:\n    online_big: Stor onlinebutik\n", "")
    .replace(
        "    organic_search: Organisk søgning\n",
        "    (column): Oprindelse\n    ~: Uden oprindelse\n    organic_search: Organisk søgning\n",
    )
    + "  VisitorType:\n    New_Visitor: Ny besøgende\n"
)


def _diff(tmp_path: Path, language: str, old: str, new: str, *options: str) -> tuple[int, str]:
    (tmp_path / "v1.yaml").write_text(old, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(new, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["diff", str(tmp_path / "v1.yaml"), str(tmp_path / "v2.yaml"), *options],
        env={"JOURNEYMAP_LANG": language, "COLUMNS": "200"},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_diff_reports_labels_added_removed_and_changed(tmp_path: Path) -> None:
    code, output = _diff(tmp_path, "en", OLD, NEW)
    assert code == 1
    assert output.splitlines() == [
        "+ labels: VisitorType",
        "- labels: lead_type",
        "~ labels: origin (column name, no value, paid_search)",
        "    column name: – -> 'Oprindelse'",
        "    no value: – -> 'Uden oprindelse'",
        "    paid_search: 'Betalt søgning' -> 'Betalt annoncering'",
    ]


def test_a_label_is_the_only_difference(tmp_path: Path) -> None:
    code, output = _diff(tmp_path, "en", OLD, OLD.replace("Stor onlinebutik", "Stor webshop"))
    assert code == 1
    assert output.splitlines() == [
        "~ labels: lead_type (online_big)",
        "    online_big: 'Stor onlinebutik' -> 'Stor webshop'",
    ]
    assert _diff(tmp_path, "en", OLD, OLD) == (0, "The maps are equal.\n")


def test_diff_json_keeps_the_files_keys(tmp_path: Path) -> None:
    code, output = _diff(tmp_path, "en", OLD, NEW, "--json")
    assert code == 1
    found = json.loads(output)
    assert found["added"]["labels"] == ["VisitorType"]
    assert found["removed"]["labels"] == ["lead_type"]
    (origin,) = [change for change in found["changed"] if change["section"] == "labels"]
    assert origin == {
        "section": "labels",
        "id": "origin",
        "fields": {
            "paid_search": {"old": "Betalt søgning", "new": "Betalt annoncering"},
            "(column)": {"old": None, "new": "Oprindelse"},
            "(none)": {"old": None, "new": "Uden oprindelse"},
        },
    }


def test_diff_of_labels_in_python() -> None:
    found = diff_maps(loads_map(OLD), loads_map(NEW))
    assert not found.is_empty
    (origin,) = found.changed
    assert origin.fields["paid_search"] == ("Betalt søgning", "Betalt annoncering")
    assert diff_maps(loads_map(OLD), loads_map(OLD)).is_empty


def test_diff_in_the_maps_language_names_the_labels_in_danish(tmp_path: Path) -> None:
    """Without JOURNEYMAP_LANG the diff speaks the map's language (needs the catalogs)."""
    (tmp_path / "v1.yaml").write_text(OLD, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(NEW, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["diff", str(tmp_path / "v1.yaml"), str(tmp_path / "v2.yaml")],
        env={
            "JOURNEYMAP_LANG": None,
            "LANG": "C.UTF-8",
            "LC_ALL": None,
            "LC_MESSAGES": None,
            "COLUMNS": "200",
        },
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "+ etiketter: VisitorType"
    assert "~ etiketter: origin (kolonnenavn, ingen værdi, paid_search)" in lines
    assert "    ingen værdi: – -> 'Uden oprindelse'" in lines
