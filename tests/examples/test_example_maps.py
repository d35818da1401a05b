"""The bundled example maps are complete, valid and faithful to the seed stories."""

from __future__ import annotations

import pytest

from journeymap.errors import UsageError
from journeymap.examples import EXAMPLES, example_path, list_examples
from journeymap.mapfile import load_map
from journeymap.model import CATALOG, JourneyMap


def _load(name: str) -> JourneyMap:
    return load_map(example_path(name))


def test_four_examples_are_bundled() -> None:
    assert [name for name, _ in list_examples()] == [
        "payment-provider",
        "fashion-webshop",
        "online-yoga",
        "industrial-machinery",
    ]
    assert all(example_path(name).is_file() for name in EXAMPLES)


def test_unknown_example_names_the_known_ones() -> None:
    with pytest.raises(UsageError, match="payment-provider, fashion-webshop, online-yoga"):
        example_path("bike-shop")


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_example_has_no_errors_and_no_warnings(name: str) -> None:
    journey_map = _load(name)
    assert journey_map.id == name
    assert journey_map.issues() == []
    assert journey_map.status == "researched"


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_phase_has_touchpoints_and_cells(name: str) -> None:
    journey_map = _load(name)
    for phase in journey_map.phases:
        assert journey_map.touchpoints_in(phase.id), phase.id
        assert journey_map.cells_for(phase.id), phase.id
        [cell] = journey_map.cells_for(phase.id)
        assert cell.actions and cell.goals and cell.questions and cell.pain_points, phase.id
        assert cell.opportunities and cell.kpis and cell.emotion is not None, phase.id


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_persona_has_an_emotion_curve(name: str) -> None:
    journey_map = _load(name)
    assert journey_map.personas
    for persona in journey_map.personas:
        curve = journey_map.emotion_curve(persona.id)
        assert len(curve) == len(journey_map.phases)
        assert all(score is not None for _, score in curve), persona.id


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_evidence_is_internal_and_external(name: str) -> None:
    origins = {source.origin for source in _load(name).evidence}
    assert origins == {"internal", "external"}


def test_b2b_example_has_a_buying_center_joining_at_several_phases() -> None:
    journey_map = _load("payment-provider")
    assert journey_map.kind == "b2b"
    assert [p.id for p in journey_map.ordered_phases()] == [
        "awareness",
        "consideration",
        "decision",
        "retention",
        "advocacy",
    ]
    personas = journey_map.personas
    assert len(personas) >= 3
    assert len({persona.joins_at for persona in personas}) >= 2
    roles = {persona.role for persona in personas}
    assert {"decider", "gatekeeper", "buyer", "influencer"} <= roles
    for persona in personas:
        assert persona.age and persona.income and persona.company and persona.industry
        assert persona.employees and persona.budget and persona.goals and persona.frustrations


def test_b2b_example_uses_all_sixteen_catalog_touchpoints_of_the_seeds() -> None:
    journey_map = _load("payment-provider")
    catalog_ids = {tp.catalog for tp in journey_map.touchpoints if tp.catalog}
    assert catalog_ids == set(list(CATALOG)[:16])  # the seeds' list; industrial B2B follows
    for touchpoint in journey_map.touchpoints:
        if touchpoint.catalog:
            assert touchpoint.id == touchpoint.catalog
            assert touchpoint.mode == CATALOG[touchpoint.catalog].mode


def test_b2b_emotion_curve_dips_at_integration() -> None:
    curve = dict(_load("payment-provider").emotion_curve("jonas"))
    assert curve["retention"] is not None and curve["retention"] < 0
    assert curve["advocacy"] == 2


@pytest.mark.parametrize(
    ("name", "critical"), [("fashion-webshop", "size-guide"), ("online-yoga", "video-samples")]
)
def test_b2c_examples_mark_their_critical_touchpoint(name: str, critical: str) -> None:
    journey_map = _load(name)
    assert journey_map.kind == "b2c"
    phase = journey_map.first_phase_of(critical)
    assert phase == "consideration"
    [cell] = journey_map.cells_for("consideration")
    assert any("Without the" in pain for pain in cell.pain_points)


def test_online_yoga_uses_the_classic4_phases() -> None:
    phases = [p.id for p in _load("online-yoga").ordered_phases()]
    assert phases == ["attention", "consideration", "decision", "evaluation"]
