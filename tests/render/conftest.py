"""Maps and analyses for the render tests: the bundled example, a big generated map, events."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pyarrow as pa
import pytest

from journeymap.analysis import Analysis, analyze
from journeymap.examples import example_path
from journeymap.mapfile import load_map
from journeymap.model import JourneyMap


def random_events(journey_map: JourneyMap, journeys: int, seed: int = 3) -> pa.Table:
    """Journeys that walk the map's phases in order, drop off at random and sometimes convert."""
    rng = random.Random(seed)
    phases = journey_map.ordered_phases()
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    rows: list[dict[str, Any]] = []
    for index in range(journeys):
        ts = start + dt.timedelta(hours=rng.randint(0, 2000))
        person = f"p{index}"
        persona = rng.choice(journey_map.personas).id if journey_map.personas else None
        for phase in phases:
            touchpoints = journey_map.touchpoints_in(phase.id)
            for tp in rng.sample(touchpoints, k=min(len(touchpoints), rng.randint(1, 2))):
                ts += dt.timedelta(hours=rng.randint(1, 72))
                rows.append(dict(person_id=person, account_id=None, ts=ts, touchpoint=tp.id,
                                 phase=phase.id, persona=persona, conversion=False, value=None,
                                 source="test"))
            if rng.random() < 0.3:
                break
        else:
            rows[-1]["conversion"] = True
            rows[-1]["value"] = 100.0
    rows.append(dict(person_id="stray", account_id=None, ts=start, touchpoint="fax_machine",
                     phase=None, persona=None, conversion=False, value=None, source="test"))
    return pa.Table.from_pylist(rows)


@pytest.fixture(scope="session")
def example_map() -> JourneyMap:
    return load_map(example_path("payment-provider"))


@pytest.fixture(scope="session")
def example_analysis(example_map: JourneyMap) -> Analysis:
    return analyze(example_map, random_events(example_map, 400))
