"""JourneyOptions: values read as a user writes them, mistakes refused before any query."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from journeymap.analysis import analyze
from journeymap.engine.journeys import RESERVED_NAMES, JourneyOptions
from journeymap.errors import UsageError
from journeymap.model import JourneyMap


def test_numbers_and_yes_no_given_as_text_are_read() -> None:
    options = JourneyOptions(
        top_paths="5",  # type: ignore[arg-type]
        sankey_steps=" 3 ",  # type: ignore[arg-type]
        collapse_repeats="no",  # type: ignore[arg-type]
        correlation_prior="0.5",  # type: ignore[arg-type]
    )
    assert (options.top_paths, options.sankey_steps, options.collapse_repeats) == (5, 3, False)
    assert options.correlation_prior == 0.5


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"top_paths": -1}, "top_paths=-1 must be a whole number of at least 0"),
        ({"top_variants": "ten"}, "top_variants='ten' must be a whole number of at least 0"),
        ({"sankey_steps": 0}, "sankey_steps=0 must be a whole number of at least 1"),
        ({"sankey_steps": 2.5}, "sankey_steps=2.5 must be a whole number of at least 1"),
        ({"collapse_repeats": "maybe"}, "maybe"),
        ({"correlation_prior": -1}, "correlation_prior=-1.0 must be 0 or more"),
        ({"confidence": "high"}, "confidence='high' is not a number"),
    ],
)
def test_values_that_would_fail_in_the_database_are_refused(
    values: dict[str, object], message: str
) -> None:
    """Before, top_paths=-1 was a Binder Error, '10' a subquery error, a prior of -1 NaN."""
    with pytest.raises(UsageError, match=message):
        JourneyOptions(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["converted", "n", "step", "journey_id", "_actor", "reached"])
def test_a_breakdown_by_a_name_of_journeymaps_own_columns_is_refused(name: str) -> None:
    """Before: a database error, an internal TypeError, or (``_actor``) the person instead."""
    assert name in RESERVED_NAMES or name.startswith("_")
    with pytest.raises(UsageError, match=f"cannot break down by '{name}': journeymap's own"):
        JourneyOptions(breakdown=[name])


def test_an_empty_breakdown_value_is_no_value(shop_map: JourneyMap) -> None:
    """A CSV file's empty field and a JSON Lines file's missing key break down alike."""
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    rows = [("p1", "ad", ""), ("p1", "checkout", "cpc"), ("p2", "ad", None), ("p2", "blog", "")]
    events = pa.table(
        {
            "person_id": [r[0] for r in rows],
            "account_id": pa.array([None] * 4, pa.string()),
            "ts": pa.array([start + dt.timedelta(hours=i) for i in range(4)]),
            "touchpoint": [r[1] for r in rows],
            "phase": pa.array([None] * 4, pa.string()),
            "persona": pa.array([None] * 4, pa.string()),
            "conversion": [False] * 4,
            "value": pa.array([None] * 4, pa.float64()),
            "medium": [r[2] for r in rows],
        }
    )
    with analyze(shop_map, events, breakdown=["medium"], attribution=False) as analysis:
        funnel = analysis.table("phase_funnel").to_pylist()
    first = {row["medium"]: row["reached"] for row in funnel if row["step"] == 1}
    assert first == {"cpc": 1, None: 1}  # p1's first value is cpc; p2 has none
