"""A reference to an unknown id suggests the ids it may mean, short forms included.

Mette wrote ``persona: mette`` for the persona ``mette-hansen`` and got only the list of known
ids: a short form is as common as a typo, so ids that start with or contain the text are
offered too, besides near misses.
"""

from __future__ import annotations

from typing import Any

import pytest

from journeymap.errors import MapValidationError
from journeymap.model import JourneyMap, suggestion
from journeymap.model.mapping import MappingRules


def _map(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "sofa",
        "name": "Familien Hansen køber en sofa",
        "phases": [
            {"id": "awareness", "name": "Opmærksomhed"},
            {"id": "consideration", "name": "Overvejelse"},
            {"id": "purchase", "name": "Køb"},
        ],
        "personas": [
            {"id": "mette-hansen", "first_name": "Mette"},
            {"id": "lars-hansen", "first_name": "Lars"},
        ],
        "touchpoints": [
            {"id": "search-ads", "name": "Søgeannoncer", "phases": ["awareness"]},
            {"id": "social-ads", "name": "Sociale annoncer", "phases": ["awareness"]},
            {"id": "showroom", "name": "Showroom", "phases": ["consideration", "purchase"]},
        ],
        "cells": [{"phase": "purchase"}],
    }
    data["cells"][0].update(changes)
    return data


def _message(data: dict[str, Any]) -> str:
    with pytest.raises(MapValidationError) as caught:
        JourneyMap.model_validate(data)
    (issue,) = caught.value.issues
    return issue.message


def test_a_short_form_of_a_persona_id_is_pointed_to_the_full_id() -> None:
    message = _message(_map(persona="mette"))
    assert message == (
        "cell #1 refers to persona 'mette', which the map does not define (did you mean "
        "'mette-hansen'?); add the persona or fix the id"
    )


def test_a_part_shared_by_several_ids_offers_each_of_them() -> None:
    assert "(did you mean 'lars-hansen' or 'mette-hansen'?)" in _message(_map(persona="hansen"))
    assert "(did you mean 'search-ads' or 'social-ads'?)" in _message(_map(touchpoint="ads"))


def test_a_phase_abbreviation_and_a_typo_both_find_the_phase() -> None:
    assert "(did you mean 'consideration'?)" in _message(_map(phase="consid"))
    assert "(did you mean 'consideration'?)" in _message(_map(phase="considerashun"))
    assert "(did you mean 'showroom'?)" in _message(_map(touchpoint="Showroom-visit"))
    assert "(did you mean 'showroom'?)" in _message(_map(touchpoint="showroom-visit-2025"))


def test_an_unrelated_id_still_gets_the_known_ids() -> None:
    assert "(known: lars-hansen, mette-hansen)" in _message(_map(persona="oskar"))
    # one or two letters are in too many ids to mean any of them
    assert "(known: awareness, consideration, purchase)" in _message(_map(phase="e"))


def test_suggestion_in_danish(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYMAP_LANG", "da")
    assert suggestion("mette", ["mette-hansen", "mette-jensen", "lars"]) == (
        "mente du 'mette-hansen' eller 'mette-jensen'?"
    )


def test_mapping_rules_get_the_same_suggestions() -> None:
    rules = MappingRules.model_validate(
        {
            "columns": {"person_id": "user", "timestamp": "ts"},
            "touchpoints": [{"touchpoint": "showroom-besog"}, {"touchpoint": "ads"}],
        }
    )
    issues = rules.issues_against_map({"showroom", "search-ads", "social-ads"}, set())
    assert "(did you mean 'showroom'?)" in issues[0].message
    assert "(did you mean 'search-ads' or 'social-ads'?)" in issues[1].message


def test_a_duplicate_built_without_a_file_names_the_path_of_the_first() -> None:
    data = _map()
    data["touchpoints"].append({"id": "search-ads", "name": "Again", "phases": ["awareness"]})
    assert _message(data) == (
        "touchpoint id 'search-ads' is used more than once (first defined at "
        "touchpoints.0.id); give each touchpoint its own id"
    )
