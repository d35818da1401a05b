"""Journeys tables built directly in the contract's shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from journeymap.model import JourneyMap, Phase, Touchpoint

START = pd.Timestamp("2024-01-01", tz="UTC")


def journeys_table(
    paths: Sequence[tuple[Sequence[str], bool, float]],
    *,
    phases: dict[str, str] | None = None,
    days_apart: float = 1.0,
) -> ir.Table:
    """One journey per (touchpoints, converted, value); the last touch is the conversion."""
    rows: list[dict[str, Any]] = []
    for number, (touches, converted, value) in enumerate(paths):
        for k, touchpoint in enumerate(touches):
            last = k == len(touches) - 1
            rows.append(
                {
                    "journey_id": f"j{number}",
                    "person_id": f"p{number}",
                    "account_id": f"a{number % 2}",
                    "ts": START + pd.Timedelta(days=days_apart * k),
                    "touchpoint": touchpoint,
                    "phase": (phases or {}).get(touchpoint),
                    "persona": "buyer" if number % 2 else "user",
                    "conversion": bool(converted and last),
                    "value": float(value) if converted and last else None,
                    "step": k + 1,
                }
            )
    return ibis.memtable(pd.DataFrame(rows))


def map_of(phase_of: dict[str, str], channel_of: dict[str, str] | None = None) -> JourneyMap:
    """A map placing each touchpoint in its phase (phases in first-seen order), with its
    channel from ``channel_of`` (else the touchpoint's own id)."""
    phases = list(dict.fromkeys(phase_of.values()))
    return JourneyMap(
        id="m",
        name="M",
        phases=[Phase(id=p, name=p, order=i) for i, p in enumerate(phases, start=1)],
        touchpoints=[
            Touchpoint(id=t, name=t, channel=(channel_of or {}).get(t, t), phases=[p])
            for t, p in phase_of.items()
        ],
    )


def events_of(paths: Sequence[tuple[Sequence[str], bool, float | None]]) -> ir.Table:
    """The paths as raw events of one person each (a conversion closes a converting path)."""
    rows = []
    for number, (touches, converted, value) in enumerate(paths):
        for k, touchpoint in enumerate(touches):
            last = converted and k == len(touches) - 1
            rows.append(
                {
                    "person_id": f"p{number}",
                    "account_id": None,
                    "ts": pd.Timestamp("2024-01-01") + pd.Timedelta(hours=k),
                    "touchpoint": touchpoint,
                    "phase": None,
                    "persona": None,
                    "conversion": last,
                    "value": value if last else None,
                }
            )
    return ibis.memtable(pd.DataFrame(rows))


def random_events(
    seed: int,
    touchpoints: Sequence[str],
    *,
    persons: int,
    most: int,
    hours: int,
    repeats: float = 0.0,
    converting: float = 0.15,
) -> ir.Table:
    """Persons of 1 to ``most`` events within ``hours`` hours, stored in random order.

    A touch repeats the one before with chance ``repeats``, else it is any of
    ``touchpoints`` or none; a touch converts with chance ``converting``, with or without a
    value.
    """
    import random

    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for person in range(persons):
        last: str | None = rng.choice(list(touchpoints))
        for hour in sorted(rng.sample(range(hours), rng.randint(1, most))):
            touchpoint = last if rng.random() < repeats else rng.choice([*touchpoints, None])
            last = touchpoint or last
            converted = rng.random() < converting
            rows.append(
                {
                    "person_id": f"p{person}",
                    "account_id": None,
                    "hours": hour,
                    "touchpoint": touchpoint,
                    "phase": None,
                    "persona": None,
                    "conversion": converted,
                    "value": rng.choice([None, round(rng.uniform(1, 900), 2)])
                    if converted
                    else None,
                }
            )
    rng.shuffle(rows)
    table = ibis.memtable(rows)
    start = ibis.literal("2024-01-01T00:00:00").cast("timestamp")
    return table.mutate(ts=start + table.hours.cast("int64").as_interval("h")).drop("hours")
