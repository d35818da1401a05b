"""The phase and touchpoint funnels counted on the local arrays equal their Ibis twins."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from engine_events import events
from journeymap.engine._local_funnel import local_funnel_counts, local_funnel_levels
from journeymap.engine._local_journeys import LocalJourneys, local_journeys
from journeymap.engine.funnel import Step, funnel_levels, phase_funnel, touchpoint_funnel
from journeymap.engine.journeys import (
    JourneyOptions,
    build_journeys,
    journey_facts,
    phase_lookup,
)
from journeymap.model import JourneyMap
from local_events import OPTIONS, journeys_of, local_map, option_id

SEEDS = [1, 2]
ALTERNATIVES = ["search", "email|social", "checkout"]
TOUCHPOINT_STEPS: list[Step] = ["search", ("email", "social"), "checkout", "shop"]
PHASE_STEPS: list[Step] = ["look", "try", "buy"]
# More steps than _FEW_STEPS: their events are found by one sort.
MANY_STEPS: list[Step] = [
    "search",
    "email",
    "social",
    "demo",
    ("shop", "stray"),
    "checkout",
    "declined",
]


def _facts(journeys: Any, journey_map: JourneyMap) -> Any:
    return journey_facts(journeys, [], sequences=True, phase_of=phase_lookup(journey_map))


def _assert_same(found: pa.Table, expected: pa.Table) -> None:
    assert found.schema == expected.schema
    assert found.to_pylist() == expected.to_pylist()


@pytest.mark.parametrize("options", OPTIONS, ids=option_id)
@pytest.mark.parametrize("seed", SEEDS)
def test_phase_funnel_equals_the_ibis_one(options: JourneyOptions, seed: int) -> None:
    journey_map, journeys, local = journeys_of(seed, options)
    expected = phase_funnel(journeys, journey_map, options, _facts(journeys, journey_map))
    _assert_same(phase_funnel(journeys, journey_map, options, local=local), expected)
    assert sum(row["reached"] for row in expected.to_pylist()) > 0


@pytest.mark.parametrize("steps", [None, ALTERNATIVES], ids=["default", "alternatives"])
@pytest.mark.parametrize("options", OPTIONS, ids=option_id)
@pytest.mark.parametrize("seed", SEEDS)
def test_touchpoint_funnel_equals_the_ibis_one(
    options: JourneyOptions, seed: int, steps: list[str] | None
) -> None:
    options = dataclasses.replace(options, funnel_touchpoints=steps)
    journey_map, journeys, local = journeys_of(seed, options)
    facts = _facts(journeys, journey_map)
    expected = touchpoint_funnel(journeys, journey_map, options, facts)
    _assert_same(touchpoint_funnel(journeys, journey_map, options, local=local), expected)
    assert expected.num_rows == (3 if steps else 7)
    assert expected["reached"].to_pylist()[1] > 0  # journeys get past step 1


def _keys(local: LocalJourneys) -> list[tuple[str, int]]:
    """Each local journey as its person and first time (µs), which name it in both paths."""
    actors = local.actors.to_pylist()
    return [(actors[a], int(m)) for a, m in zip(local.actor, local.first_micros, strict=True)]


def _ibis_levels(
    journeys: Any, column: str, steps: list[Step], options: JourneyOptions
) -> dict[tuple[str, int], int]:
    """``funnel_levels`` per journey (person, first µs); journeys it leaves out reach 0."""
    firsts = journeys.group_by("journey_id").aggregate(
        person=journeys.person_id.max(), first=journeys.ts.min()
    )
    levels = funnel_levels(journeys, column, steps, options)
    joined = firsts.left_join(levels, "journey_id").select("person", "first", "level")
    epoch = dt.datetime(1970, 1, 1)
    found = {}
    for row in joined.to_pyarrow().to_pylist():
        since = row["first"].replace(tzinfo=None) - epoch
        micros = (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds
        found[(row["person"], micros)] = row["level"] or 0
    return found


@pytest.mark.parametrize("ordering", ["ordered", "strict", "any"])
@pytest.mark.parametrize("window", ["1d", "5d", None])
@pytest.mark.parametrize(
    ("column", "steps"),
    [("touchpoint", TOUCHPOINT_STEPS), ("phase", PHASE_STEPS), ("touchpoint", MANY_STEPS)],
)
@pytest.mark.parametrize("seed", SEEDS)
def test_levels_equal_the_exact_window_funnel(
    seed: int, column: str, steps: list[Step], window: str | None, ordering: str
) -> None:
    options = JourneyOptions(conversion_window=window, ordering=ordering)
    # Denser journeys than the default: most outlast a day, a quarter five days.
    _map, journeys, local = journeys_of(seed, options, persons=300, hours=200)
    found = local_funnel_levels(local, column, steps, options)
    assert dict(zip(_keys(local), found.tolist(), strict=True)) == _ibis_levels(
        journeys, column, steps, options
    )
    unlimited = local_funnel_levels(
        local, column, steps, JourneyOptions(conversion_window=None, ordering=ordering)
    )
    if window == "1d":  # the window holds journeys back
        assert (found < unlimited).sum() >= 3
    assert len(set(found.tolist())) >= 3  # the journeys reach several levels


# One person per case, steps search -> email -> checkout, a 1-day window (hours):
HAND_ROWS = [
    ("a", 0, "search"),  # within the day: a reaches all three steps
    ("a", 1, "email"),
    ("a", 24, "checkout"),  # exactly a day after the search: still in the window
    ("b", 0, "search"),
    ("b", 1, "email"),
    ("b", 24.001, "checkout"),  # 3.6 s too late: b stops at email
    ("c", 0, "search"),
    ("c", 30, "search"),  # a later attempt: c reaches checkout from it
    ("c", 31, "email"),
    ("c", 40, "checkout", True),
    ("d", 0, "email"),  # never searched: level 0
    ("d", 1, "checkout"),
    ("e", 0, "search"),  # strict: the stray between breaks the chain at email
    ("e", 1, "email"),
    ("e", 2, "stray"),
    ("e", 3, "checkout"),
]


@pytest.mark.parametrize(
    ("ordering", "levels", "counts"),
    [
        ("ordered", [3, 2, 3, 0, 3], {(0, False): 1, (2, False): 1, (3, False): 2, (3, True): 1}),
        ("strict", [3, 2, 3, 0, 2], {(0, False): 1, (2, False): 2, (3, False): 1, (3, True): 1}),
        ("any", [3, 2, 3, 0, 3], {(0, False): 1, (2, False): 1, (3, False): 2, (3, True): 1}),
    ],
)
def test_a_hand_made_funnel(
    ordering: str, levels: list[int], counts: dict[tuple[int, bool], int]
) -> None:
    options = JourneyOptions(conversion_window="1d", ordering=ordering)
    journeys = build_journeys(events(HAND_ROWS), local_map(), options)
    local = local_journeys(journeys, options, ids=True)
    assert local is not None
    steps: list[Step] = ["search", "email", "checkout"]
    found = local_funnel_levels(local, "touchpoint", steps, options)
    persons = local.actors.take(pa.array(local.actor)).to_pylist()
    assert [dict(zip(persons, found.tolist(), strict=True))[p] for p in "abcde"] == levels
    table = local_funnel_counts(local, "touchpoint", steps, options)
    assert table.schema == pa.schema(
        [("level", pa.int64()), ("converted", pa.bool_()), ("journeys", pa.int64())]
    )
    assert {(r["level"], r["converted"]): r["journeys"] for r in table.to_pylist()} == counts
