"""The help desk log (``../shared/datasets/helpdesk``) as a journey map and mapping rules.

Tickets are journeys, support activities touchpoints, ``Closed`` the conversion; shared by the
tests that import the log as a user would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from journeymap import JourneyMap, Phase, Touchpoint

PHASES: dict[str, list[str]] = {
    "intake": ["Insert ticket", "Assign seriousness"],
    "service": [
        "Take in charge ticket",
        "Wait",
        "Require upgrade",
        "Create SW anomaly",
        "Resolve SW anomaly",
        "Schedule intervention",
    ],
    "resolution": ["Resolve ticket"],
    "closure": ["Closed"],
}


def touchpoint_id(activity: str) -> str:
    return activity.lower().replace(" ", "-")


def helpdesk_map(phases: Mapping[str, Sequence[str]] = PHASES) -> JourneyMap:
    """The map: one phase per group of activities, one touchpoint per activity."""
    return JourneyMap(
        id="helpdesk",
        name="Help desk ticket",
        phases=[
            Phase(id=phase, name=phase.capitalize(), order=order)
            for order, phase in enumerate(phases, start=1)
        ],
        touchpoints=[
            Touchpoint(id=touchpoint_id(activity), name=activity, phases=[phase])
            for phase, activities in phases.items()
            for activity in activities
        ],
    )


def helpdesk_rules(
    phases: Mapping[str, Sequence[str]] = PHASES, keep: Sequence[str] = ()
) -> dict[str, Any]:
    """The rules: the case is the person, each activity its touchpoint, ``Closed`` converts."""
    rules: dict[str, Any] = {
        "columns": {"person_id": "case:concept:name", "timestamp": "time:timestamp"},
        "touchpoints": [
            {
                "touchpoint": touchpoint_id(activity),
                "when": [{"field": "concept:name", "equals": activity}],
            }
            for activities in phases.values()
            for activity in activities
        ],
        "conversion": [{"field": "concept:name", "equals": "Closed"}],
    }
    if keep:
        rules["keep"] = list(keep)
    return rules
