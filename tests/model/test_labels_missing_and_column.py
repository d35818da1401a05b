"""The labels' own keys: ``(none)`` for the journeys without a value, ``(column)`` for the column.

Users asked to name Olist's leads without an origin (shown as "(none)") and to read
"Fasetragt efter Besøgstype", not "efter VisitorType". Both keys are checked like the rest of
the map: a label given twice is an error at its place, a key in parentheses journeymap does not
read (the "(ingen)" a Danish table shows) a warning.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import Location, MapValidationError
from journeymap.mapfile import dump_map, loads_map
from journeymap.model import JourneyMap
from journeymap.model.labels import column_label

LEADS = """\
id: leads
name: Sælgere
language: da
labels:
  origin:
    (column): Oprindelse
    (none): Uden oprindelse
    organic_search: Organisk søgning
"""


def _validate(tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "leads.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["validate", str(path)], env={"JOURNEYMAP_LANG": "en", "COLUMNS": "400"}
    )
    return result.exit_code, result.output


def test_no_value_takes_the_none_label_and_the_column_its_name() -> None:
    leads = loads_map(LEADS)
    assert leads.value_label("origin", None) == "Uden oprindelse"
    assert leads.value_label("origin", "") == "Uden oprindelse"
    assert leads.value_label("Origin", "organic_search") == "Organisk søgning"
    # The column's name is no value's label.
    assert leads.value_label("origin", "(column)") is None
    assert column_label(leads.labels, "ORIGIN") == "Oprindelse"
    assert column_label(leads.labels, "VisitorType") is None
    # Without a (none) label, no value has none (the report says "(ingen)" itself).
    assert (
        loads_map(LEADS.replace("    (none): Uden oprindelse\n", "")).value_label("origin", None)
        is None
    )


def test_yaml_null_key_is_the_none_label_and_is_saved_as_it() -> None:
    leads = loads_map(LEADS.replace("(none):", "~:"))
    assert leads.value_label("origin", None) == "Uden oprindelse"
    assert "(none): Uden oprindelse" in dump_map(leads)
    built = JourneyMap(id="m", name="M", labels={"origin": {None: "Ukendt"}})  # type: ignore[dict-item]
    assert built.value_label("origin", None) == "Ukendt"


def test_two_labels_for_no_value_are_an_error_at_the_column(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOURNEYMAP_LANG", "en")
    text = LEADS.replace("    (none): Uden oprindelse\n", "    ~: Ingen\n    (none): Uden\n")
    with pytest.raises(MapValidationError) as caught:
        loads_map(text, source="leads.yaml")
    (issue,) = caught.value.issues
    assert issue.location == Location("leads.yaml", 6, 5)
    assert issue.message == (
        "labels.origin: the journeys without a value have 2 labels (~, '(none)'): ~ and (none) "
        "are the same key; keep one"
    )


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            "(ingen)",
            "labels for column 'origin': '(ingen)' is read as a raw value of the events, not as "
            "(none) (the key for the journeys without a value); write (none) if that is meant",
        ),
        (
            "(name)",
            "labels for column 'origin': '(name)' is read as a raw value of the events, not as "
            "(column) (the key for the column's name); write (column) if that is meant",
        ),
        (
            "(other)",
            "labels for column 'origin': '(other)' is read as a raw value of the events; the "
            "keys in parentheses journeymap reads are (none), for the journeys without a value, "
            "and (column), for the column's name",
        ),
    ],
)
def test_validate_warns_at_a_key_in_parentheses_it_does_not_read(
    tmp_path: Path, key: str, message: str
) -> None:
    code, output = _validate(tmp_path, LEADS + f"    {key}: Andet\n")
    assert code == 0
    assert f"{tmp_path / 'leads.yaml'}:9:5: warning: {message}" in " ".join(output.split())


def test_the_own_keys_are_valid(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, LEADS)
    assert (code, output.strip()) == (0, f"✓ {tmp_path / 'leads.yaml'} is a valid journey map")
