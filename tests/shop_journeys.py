"""Events of the shop map's journeys (``shop_map`` in tests/conftest.py) for comparisons.

Each of ``people`` journeys meets ``first``, reviews and checkout an hour apart; the first
``buyers`` then buy (a conversion worth ``value``). Two months of them, with other first
touches and other buyers, make the before and after of ``journeymap compare``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa

T0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)


def shop_events(
    people: int,
    buyers: int,
    first: str = "ad",
    *,
    prefix: str = "p",
    value: float | None = None,
) -> pa.Table:
    """The events contract's columns for the journeys above (person ids ``prefix`` + n)."""
    rows: list[tuple[str, dt.datetime, str, bool, float | None]] = []
    for index in range(people):
        person = f"{prefix}{index}"
        start = T0 + dt.timedelta(minutes=index)
        for hours, touchpoint in enumerate((first, "reviews", "checkout")):
            rows.append((person, start + dt.timedelta(hours=hours), touchpoint, False, None))
        if index < buyers:
            rows.append((person, start + dt.timedelta(hours=3), "buy", True, value))
    return pa.table(
        {
            "person_id": [row[0] for row in rows],
            "account_id": pa.nulls(len(rows), pa.string()),
            "ts": pa.array([row[1] for row in rows], pa.timestamp("us", "UTC")),
            "touchpoint": [row[2] for row in rows],
            "phase": pa.nulls(len(rows), pa.string()),
            "persona": pa.nulls(len(rows), pa.string()),
            "conversion": [row[3] for row in rows],
            "value": pa.array([row[4] for row in rows], pa.float64()),
            "source": ["test"] * len(rows),
        }
    )


def two_months(journey_map: Any, folder: Path) -> tuple[Path, Path]:
    """Two saved analyses to compare, ``folder``/march and ``folder``/april.

    Last month 400 journeys by the blog, 20 % bought; this month by the ad, 30 %.
    """
    from journeymap.analysis import analyze

    before = analyze(journey_map, shop_events(400, 80, "blog")).save(folder / "march")
    after = analyze(journey_map, shop_events(400, 120, "ad")).save(folder / "april")
    return before, after
