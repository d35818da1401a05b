"""Journey order of touchpoints, the emotion curve and the built-in catalog."""

from __future__ import annotations

from typing import Any

import pytest

from journeymap.model import CATALOG, JourneyMap, catalog_touchpoint, phase_template


def test_touchpoints_in_follow_list_order_unless_ordered(map_data: dict[str, Any]) -> None:
    map_data["touchpoints"] = [
        {
            "id": "newsletter",
            "name": "Newsletter",
            "phases": ["awareness", "purchase"],
            "order": {"purchase": 5},
        },
        {"id": "social-ads", "name": "Social ads", "phases": ["awareness"]},
        {"id": "checkout", "name": "Checkout", "phases": ["purchase"]},
    ]
    journey_map = JourneyMap.model_validate(map_data)
    assert [tp.id for tp in journey_map.touchpoints_in("awareness")] == [
        "newsletter",
        "social-ads",
    ]
    # The newsletter's order 5 in purchase puts it after checkout's list position (2).
    assert [tp.id for tp in journey_map.touchpoints_in("purchase")] == ["checkout", "newsletter"]
    assert journey_map.first_phase_of("newsletter") == "awareness"


def test_ordered_phases_use_order_not_file_position(map_data: dict[str, Any]) -> None:
    map_data["phases"].reverse()
    journey_map = JourneyMap.model_validate(map_data)
    assert [phase.id for phase in journey_map.ordered_phases()] == ["awareness", "purchase"]


def test_emotion_curve_prefers_persona_then_touchpoints_then_shared(
    map_data: dict[str, Any],
) -> None:
    map_data["cells"] = [
        {"phase": "awareness", "persona": "sara", "emotion": {"score": 1.5}},
        {"phase": "awareness", "emotion": {"score": -1}},
        {
            "phase": "purchase",
            "persona": "sara",
            "touchpoint": "checkout",
            "emotion": {"score": -2},
        },
        {
            "phase": "purchase",
            "persona": "sara",
            "touchpoint": "social-ads",
            "emotion": {"score": 1},
        },
    ]
    map_data["touchpoints"][0]["phases"].append("purchase")
    journey_map = JourneyMap.model_validate(map_data)
    assert journey_map.emotion_curve("sara") == [("awareness", 1.5), ("purchase", -0.5)]
    # Without persona cells, the shared phase cell applies; no cell at all gives None.
    assert journey_map.emotion_curve(None) == [("awareness", -1.0), ("purchase", None)]


def test_catalog_has_the_sixteen_touchpoints_of_the_seeds() -> None:
    seeds = list(CATALOG.values())[:16]  # the seeds' list comes first; industrial B2B follows
    assert seeds[-1].id == "recommendations"
    offline = {entry.id for entry in seeds if entry.mode == "offline"}
    assert offline == {
        "radio-tv",
        "print",
        "trade-media",
        "customer-service",
        "product-inserts",
        "stores",
        "recommendations",
    }


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("en", "Shops and branches"),
        ("da", "Butikker og filialer"),
        ("de", "Geschäfte und Filialen"),
    ],
)
def test_catalog_touchpoint_is_named_in_the_language(language: str, name: str) -> None:
    touchpoint = catalog_touchpoint("stores", language, phases=["decision"])
    assert (touchpoint.name, touchpoint.mode, touchpoint.phases) == (name, "offline", ["decision"])


def test_phase_templates_have_their_phases_in_order() -> None:
    assert [p.id for p in phase_template("webshop")] == [
        "awareness",
        "consideration",
        "purchase",
        "retention",
        "loyalty",
    ]
    assert [p.order for p in phase_template("classic4")] == [1, 2, 3, 4]
