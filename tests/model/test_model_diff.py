"""Differences between two map versions, element by element."""

from __future__ import annotations

import copy
from typing import Any

from journeymap.model import JourneyMap, diff_maps


def test_equal_maps_have_an_empty_diff(map_data: dict[str, Any]) -> None:
    diff = diff_maps(JourneyMap.model_validate(map_data), JourneyMap.model_validate(map_data))
    assert diff.is_empty
    assert diff.changed == []


def test_added_removed_and_changed_elements_by_id(map_data: dict[str, Any]) -> None:
    new = copy.deepcopy(map_data)
    new["status"] = "researched"
    new["touchpoints"][0]["name"] = "Instagram ad"
    new["touchpoints"].append({"id": "newsletter", "name": "Newsletter", "phases": ["purchase"]})
    new["evidence"] = []
    new["cells"].append({"phase": "purchase", "emotion": {"score": 2}})
    diff = diff_maps(JourneyMap.model_validate(map_data), JourneyMap.model_validate(new))
    assert not diff.is_empty
    assert diff.added["touchpoints"] == ["newsletter"]
    assert diff.added["cells"] == ["purchase/*/*"]
    assert diff.removed["evidence"] == ["analytics"]
    assert diff.map_fields == {"status": ("draft", "researched")}
    [change] = diff.changed
    assert (change.section, change.id) == ("touchpoints", "social-ads")
    assert change.fields == {"name": ("Social ads", "Instagram ad")}


def test_diff_to_dict_is_json_ready(map_data: dict[str, Any]) -> None:
    new = copy.deepcopy(map_data)
    new["cells"][0]["emotion"]["score"] = -1
    data = diff_maps(JourneyMap.model_validate(map_data), JourneyMap.model_validate(new)).to_dict()
    [change] = data["changed"]
    assert change["id"] == "awareness/sara/*"
    assert change["fields"]["emotion"] == {
        "old": {"score": 1.0, "label": None},
        "new": {"score": -1.0, "label": None},
    }
