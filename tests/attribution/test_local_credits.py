"""The heuristic models counted locally on the coded segments equal the engine's credits."""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pyarrow as pa
import pytest
from attribution_journeys import map_of, random_events

from journeymap.attribution import compare_models, from_paths
from journeymap.attribution._aggregate import keyed
from journeymap.attribution._coded_segments import coded_segments, path_touches
from journeymap.attribution._local_credits import LocalTouches, local_credits
from journeymap.attribution.heuristic import HEURISTICS, credits
from journeymap.engine._coded_journeys import coded_journeys
from journeymap.engine.journeys import JourneyOptions, build_journeys

PHASES = {
    "search": "awareness",
    "social": "awareness",
    "review": "consideration",
    "email": "consideration",
    "demo": "decision",
    "direct": "decision",
}
CHANNELS = {"search": "paid", "social": "paid", "review": "earned", "email": "owned"}


def _events(seed: int) -> ibis.Table:
    """Persons of up to 14 events over days, with missing touchpoints and conversions."""
    return random_events(seed, list(PHASES), persons=120, most=14, hours=2000, converting=0.2)


def _credits(table: Any) -> dict[tuple[str, str], tuple[float, float]]:
    return {(r["model"], r["key"]): (r["conversions"], r["value"]) for r in table.to_pylist()}


@pytest.mark.parametrize("level", ["touchpoint", "channel"])
@pytest.mark.parametrize("after", ["end", "continue"])
def test_local_credits_equal_the_engines(level: str, after: str) -> None:
    journey_map = map_of(PHASES, CHANNELS)
    journeys = build_journeys(_events(3), journey_map, JourneyOptions(after_conversion=after))
    params: dict[str, Any] = {
        "custom_weights": (0.5, 0.3, 0.2),
        "u_weights": (0.3, 0.4, 0.3),
        "half_life": "2d",
        "direct_touchpoints": "direct",
    }
    local = _credits(
        compare_models(journeys, journey_map, level=level, models=list(HEURISTICS), **params)
    )
    # A lookback of ten years cuts nothing off, but the engine cuts the segments and counts.
    engine = _credits(
        compare_models(
            journeys, journey_map, level=level, models=list(HEURISTICS), lookback="3650d", **params
        )
    )
    assert local.keys() == engine.keys()
    assert {model for model, _key in local} == set(HEURISTICS)
    for name, (conversions, value) in engine.items():
        assert local[name][0] == pytest.approx(conversions, rel=1e-12, abs=1e-9), name
        assert local[name][1] == pytest.approx(value, rel=1e-12, abs=1e-9), name


def _shuffled(touches: LocalTouches, seed: int) -> LocalTouches:
    """The same segments in another order, as the engine may return the journeys."""
    order = np.random.default_rng(seed).permutation(len(touches.lengths))
    starts = np.cumsum(touches.lengths) - touches.lengths
    moved = np.concatenate(
        [np.arange(starts[s], starts[s] + touches.lengths[s]) for s in order.tolist()]
    )
    return LocalTouches(
        touches.touchpoints,
        touches.phases,
        touches.code[moved],
        touches.lengths[order],
        touches.age_s[moved],
        touches.value[order],
    )


def test_local_credits_do_not_depend_on_the_order_of_the_segments() -> None:
    # Float sums in another order differ in their last bits; the credits must not, so that two
    # analyses of the same events write the same numbers.
    journey_map = map_of(PHASES, CHANNELS)
    journeys = build_journeys(_events(9), journey_map, JourneyOptions())
    coded = coded_journeys(journeys, converting_only=True)
    assert coded is not None
    segments = coded_segments(coded)
    assert segments is not None and segments.local is not None
    options = {"custom_weights": (0.5, 0.3, 0.2), "half_life_seconds": 2 * 86400.0}
    first = local_credits(segments.local, list(HEURISTICS), str, **options)
    for seed in range(5):
        again = local_credits(_shuffled(segments.local, seed), list(HEURISTICS), str, **options)
        assert again == first


