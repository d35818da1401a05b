"""Maps and analyses for the render tests: the bundled example, a big generated map, events."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
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
                rows.append(
                    dict(
                        person_id=person,
                        account_id=None,
                        ts=ts,
                        touchpoint=tp.id,
                        phase=phase.id,
                        persona=persona,
                        conversion=False,
                        value=None,
                        source="test",
                    )
                )
            if rng.random() < 0.3:
                break
        else:
            rows[-1]["conversion"] = True
            rows[-1]["value"] = 100.0
    rows.append(
        dict(
            person_id="stray",
            account_id=None,
            ts=start,
            touchpoint="fax_machine",
            phase=None,
            persona=None,
            conversion=False,
            value=None,
            source="test",
        )
    )
    return pa.Table.from_pylist(rows)


@pytest.fixture(scope="session")
def example_map() -> JourneyMap:
    return load_map(example_path("payment-provider"))


@pytest.fixture(scope="session")
def example_analysis(example_map: JourneyMap) -> Analysis:
    return analyze(example_map, random_events(example_map, 400))


LONG = (
    "A deliberately long sentence that has to wrap over several lines of its box so the lane "
    "grows instead of overlapping the next one, with Überlänge-Wörter-ohne-Leerzeichen-dazwischen"
)


def big_map_dict(language: str = "en") -> dict[str, Any]:
    """5 phases, 20 touchpoints, 5 personas, cells with long texts in every lane."""
    phases = [{"id": f"ph{i}", "name": f"Phase {i} of the journey", "order": i} for i in range(5)]
    roles = ["initiator", "user", "influencer", "decider", "buyer"]
    personas = [
        {
            "id": f"pe{i}",
            "first_name": f"Persona{i}",
            "last_name": "Example",
            "role": roles[i],
            "joins_at": f"ph{i}",
            "goals": ["Save time"],
            "quote": "We need this.",
        }
        for i in range(5)
    ]
    touchpoints = [
        {
            "id": f"tp{i:02d}",
            "name": f"Touchpoint {i:02d} with a rather long channel name",
            "mode": "online" if i % 2 else "offline",
            "influence": "direct" if i % 3 else "indirect",
            "phases": [f"ph{i % 5}"],
            "order": {f"ph{i % 5}": 20 - i},
        }
        for i in range(20)
    ]
    cells: list[dict[str, Any]] = []
    for p in range(5):
        cells.append(
            {
                "phase": f"ph{p}",
                **{
                    lane: [LONG, f"short {lane} {p}"]
                    for lane in (
                        "actions",
                        "goals",
                        "questions",
                        "needs",
                        "information_needs",
                        "pain_points",
                        "opportunities",
                    )
                },
                "kpis": [{"name": LONG, "target": 12, "unit": "%"}],
            }
        )
        for q in range(5):
            cells.append(
                {"phase": f"ph{p}", "persona": f"pe{q}", "emotion": {"score": ((p + q) % 5) - 2}}
            )
    return {
        "id": "big",
        "name": "Big map",
        "language": language,
        "phases": phases,
        "personas": personas,
        "touchpoints": touchpoints,
        "cells": cells,
    }


@pytest.fixture(scope="session")
def big_map() -> JourneyMap:
    return JourneyMap.model_validate(big_map_dict())


def with_attribution(analysis: Analysis) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    """The analysis as a (tables, summary) pair, with a small attribution table if it has none."""
    tables = dict(analysis.tables)
    if "attribution" not in tables:
        stats = [r for r in tables["touchpoint_stats"].to_pylist() if r["on_map"]]
        total = sum(r["conversions"] for r in stats) or 1
        rows = []
        for model, power in (("last_touch", 1.0), ("markov", 0.5)):
            weights = {r["touchpoint"]: (r["conversions"] or 0) ** power for r in stats}
            norm = sum(weights.values()) or 1.0
            rows.extend(
                {
                    "model": model,
                    "level": "touchpoint",
                    "key": tp,
                    "conversions": w / norm * total,
                    "value": None,
                    "share": w / norm,
                }
                for tp, w in weights.items()
            )
        tables["attribution"] = pa.Table.from_pylist(rows)
    return tables, dict(analysis.summary)


@pytest.fixture(scope="session")
def example_measured(example_analysis: Analysis) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    return with_attribution(example_analysis)


@pytest.fixture(scope="session")
def big_analysis(big_map: JourneyMap) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    return with_attribution(analyze(big_map, random_events(big_map, 300, seed=11)))


@pytest.fixture(scope="session")
def example_breakdown_analysis(example_map: JourneyMap) -> Analysis:
    return analyze(example_map, random_events(example_map, 200), breakdown=["persona"])


ATTRIBUTION_MODELS = (
    "first_touch",
    "full_path",
    "inverse_j",
    "j_shaped",
    "last_non_direct",
    "last_touch",
    "linear",
    "markov",
    "participation",
    "position_based",
    "shapley",
    "time_decay",
    "w_shaped",
)


@pytest.fixture(scope="session")
def every_model_attribution(
    example_map: JourneyMap,
) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    """Only an attribution table: the 13 models of `journeymap attribute` on every touchpoint."""
    rows = [
        {
            "model": model,
            "level": "touchpoint",
            "key": tp.id,
            "conversions": float((m + t) % 7 + 1),
            "value": None,
            "share": ((m + t) % 7 + 1) / 40,
        }
        for m, model in enumerate(ATTRIBUTION_MODELS)
        for t, tp in enumerate(example_map.touchpoints)
    ]
    return {"attribution": pa.Table.from_pylist(rows)}, {"map_id": example_map.id}


def _user_test_map_dict(language: str = "en") -> dict[str, Any]:
    """The shop of the CX manager's user test: labelled emotions, cells scoped to touchpoints.

    Four phases (loyalty comes after the purchase, which ends a journey), two touchpoints in
    awareness (``tt-2`` also in consideration), three personas.
    """
    phases = ["awareness", "consideration", "purchase", "loyalty"]
    return {
        "id": "user-test",
        "name": "User test shop",
        "language": language,
        "phases": [
            {"id": phase, "name": phase.capitalize(), "order": index}
            for index, phase in enumerate(phases, 1)
        ],
        "personas": [
            {"id": "nils", "first_name": "Nils", "last_name": "Newcomer"},
            {"id": "rita", "first_name": "Rita", "last_name": "Regular"},
            {"id": "bo", "first_name": "Bo", "last_name": "Bargain"},
        ],
        "touchpoints": [
            {"id": "tt-1", "name": "Search ad", "phases": ["awareness"]},
            {"id": "tt-2", "name": "Product pages", "phases": ["awareness", "consideration"]},
            {"id": "checkout", "name": "Checkout", "phases": ["purchase"]},
        ],
        "cells": [
            {
                "phase": "awareness",
                "touchpoint": "tt-2",
                "needs": ["Prices"],
                "pain_points": ["Slow"],
            },
            {"phase": "awareness", "persona": "nils", "touchpoint": "tt-2", "needs": ["Trust"]},
            {"phase": "awareness", "needs": ["Inspiration"]},
            {"phase": "awareness", "persona": "rita", "needs": ["Speed"]},
            # Three personas with one score in one phase: their labels must not overlap.
            {"phase": "purchase", "persona": "nils", "emotion": {"score": -2, "label": "annoyed"}},
            {"phase": "purchase", "persona": "rita", "emotion": {"score": -2, "label": "angry"}},
            {
                "phase": "purchase",
                "persona": "bo",
                "emotion": {"score": -2, "label": "relieved but still a little unsure about it"},
            },
            {"phase": "awareness", "persona": "nils", "emotion": {"score": 1, "label": "curious"}},
            {"phase": "consideration", "persona": "nils", "emotion": {"score": 0}},
        ],
    }


@pytest.fixture
def user_test_map_dict() -> Callable[[str], dict[str, Any]]:
    """The user test's map as a fresh dict in a language, to change before validating it."""
    return _user_test_map_dict


