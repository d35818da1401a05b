"""An analysis names Ibis types as objects, never as text to parse.

Ibis builds its type parser on the first text it parses: 68-84 ms of every process that
analyses or attributes (at 1M generated journeys, 7-8 % of first-order Markov's compute,
``benchmarks/README.md``, stop 28). The package therefore writes ``dt.string``, never
``"string"``; a type named as text anywhere on these paths would bring the cost back.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from journeymap.analysis import analyze
from journeymap.attribution import compare_models
from local_events import local_map, random_events


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The texts Ibis is asked to parse as types while the test runs."""
    module = sys.modules["ibis.expr.datatypes.parse"]
    real = module.parse
    texts: list[str] = []

    def spy(text: str, *args: Any, **kwargs: Any) -> Any:
        texts.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(module, "parse", spy)
    yield texts


# The arrays' path, and the engine's (a breakdown keeps the journeys in Ibis).
@pytest.mark.parametrize("options", [{}, {"breakdown": ["persona"]}], ids=["local", "engine"])
def test_an_analysis_parses_no_type_names(options: dict[str, Any], parsed: list[str]) -> None:
    events = random_events(3, persons=40)
    parsed.clear()  # the test's own events may name types as text
    with analyze(local_map(), events, **options) as analysis:
        assert analysis.tables["phase_funnel"].num_rows > 0
    assert parsed == []


def test_comparing_models_parses_no_type_names(parsed: list[str]) -> None:
    from journeymap.engine.journeys import JourneyOptions, build_journeys

    journey_map = local_map()
    journeys = build_journeys(random_events(4, persons=40), journey_map, JourneyOptions())
    parsed.clear()
    table = compare_models(journeys, journey_map, level="touchpoint")
    assert table.num_rows > 0
    assert parsed == []