def test_the_groups_numbered_by_count_by_sort_or_as_rows_give_the_same_credits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The touches' groups are numbered by a count per possible group where few are possible,
    # else by sorting one number per touch, else (too many for one number) by sorting rows.
    from journeymap.attribution import _local_credits

    journey_map = map_of(PHASES, CHANNELS)
    coded = coded_journeys(build_journeys(_events(5), journey_map), converting_only=True)
    assert coded is not None
    segments = coded_segments(coded)
    assert segments is not None and segments.local is not None
    options = {"custom_weights": (0.5, 0.3, 0.2)}
    counted = local_credits(segments.local, list(HEURISTICS), str, **options)
    monkeypatch.setattr(_local_credits, "_DENSE", 1)
    assert local_credits(segments.local, list(HEURISTICS), str, **options) == counted
    rows, number = _local_credits._distinct_rows([np.array([2**40, 0, 2**40]), np.array([3, 1, 3])])
    assert [row.tolist() for row in rows] == [[0, 2**40], [1, 3]]
    assert number.tolist() == [1, 0, 1]
    huge = np.array([2**62, 1, 2**62], dtype=np.int64)
    rows, number = _local_credits._distinct_rows([huge, np.array([5, 9, 4])])
    assert [row.tolist() for row in rows] == [[1, 2**62, 2**62], [9, 4, 5]]
    assert number.tolist() == [2, 0, 1]


def test_path_data_are_credited_locally_as_the_engine_credits_them() -> None:
    # Each path stands for its converting journeys (its weight); its value is theirs in all.
    rng = np.random.default_rng(3)
    names = list(PHASES)
    rows = [
        (
            " > ".join(rng.choice(names, size=int(rng.integers(1, 7)))),
            int(rng.integers(0, 9)),
            int(rng.integers(0, 9)),
            float(round(rng.uniform(0, 900), 2)),
        )
        for _ in range(300)
    ]
    table = pa.table(
        {
            "path": [r[0] for r in rows],
            "total_conversions": [r[1] for r in rows],
            "total_null": [r[2] for r in rows],
            "total_conversion_value": [r[3] for r in rows],
        }
    )
    journey_map = map_of(PHASES, CHANNELS)
    models = [m for m in HEURISTICS if m != "time_decay"]
    options: dict[str, Any] = {"custom_weights": (0.5, 0.3, 0.2), "direct": ("direct",)}
    with from_paths(table, journey_map) as paths:
        touches = path_touches(paths.segments, paths.phase_of)
        assert touches is not None and touches.weight is not None
        local = local_credits(touches, models, str, **options)
        keyed_table = keyed(paths.segments, lambda t: t.touchpoint)
        engine = credits(keyed_table, models, **options)
    assert local.keys() == engine.keys()
    for model, by_key in engine.items():
        assert local[model].keys() == by_key.keys()
        for key, (conversions, value) in by_key.items():
            assert local[model][key][0] == pytest.approx(conversions, rel=1e-12), (model, key)
            assert local[model][key][1] == pytest.approx(value, rel=1e-12, abs=1e-9), (model, key)


def test_participation_past_62_keys_equals_the_engines() -> None:
    # Up to 62 keys a segment's keys are the bits of one number; past them, pairs of segment
    # and key are counted instead.
    names = [f"t{n:02d}" for n in range(70)]
    journey_map = map_of(dict.fromkeys(names, "all"))
    events = random_events(4, names, persons=150, most=12, hours=500, converting=0.25)
    journeys = build_journeys(events, journey_map, JourneyOptions())
    local = _credits(compare_models(journeys, journey_map, models=["participation"]))
    engine = _credits(
        compare_models(journeys, journey_map, models=["participation"], lookback="3650d")
    )
    assert local.keys() == engine.keys() and len(local) > 62
    for name, (conversions, value) in engine.items():
        assert local[name][0] == pytest.approx(conversions, rel=1e-12), name
        assert local[name][1] == pytest.approx(value, rel=1e-12, abs=1e-9), name
