from __future__ import annotations

from pathlib import Path

import pytest

from journeymap.errors import Location, MapFileError, MapValidationError, ValidationIssue
from journeymap.mapfile import load_map, load_rules, loads_map


def only_issue(text: str, format: str = "yaml") -> ValidationIssue:
    with pytest.raises(MapValidationError) as caught:
        loads_map(text, format=format, source="map.yaml")
    assert len(caught.value.issues) == 1, caught.value.issues
    return caught.value.issues[0]


BASE = """\
id: demo
name: Demo
phases:
  - id: awareness
    name: Awareness
  - id: consideration
    name: Consideration
touchpoints:
  - id: ads
    name: Ads
    phases: [awareness]
"""


def test_unknown_phase_reference_points_at_the_id() -> None:
    issue = only_issue(
        BASE + "  - id: blog\n    name: Blog\n    phases: [awareness, considerashun]\n"
    )
    assert issue.location == Location("map.yaml", 14, 25)
    assert issue.code == "unknown-phase"
    assert str(issue).startswith(
        "map.yaml:14:25: error: touchpoint 'blog' refers to phase 'considerashun', which the map "
        "does not define (did you mean 'consideration'?); add it under 'phases' or fix the id"
    )


def test_unknown_field_points_at_the_key_and_lists_allowed_fields() -> None:
    issue = only_issue(BASE + "    colour: red\n")
    assert issue.location == Location("map.yaml", 12, 5)
    assert issue.message.startswith("unknown field 'colour' in touchpoints[1]; allowed: id, name,")
    assert "influence" in issue.message


def test_misspelled_field_gets_a_suggestion() -> None:
    issue = only_issue(BASE + "    chanel: email\n")
    assert "did you mean 'channel'?" in issue.message


def test_enum_value_lists_the_allowed_values() -> None:
    issue = only_issue(BASE + "    mode: web\n")
    assert issue.location == Location("map.yaml", 12, 11)
    assert issue.code == "invalid-choice"
    assert "'online' or 'offline'" in issue.message
    assert "touchpoints[1].mode" in issue.message


def test_missing_field_points_at_the_element_that_lacks_it() -> None:
    issue = only_issue(BASE + "  - id: blog\n    phases: [awareness]\n")
    assert issue.location == Location("map.yaml", 12, 5)
    assert issue.message == "touchpoints[2] is missing the required field 'name'; add it"


def test_wrong_type_says_what_was_expected_and_found() -> None:
    issue = only_issue(BASE.replace("phases: [awareness]", "phases: awareness"))
    assert issue.location == Location("map.yaml", 11, 13)
    assert issue.message == (
        "touchpoints[1].phases should be a list, found the text 'awareness'; fix the value"
    )


def test_emotion_out_of_range() -> None:
    issue = only_issue(BASE + "cells:\n  - phase: awareness\n    emotion: {score: 3}\n")
    assert issue.location == Location("map.yaml", 14, 22)
    assert "outside -2..+2" in issue.message


def test_bad_id() -> None:
    issue = only_issue(BASE.replace("id: ads", "id: 'my ads'"))
    assert issue.location == Location("map.yaml", 9, 9)
    assert "'my ads' is not a valid id" in issue.message


def test_every_problem_is_reported_in_file_order() -> None:
    text = BASE + "    colour: red\n    mode: web\n  - id: blog\n"
    with pytest.raises(MapValidationError) as caught:
        loads_map(text, source="map.yaml")
    lines = [issue.location.line for issue in caught.value.issues if issue.location]
    assert lines == [12, 13, 14]
    assert "map.yaml:12:5" in str(caught.value)


def test_yaml_syntax_error_has_line_and_column() -> None:
    with pytest.raises(MapFileError) as caught:
        loads_map("id: demo\nname: [Demo\nphases: []\n", source="map.yaml")
    assert caught.value.location.file == "map.yaml"
    assert caught.value.location.line == 3
    assert "YAML syntax error" in str(caught.value)


def test_duplicate_key_is_refused_with_a_hint() -> None:
    with pytest.raises(MapFileError) as caught:
        loads_map("id: demo\nname: A\nname: B\n", source="map.yaml")
    assert caught.value.location.line == 3
    assert "each key may appear once" in str(caught.value)


def test_json_syntax_error_position() -> None:
    with pytest.raises(MapFileError) as caught:
        loads_map('{\n  "id": "demo",\n  "name": "Demo",,\n}\n', format="json", source="m.json")
    assert caught.value.location == Location("m.json", 3, 18)
    assert str(caught.value).startswith("m.json:3:18: JSON syntax error:")


