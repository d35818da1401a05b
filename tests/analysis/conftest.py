"""A small shop map and its events for the analysis tests."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

# (person, account, hours, touchpoint, conversion, persona, value, country)
EVENTS = [
    ("p1", "acme", 0, "ad", False, "anna", None, "DK"),
    ("p1", "acme", 1, "reviews", False, "anna", None, "DK"),
    ("p1", "acme", 2, "checkout", False, "anna", None, "DK"),
    ("p1", "acme", 3, "buy", True, "anna", 120.0, "DK"),
    ("p2", "acme", 0, "ad", False, "bob", None, "DK"),
    ("p2", "acme", 1, "checkout", False, "bob", None, "DK"),
    ("p3", None, 0, "blog", False, "anna", None, "DE"),
    ("p3", None, 2, "reviews", False, "anna", None, "DE"),
    ("p4", None, 0, "ad", False, "bob", None, "DE"),
    ("p4", None, 5, "checkout", False, "bob", None, "DE"),
    ("p4", None, 6, "buy", True, "bob", 80.0, "DE"),
]


@pytest.fixture
def shop_events() -> pa.Table:
    """The events above as an Arrow table in the events contract's columns."""
    return pa.table(
        {
            "person_id": [e[0] for e in EVENTS],
            "account_id": [e[1] for e in EVENTS],
            "ts": pa.array(
                [T0 + dt.timedelta(hours=e[2]) for e in EVENTS], pa.timestamp("us", "UTC")
            ),
            "touchpoint": [e[3] for e in EVENTS],
            "phase": pa.array([None] * len(EVENTS), pa.string()),
            "persona": [e[5] for e in EVENTS],
            "conversion": [e[4] for e in EVENTS],
            "value": pa.array([e[6] for e in EVENTS], pa.float64()),
            "source": ["test"] * len(EVENTS),
            "country": [e[7] for e in EVENTS],
        }
    )