@pytest.fixture(scope="session")
def user_test_map() -> JourneyMap:
    return JourneyMap.model_validate(_user_test_map_dict())


@pytest.fixture(scope="session")
def user_test_measured() -> tuple[dict[str, pa.Table], dict[str, Any]]:
    """The user test's figures (tables and summary), see :func:`_user_test_analysis`."""
    return _user_test_analysis()


def _user_test_analysis() -> tuple[dict[str, pa.Table], dict[str, Any]]:
    """The user test's figures: 23 of 11,064 (0.2 %) stop in awareness, nobody reaches loyalty.

    12,000 journeys, 936 of which never reached awareness; 1,264 convert in purchase. The
    ``dropoff`` table counts the last touchpoint of the 10,736 journeys that did not convert.
    """
    funnel = [
        ("awareness", 1, 11064, 11041, 0, 23),
        ("consideration", 2, 11041, 1764, 0, 9277),
        ("purchase", 3, 1764, 0, 1264, 500),
        ("loyalty", 4, 0, 0, 0, 0),
    ]
    phase_funnel = [
        {
            "phase": phase,
            "phase_name": phase.capitalize(),
            "step": step,
            "reached": reached,
            "moved_on": moved_on,
            "converted": converted,
            "dropped": dropped,
            "reach_rate": reached / 11064,
            "step_rate": None,
            "dropoff_rate": dropped / reached if reached else 0.0,
        }
        for phase, step, reached, moved_on, converted, dropped in funnel
    ]
    ends = [
        ("consideration", "tt-2", 10390),
        ("awareness", "tt-1", 300),
        ("purchase", "checkout", 46),
    ]
    dropoff = [
        {"last_phase": phase, "last_touchpoint": tp, "journeys": count, "share": count / 10736}
        for phase, tp, count in ends
    ]
    touched = {"tt-1": 6000, "tt-2": 11500, "checkout": 1764}
    stats = [
        {
            "touchpoint": tp,
            "on_map": True,
            "events": journeys * 2,
            "journeys": journeys,
            "persons": journeys,
            "conversions": 1264 if tp == "checkout" else 0,
        }
        for tp, journeys in touched.items()
    ]
    correlation = [
        {
            "touchpoint": tp,
            "journeys_with": 100,
            "converted_with": 10,
            "journeys_without": 100,
            "converted_without": 10,
            "odds_ratio": ratio,
            "ci_low": ratio / 2,
            "ci_high": ratio * 2,
            "direction": "positive" if ratio > 1 else "negative",
        }
        for tp, ratio in (("checkout", 4.0), ("tt-1", 0.5))
    ]
    tables = {
        "phase_funnel": pa.Table.from_pylist(phase_funnel),
        "dropoff": pa.Table.from_pylist(dropoff),
        "touchpoint_stats": pa.Table.from_pylist(stats),
        "correlation": pa.Table.from_pylist(correlation),
    }
    summary = {"journeys": 12000, "conversions": 1264, "conversion_rate": 1264 / 12000}
    return tables, summary
