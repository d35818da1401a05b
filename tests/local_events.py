"""Random journeys for the tests that hold each local metric to its Ibis twin.

Every event of a person lies in an hour of its own (no two share a time), so the window and
the coded grouping order them alike; the rows are stored in random order.
"""

from __future__ import annotations

import random
from typing import Any

import ibis
import ibis.expr.types as ir

from engine_events import events
from journeymap.engine._local_journeys import LocalJourneys, local_journeys
from journeymap.engine.journeys import JourneyOptions, build_journeys
from journeymap.model import JourneyMap, Phase, Touchpoint

# On the map: three phases; "outcome" is one of the map's outcome touchpoints. "stray" and
# a missing touchpoint are not on the map.
MAP_TOUCHPOINTS = ["search", "email", "social", "demo", "shop", "checkout", "declined"]
TOUCHPOINTS = [*MAP_TOUCHPOINTS, "stray"]
PERSONAS = ["buyer", "user", "ghost"]  # "ghost" is not on the map


def local_map() -> JourneyMap:
    """Three phases; touchpoints in them in turn; ``declined`` an outcome; two personas."""
    from journeymap.model import Persona

    phases = ["look", "try", "buy"]
    touchpoints = [
        Touchpoint(
            id=t,
            name=t.title(),
            phases=[phases[min(n // 2, 2)]],
            outcome=t == "declined",
        )
        for n, t in enumerate(MAP_TOUCHPOINTS)
    ]
    return JourneyMap(
        id="m",
        name="M",
        phases=[Phase(id=p, name=p.title(), order=n + 1) for n, p in enumerate(phases)],
        touchpoints=touchpoints,
        personas=[Persona(id="buyer", first_name="Bea"), Persona(id="user", first_name="Uli")],
    )


def random_rows(
    seed: int, *, persons: int = 120, most: int = 14, hours: int = 2000
) -> list[tuple[Any, ...]]:
    """(person, hour, touchpoint, conversion, account, persona, value) rows, shuffled.

    Persons of 1 to ``most`` events within ``hours`` hours; touchpoints repeat now and then,
    some are off the map or missing; personas mostly stay with their person.
    """
    rng = random.Random(seed)
    rows: list[tuple[Any, ...]] = []
    for person in range(persons):
        persona = rng.choice([*PERSONAS, None])
        last: str | None = rng.choice(TOUCHPOINTS)
        for whole_hour in sorted(rng.sample(range(hours), rng.randint(1, most))):
            hour = whole_hour + person / 1000  # no two persons' events share a time
            touchpoint = last if rng.random() < 0.2 else rng.choice([*TOUCHPOINTS, None])
            last = touchpoint or last
            converted = rng.random() < 0.12
            value = rng.choice([None, round(rng.uniform(1, 900), 2)]) if converted else None
            own = persona if rng.random() < 0.9 else rng.choice([*PERSONAS, None])
            rows.append((f"p{person}", hour, touchpoint, converted, None, own, value))
    rng.shuffle(rows)
    return rows


def random_events(seed: int, **sizes: int) -> ir.Table:
    """:func:`random_rows` as an events table; some events carry a phase of their own."""
    table = events(random_rows(seed, **sizes))
    own = ibis.ifelse(
        (table.ts.hour() % 7 == 0) & table.touchpoint.notnull(),
        ibis.literal("try"),
        ibis.null("string"),
    )
    return table.mutate(phase=own)


def journeys_of(
    seed: int, options: JourneyOptions | None = None, **sizes: int
) -> tuple[JourneyMap, ir.Table, LocalJourneys]:
    """The map, the (lazy) journeys and their local arrays, of :func:`random_events`."""
    options = options or JourneyOptions()
    journey_map = local_map()
    journeys = build_journeys(random_events(seed, **sizes), journey_map, options)
    local = local_journeys(journeys, options, ids=True)
    assert local is not None
    return journey_map, journeys, local


OPTIONS = [
    JourneyOptions(),
    JourneyOptions(after_conversion="continue"),
    JourneyOptions(session_gap="3d"),
    JourneyOptions(session_gap="3d", after_conversion="continue"),
    JourneyOptions(conversion_window="5d", ordering="strict"),
    JourneyOptions(conversion_window="5d", ordering="any"),
    JourneyOptions(conversion_window=None, collapse_repeats=False),
]
"""Options the local metrics are held to their Ibis twins under."""


def option_id(options: JourneyOptions) -> str:
    """A short test id for ``options``."""
    gap = options.session_gap.total_seconds() if options.session_gap else None
    window = options.conversion_window.total_seconds() if options.conversion_window else None
    return f"{options.after_conversion}-gap{gap}-win{window}-{options.ordering}"
