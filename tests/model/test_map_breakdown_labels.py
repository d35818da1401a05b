"""The map's ``labels``: display labels of breakdown values, checked like the rest of the map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import Location, MapValidationError
from journeymap.mapfile import dump_map, loads_map
from journeymap.model import JourneyMap

SHOP = """\
id: shop
name: Webshop
language: da
phases: [{id: visit, name: Besøg}]
personas: [{id: mette, first_name: Mette, last_name: Hansen}]
touchpoints: [{id: web, name: Web, phases: [visit]}]
labels:
  VisitorType:
    Returning_Visitor: Tilbagevendende besøgende
    New_Visitor: Ny besøgende
  TrafficType:
    2: Søgemaskine
  Weekend:
    TRUE: Weekend
"""

RULES = """\
mapping:
  columns: {person_from_row: true, timestamp_constant: "2019-01-01"}
  touchpoints: [{touchpoint: web}]
  keep: [VisitorType, TrafficType, Weekend]
"""


def _validate(tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "shop.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["validate", str(path)], env={"JOURNEYMAP_LANG": "en", "COLUMNS": "400"}
    )
    return result.exit_code, result.output


def test_labels_are_read_with_numbers_and_booleans_as_text() -> None:
    shop = loads_map(SHOP)
    assert shop.value_label("VisitorType", "Returning_Visitor") == "Tilbagevendende besøgende"
    # YAML reads 2 as a number and TRUE as a boolean; the events hold the texts "2", "TRUE".
    assert shop.value_label("TrafficType", "2") == "Søgemaskine"
    assert shop.value_label("TrafficType", 2) == "Søgemaskine"
    assert shop.value_label("Weekend", "TRUE") == "Weekend"
    assert shop.value_label("weekend", True) == "Weekend"
    assert shop.value_label("VisitorType", "Other") is None
    assert shop.value_label("VisitorType", None) is None


def test_a_map_with_labels_is_valid_and_keeps_them_when_saved(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, SHOP + RULES)
    assert (code, output.strip()) == (0, f"✓ {tmp_path / 'shop.yaml'} is a valid journey map")
    again = loads_map(dump_map(loads_map(SHOP)))
    assert again.labels == loads_map(SHOP).labels
    assert again.labels["TrafficType"] == {"2": "Søgemaskine"}


@pytest.mark.parametrize(
    ("replace", "by", "where", "message"),
    [
        (
            "New_Visitor: Ny besøgende",
            'New_Visitor: ""',
            Location("shop.yaml", 10, 18),
            "labels.VisitorType.New_Visitor is empty",
        ),
        (
            "New_Visitor: Ny besøgende",
            "New_Visitor: [ny, besøgende]",
            Location("shop.yaml", 10, 18),
            "labels.VisitorType.New_Visitor should be text, found a list",
        ),
        (
            "    2: Søgemaskine",
            "    - Søgemaskine",
            Location("shop.yaml", 12, 5),
            "labels.TrafficType should be a mapping (key: value), found a list",
        ),
    ],
)
def test_a_wrong_label_is_an_error_at_its_place(
    replace: str, by: str, where: Location, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNEYMAP_LANG", "en")
    with pytest.raises(MapValidationError) as caught:
        loads_map(SHOP.replace(replace, by), source="shop.yaml")
    (issue,) = caught.value.issues
    assert issue.location == where
    assert message in issue.message


def test_labels_built_in_python_are_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYMAP_LANG", "en")
    with pytest.raises(MapValidationError, match=re.escape("labels.job.admin. is empty")):
        JourneyMap(id="bank", name="Bank", labels={"job": {"admin.": ""}})
    bank = JourneyMap(id="bank", name="Bank", labels={"job": {"blue-collar": "Håndværker"}})
    assert bank.value_label("job", "blue-collar") == "Håndværker"


def test_validate_warns_of_a_column_the_rules_do_not_keep(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, SHOP.replace("  VisitorType:", "  VistorType:") + RULES)
    assert code == 0
    assert (
        f"{tmp_path / 'shop.yaml'}:8:3: warning: labels are given for column 'VistorType', which "
        "the mapping rules do not keep, so no breakdown shows them (did you mean "
        "'VisitorType'?); add it to 'keep' or fix the column name"
    ) in output


def test_without_rules_in_the_map_any_column_may_be_labelled(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, SHOP.replace("  VisitorType:", "  VistorType:"))
    assert (code, output.strip()) == (0, f"✓ {tmp_path / 'shop.yaml'} is a valid journey map")


def test_validate_warns_of_a_label_for_one_of_the_maps_personas(tmp_path: Path) -> None:
    text = SHOP + "  persona:\n    mette: Mette fra marketing\n    other: Andre\n"
    code, output = _validate(tmp_path, text)
    assert code == 0
    assert (
        "warning: the label of persona 'mette' is not shown: a breakdown by persona shows the "
        "name the map gives the persona (Mette Hansen)"
    ) in output
    assert "'other'" not in output  # a persona value the map has no persona for: labelled
