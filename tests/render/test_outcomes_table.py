"""The report's and ``analyze``'s table of journeys per outcome (``outcomes``).

A CX manager reads "7,635 declined, 2,807 cancelled, 2,246 approved" off it (BPIC 2012, in
tests/datasets/test_bpic_outcomes.py); here three hand-made journeys.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from journeymap.analysis import analyze
from journeymap.model import JourneyMap, Phase, Touchpoint
from journeymap.render.context import figure_tables
from journeymap.render.measured import measured_from

pytestmark = pytest.mark.filterwarnings(
    r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"
)


def _map(declared: bool) -> JourneyMap:
    return JourneyMap(
        id="deals",
        name="Deals",
        phases=[Phase(id="sale", name="Sale", order=1)],
        touchpoints=[
            Touchpoint(id="call", name="Call", phases=["sale"]),
            Touchpoint(id="won", name="Won", phases=["sale"], outcome=declared),
            Touchpoint(id="lost", name="Lost", phases=["sale"], outcome=declared),
        ],
    )


def _events() -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "person_id": ["a", "a", "b", "b", "c"],
            "ts": pd.to_datetime(
                ["2024-05-01", "2024-05-02", "2024-05-01", "2024-05-03", "2024-05-01"], utc=True
            ),
            "touchpoint": ["call", "won", "call", "lost", "call"],
            "conversion": [False, True, False, False, False],
            "source": "crm",
        }
    ).assign(account_id=None, phase=None, persona=None, value=None)


def _tables(declared: bool, language: str) -> dict[str, dict]:  # type: ignore[type-arg]
    journey_map = _map(declared)
    with analyze(journey_map, _events(), attribution=False) as analysis:
        found = figure_tables(journey_map, measured_from(analysis), language)
    return {table["id"]: table for table in found}


def test_the_journeys_per_outcome_are_a_table_of_their_own() -> None:
    table = _tables(True, "en")["outcomes"]
    assert table["title"] == "Journeys by outcome"
    assert [c["label"] for c in table["columns"]] == ["Outcome", "Journeys", "Share", "Reached"]
    assert [[row["header"], *row["cells"]] for row in table["rows"]] == [
        ["Won", "1", "33%", "1"],
        ["Lost", "1", "33%", "1"],
        ["(no outcome)", "1", "33%", "1"],
    ]
    danish = _tables(True, "da")["outcomes"]
    assert danish["title"] == "Rejser efter udfald"
    assert danish["rows"][-1]["header"] == "(intet udfald)"


def test_a_map_without_outcomes_has_no_such_table() -> None:
    assert "outcomes" not in _tables(False, "en")


@pytest.mark.parametrize("declared", [True, False])
def test_analyze_says_the_exit_is_the_last_touchpoint_before_an_outcome(declared: bool) -> None:
    from journeymap.cli.analyze_cmd import print_summary
    from journeymap.cli.app import console

    saved = console._width
    console.width = 200
    try:
        with (
            analyze(_map(declared), _events(), attribution=False) as analysis,
            console.capture() as captured,
        ):
            print_summary(analysis)
    finally:
        console._width = saved
    text = re.sub(r"\s+", " ", captured.get())
    before_outcome = "by the last touchpoint they met before an outcome (exit touchpoint)"
    assert (before_outcome in text) is declared
    assert ("by the touchpoint they touched last (exit touchpoint)" in text) is not declared
