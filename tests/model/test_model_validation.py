"""Every validation message of the model: errors refuse the map, warnings are listed."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from journeymap.errors import MapValidationError, ValidationIssue
from journeymap.model import CATALOG, JourneyMap


def _errors(data: dict[str, Any]) -> list[ValidationIssue]:
    with pytest.raises(MapValidationError) as caught:
        JourneyMap.model_validate(data)
    return caught.value.issues


def _warnings(data: dict[str, Any]) -> list[ValidationIssue]:
    return JourneyMap.model_validate(data).issues()


def test_the_fixture_map_has_no_issues(map_data: dict[str, Any]) -> None:
    assert JourneyMap.model_validate(map_data).issues() == []


def test_touchpoint_in_unknown_phase(map_data: dict[str, Any]) -> None:
    map_data["touchpoints"][1]["phases"] = ["purchse"]
    [issue] = _errors(map_data)
    assert issue.code == "unknown-phase"
    assert issue.path == ("touchpoints", 1, "phases", 0)
    assert "'purchse'" in issue.message and "(did you mean 'purchase'?)" in issue.message


def test_cell_in_unknown_phase(map_data: dict[str, Any]) -> None:
    map_data["cells"][0]["phase"] = "loyalty"
    [issue] = _errors(map_data)
    assert (issue.code, issue.path) == ("unknown-phase", ("cells", 0, "phase"))
    assert "cell #1 refers to phase 'loyalty'" in issue.message
    assert "(known: awareness, purchase)" in issue.message  # no near miss: what there is


def test_cell_for_unknown_persona(map_data: dict[str, Any]) -> None:
    map_data["cells"][0]["persona"] = "oskar"
    [issue] = _errors(map_data)
    assert issue.code == "unknown-persona"
    assert "persona 'oskar'" in issue.message and "known: sara" in issue.message


def test_cell_for_unknown_touchpoint(map_data: dict[str, Any]) -> None:
    map_data["cells"][0]["touchpoint"] = "size-guide"
    [issue] = _errors(map_data)
    assert issue.code == "unknown-touchpoint"
    assert issue.path == ("cells", 0, "touchpoint")
    assert "known: checkout, social-ads" in issue.message


@pytest.mark.parametrize(
    ("section", "what"),
    [
        ("phases", "phase"),
        ("personas", "persona"),
        ("touchpoints", "touchpoint"),
        ("evidence", "evidence source"),
    ],
)
def test_duplicate_ids(map_data: dict[str, Any], section: str, what: str) -> None:
    map_data[section].append(dict(map_data[section][0]))
    duplicates = [issue for issue in _errors(map_data) if issue.code == "duplicate-id"]
    assert len(duplicates) == 1
    assert duplicates[0].path[0] == section
    assert f"{what} id" in duplicates[0].message and "more than once" in duplicates[0].message


def test_duplicate_cells(map_data: dict[str, Any]) -> None:
    map_data["cells"].append({"phase": "awareness", "persona": "sara"})
    [issue] = _errors(map_data)
    assert (issue.code, issue.path) == ("duplicate-cell", ("cells", 1))
    assert "merge them into one" in issue.message


@pytest.mark.parametrize("score", [2.5, -3])
def test_emotion_out_of_range(map_data: dict[str, Any], score: float) -> None:
    map_data["cells"][0]["emotion"]["score"] = score
    with pytest.raises(ValidationError, match=r"outside -2\.\.\+2"):
        JourneyMap.model_validate(map_data)


def test_persona_joining_at_unknown_phase(map_data: dict[str, Any]) -> None:
    map_data["personas"][0]["joins_at"] = "decision"
    [issue] = _errors(map_data)
    assert issue.code == "unknown-join-phase"
    assert "persona 'sara' joins at phase 'decision'" in issue.message


def test_evidence_backing_unknown_id(map_data: dict[str, Any]) -> None:
    map_data["evidence"][0]["backs"] = ["checkout", "size-guide"]
    [issue] = _errors(map_data)
    assert (issue.code, issue.path) == ("unknown-element", ("evidence", 0, "backs", 1))
    assert "'size-guide'" in issue.message


def test_mapping_rule_with_unknown_touchpoint(map_data: dict[str, Any]) -> None:
    map_data["mapping"] = {
        "columns": {"person_id": "visitor", "timestamp": "time"},
        "touchpoints": [{"touchpoint": "radio-tv", "when": [{"field": "src", "equals": "radio"}]}],
    }
    issues = _errors(map_data)
    assert [issue.code for issue in issues] == ["unknown-touchpoint"]
    assert "mapping rule #1 assigns touchpoint 'radio-tv'" in issues[0].message


def test_warning_for_empty_phase(map_data: dict[str, Any]) -> None:
    map_data["phases"].append({"id": "loyalty", "name": "Loyalty", "order": 3})
    [issue] = _warnings(map_data)
    assert (issue.severity, issue.code) == ("warning", "empty-phase")
    assert "phase 'loyalty' has no touchpoints" in issue.message


def test_warning_for_touchpoint_in_no_phase(map_data: dict[str, Any]) -> None:
    map_data["touchpoints"].append({"id": "print", "name": "Print"})
    [issue] = _warnings(map_data)
    assert (issue.severity, issue.code) == ("warning", "touchpoint-without-phase")
    assert issue.path == ("touchpoints", 2)


def test_warning_for_order_of_another_phase(map_data: dict[str, Any]) -> None:
    map_data["touchpoints"][0]["order"] = {"purchase": 1}
    [issue] = _warnings(map_data)
    assert (issue.severity, issue.code) == ("warning", "order-for-other-phase")
    assert issue.path == ("touchpoints", 0, "order", "purchase")


def test_all_errors_are_reported_at_once(map_data: dict[str, Any]) -> None:
    map_data["touchpoints"][0]["phases"] = ["nowhere"]
    map_data["cells"][0]["persona"] = "nobody"
    codes = sorted(issue.code for issue in _errors(map_data))
    assert codes == ["unknown-persona", "unknown-phase"]


def test_touchpoint_from_an_unknown_catalog_entry(map_data: dict[str, Any]) -> None:
    map_data["touchpoints"][1]["catalog"] = "Checkout"
    [issue] = _errors(map_data)
    assert (issue.code, issue.path) == ("unknown-catalog", ("touchpoints", 1, "catalog"))
    assert "catalog entry 'Checkout'" in issue.message
    assert "(did you mean 'checkout'?)" in issue.message


def test_every_catalog_id_is_accepted(map_data: dict[str, Any]) -> None:
    map_data["touchpoints"] = [
        {"id": catalog_id, "name": catalog_id, "catalog": catalog_id, "phases": ["awareness"]}
        for catalog_id in CATALOG
    ] + [{"id": "pay", "name": "Pay", "mode": "online", "phases": ["purchase"]}]
    assert JourneyMap.model_validate(map_data).issues() == []


def test_warning_for_each_phase_that_repeats_an_order(map_data: dict[str, Any]) -> None:
    map_data["phases"][1]["order"] = 1
    map_data["phases"].append({"id": "loyalty", "name": "Loyalty", "order": 1})
    map_data["touchpoints"][1]["phases"].append("loyalty")
    issues = _warnings(map_data)
    assert [(issue.severity, issue.code, issue.path) for issue in issues] == [
        ("warning", "same-phase-order", ("phases", 1, "order")),
        ("warning", "same-phase-order", ("phases", 2, "order")),
    ]
    assert issues[1].message.startswith("phases 'awareness' and 'loyalty' both have order 1")


def test_phases_without_an_order_are_no_repeat(map_data: dict[str, Any]) -> None:
    for phase in map_data["phases"]:
        del phase["order"]
    assert JourneyMap.model_validate(map_data).issues() == []