def test_json_validation_issue_position() -> None:
    text = '{\n  "id": "demo",\n  "name": "Demo",\n  "status": "done"\n}\n'
    issue = only_issue(text, format="json")
    assert issue.location == Location("map.yaml", 4, 13)
    assert "'draft', 'researched' or 'live'" in issue.message


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(MapFileError, match="top level must be a mapping"):
        loads_map("- a\n- b\n")
    with pytest.raises(MapFileError, match="the document is empty"):
        loads_map("# nothing here\n")


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(MapFileError) as caught:
        load_map(missing)
    assert (
        str(caught.value) == f"{missing}: file not found; check the path and the working directory"
    )


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "map.txt"
    path.write_text("id: x\n", encoding="utf-8")
    with pytest.raises(MapFileError, match=r"name the file \.yaml, \.yml or \.json"):
        load_map(path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_bytes(b"id: demo\nname: Caf\xe9\n")
    with pytest.raises(MapFileError) as caught:
        load_map(path)
    assert (caught.value.location.line, caught.value.location.column) == (2, 10)


def test_rules_errors_are_located(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "mapping:\n  columns:\n    person_id: user\n    timestamp: time\n"
        "  touchpoints:\n    - touchpoint: ads\n      when:\n        - field: src\n",
        encoding="utf-8",
    )
    with pytest.raises(MapValidationError) as caught:
        load_rules(path)
    (issue,) = caught.value.issues
    assert issue.location == Location(str(path), 8, 11)
    assert issue.path == ("mapping", "touchpoints", 0, "when", 0)
    assert "needs exactly one of equals, in, prefix, regex" in issue.message


def test_non_text_key_points_at_the_key() -> None:
    issue = only_issue("id: demo\nname: Demo\n1: 2\n")
    assert issue.location == Location("map.yaml", 3, 1)
    assert (
        issue.message == "the key 1 in the top level should be text; quote it or remove the entry"
    )


def test_a_wrong_value_and_a_broken_reference_are_reported_together() -> None:
    # The references are checked on a map built without the wrong value, not after a fix.
    text = (
        BASE
        + "personas:\n  - {id: sara, first_name: Sara, joins_at: considerashun}\n"
        + "cells:\n  - {phase: awareness, persona: sara, emotion: {score: 5}}\n"
    )
    with pytest.raises(MapValidationError) as caught:
        loads_map(text, source="map.yaml")
    found = [(issue.code, issue.path, issue.location) for issue in caught.value.issues]
    assert found == [
        ("unknown-join-phase", ("personas", 0, "joins_at"), Location("map.yaml", 13, 44)),
        ("invalid-value", ("cells", 0, "emotion", "score"), Location("map.yaml", 15, 56)),
    ]
    assert "did you mean 'consideration'?" in caught.value.issues[0].message


def test_no_reference_problem_is_made_up_for_an_element_that_could_not_be_read() -> None:
    # The phase lacks its name, so it cannot be built; the touchpoint's reference to it is
    # not reported as broken.
    text = BASE.replace("    name: Consideration\n", "").replace(
        "phases: [awareness]", "phases: [awareness, consideration]"
    )
    issue = only_issue(text)
    assert issue.path == ("phases", 1, "name")


def test_an_element_without_its_name_hides_no_broken_reference_elsewhere() -> None:
    # The phase without its name stays in the lenient build (under a stand-in name), so the
    # touchpoint's real typo shows in the same pass; the reference to the nameless phase is
    # fine. Before, a list item that could not be built hid every reference problem.
    text = BASE.replace("    name: Consideration\n", "").replace(
        "phases: [awareness]", "phases: [awareness, consideration, decishun]"
    )
    with pytest.raises(MapValidationError) as caught:
        loads_map(text, source="map.yaml")
    found = [(issue.code, issue.path) for issue in caught.value.issues]
    assert found == [
        ("missing-field", ("phases", 1, "name")),
        ("unknown-phase", ("touchpoints", 0, "phases", 2)),
    ]
    assert "'decishun'" in caught.value.issues[1].message
    assert "(name)" not in str(caught.value)


def test_a_boolean_where_a_list_of_values_belongs_is_located() -> None:
    # `in: true` reached the boolean-as-text conversion as no list and raised a TypeError.
    text = BASE + (
        "mapping:\n  columns: {person_id: u, timestamp: ts}\n"
        "  touchpoints:\n    - touchpoint: ads\n      when: [{field: x, in: true}]\n"
    )
    issue = only_issue(text)
    assert issue.path == ("mapping", "touchpoints", 0, "when", 0, "in")
    assert "should be a list, found the boolean true" in issue.message
