"""A map built in Python with a wrong value raises journeymap's own error.

``help(JourneyMap)`` promised MapValidationError, but a wrong type, choice or id raised
pydantic's ValidationError, which ``except JourneymapError`` does not catch
(``Persona(id="65+")``, an age band of Complete Journey).
"""

from __future__ import annotations

import pytest

from journeymap.errors import JourneymapError, MapValidationError, RulesValidationError
from journeymap.model import JourneyMap, Persona, Phase, Touchpoint
from journeymap.model.mapping import Condition


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: Persona(id="65+", first_name="Grete"), "'65+' is not a valid id"),
        (lambda: Phase(id="a", name="A", order="first"), "order should be a whole number"),
        (lambda: Touchpoint(id="t", name="T", mode="onlin"), "did you mean 'online'?"),
        (lambda: JourneyMap(id="m", name="M", language="fr"), "'en', 'da' or 'de'"),
    ],
)
def test_a_wrong_value_is_a_map_validation_error(build: object, words: str) -> None:
    with pytest.raises(MapValidationError) as raised:
        build()  # type: ignore[operator]
    assert isinstance(raised.value, JourneymapError)
    assert words in str(raised.value)


def test_nested_items_are_named_as_the_author_counts_them() -> None:
    with pytest.raises(MapValidationError) as raised:
        JourneyMap(id="m", name="M", phases=[{"id": "a", "name": "A"}, {"id": "x y", "name": "X"}])
    (issue,) = raised.value.issues
    assert issue.path == ("phases", 1, "id")  # the API's path counts from 0
    assert "phases[2].id: 'x y' is not a valid id" in str(raised.value)
    assert "(at phases.2.id)" in str(raised.value)


def test_a_wrong_assignment_is_a_map_validation_error() -> None:
    phase = Phase(id="a", name="A", order=1)
    with pytest.raises(MapValidationError, match="order should be a whole number"):
        phase.order = "x"  # type: ignore[assignment]
    assert phase.order == 1


def test_wrong_rules_are_a_rules_validation_error() -> None:
    with pytest.raises(RulesValidationError, match="does not compile"):
        Condition(field="utm_source", regex="(")
