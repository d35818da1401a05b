"""Small explicit maps shared by the map-file tests."""

from __future__ import annotations

import pytest

from journeymap.model import (
    KPI,
    ColumnMapping,
    Condition,
    Emotion,
    EvidenceSource,
    JourneyMap,
    MappingRules,
    Persona,
    Phase,
    StageCell,
    Touchpoint,
    TouchpointRule,
)


def full_map() -> JourneyMap:
    """A map that uses every section, with non-ASCII text and a multi-line description."""
    return JourneyMap(
        id="fashion",
        name="Saras sommerfest-outfit",
        description="Sara looks for an outfit.\nShe finds it on Instagram.",
        language="da",
        kind="b2c",
        status="researched",
        tags=["b2c", "mode"],
        phases=[
            Phase(id="awareness", name="Opmærksomhed", order=1),
            Phase(id="purchase", name="Køb", order=2, description="Checkout"),
        ],
        personas=[
            Persona(
                id="sara",
                first_name="Sara",
                last_name="Jensen",
                age=29,
                role="decider",
                joins_at="awareness",
                goals=["look good"],
            )
        ],
        touchpoints=[
            Touchpoint(
                id="social-ads",
                name="Sociale annoncer",
                channel="paid-social",
                phases=["awareness"],
                order={"awareness": 1},
            ),
            Touchpoint(
                id="checkout",
                name="Checkout",
                influence="direct",
                mode="online",
                phases=["purchase"],
            ),
            Touchpoint(id="reviews", name="Anmeldelser", influence="indirect", phases=["purchase"]),
        ],
        cells=[
            StageCell(
                phase="awareness",
                persona="sara",
                actions=["sees an ad"],
                emotion=Emotion(score=1.5, label="curious"),
                kpis=[KPI(name="CTR", target=2.0, unit="%")],
            ),
            StageCell(phase="purchase", touchpoint="checkout", pain_points=["no size guide"]),
        ],
        evidence=[EvidenceSource(id="crm", name="CRM export", origin="internal", backs=["sara"])],
        mapping=MappingRules(
            columns=ColumnMapping(person_id="user", timestamp="time"),
            conversion=[Condition(field="event", equals="order")],
            touchpoints=[
                TouchpointRule(
                    touchpoint="social-ads", when=[Condition(field="src", in_=["ig", "fb"])]
                ),
                TouchpointRule(touchpoint_from="page"),
            ],
        ),
    )


SMALL_MAP_YAML = """\
# The demo map: keep this comment
id: demo
name: Demo  # shown as the title
phases:
  - id: awareness   # first phase
    name: Awareness
    order: 1
  - id: decision
    name: Decision
    order: 2
touchpoints:
  # the ads come first
  - id: search-ads
    name: Search ads
    phases: [awareness]
  - id: checkout
    name: Checkout
    phases:
      - decision
"""


@pytest.fixture
def small_map_yaml() -> str:
    """A small commented YAML map."""
    return SMALL_MAP_YAML


@pytest.fixture
def example_map() -> JourneyMap:
    """A map that uses every section."""
    return full_map()
