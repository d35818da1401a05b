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
