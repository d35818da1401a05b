"""A half-life of 0 or less is told it must be positive, and how to write one.

``attribute(..., model="time_decay", half_life=0)`` was told "the duration 0 is not positive;
give None to turn it off" (a half-life cannot be turned off) and ``--half-life -3`` that it is
no duration at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from attribution_journeys import journeys_table
from typer.testing import CliRunner

from journeymap.attribution import attribute, compare_models
from journeymap.cli.app import app
from journeymap.errors import UsageError
from journeymap.mapfile import save_map
from journeymap.model import JourneyMap, Phase, Touchpoint

PATHS = [(["ad", "mail", "web"], True, 10.0), (["mail", "web"], True, 5.0), (["ad"], False, 0)]
T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize("half_life", [0, 0.0, -3, "0", "-3", " -2.5 ", dt.timedelta(0)])
def test_python_is_told_a_half_life_must_be_positive_and_how_to_write_it(half_life: Any) -> None:
    with pytest.raises(UsageError) as error:
        attribute(journeys_table(PATHS), model="time_decay", half_life=half_life)
    message = str(error.value)
    assert message.startswith("the time-decay half-life must be positive")
    assert "e.g. half_life='7d' or half_life='12h'" in message
    assert "give None to turn it off" not in message


def test_compare_models_is_told_too() -> None:
    with pytest.raises(UsageError, match="half-life must be positive: a duration with its unit"):
        compare_models(journeys_table(PATHS), models=["time_decay"], half_life=0)


def test_a_positive_half_life_still_runs() -> None:
    result = attribute(journeys_table(PATHS), model="time_decay", half_life="12h")
    assert sum(result.table.column("conversions").to_pylist()) == pytest.approx(2.0)


@pytest.fixture
def shop(tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]) -> list[str]:
    """``journeymap attribute --map --db`` of two journeys, one converting."""
    journey_map = JourneyMap(
        id="shop",
        name="Shop",
        phases=[Phase(id="awareness", name="Awareness", order=1)],
        touchpoints=[
            Touchpoint(id=t, name=t, channel=c, phases=["awareness"])
            for t, c in (("ad", "paid"), ("mail", "email"), ("checkout", "web"))
        ],
    )
    save_map(journey_map, tmp_path / "shop.yaml")
    events = [("p1", 0, "ad", False), ("p1", 1, "checkout", True), ("p2", 0, "mail", False)]
    rows = pa.table(
        {
            "person_id": [e[0] for e in events],
            "ts": pa.array(
                [T0 + dt.timedelta(hours=e[1]) for e in events], pa.timestamp("us", "UTC")
            ),
            "touchpoint": [e[2] for e in events],
            "conversion": [e[3] for e in events],
        }
    )
    db = fill_workspace(tmp_path / "ws.duckdb", rows)
    return ["attribute", "--map", str(tmp_path / "shop.yaml"), "--db", str(db)]


@pytest.mark.parametrize("half_life", ["0", "-3"])
def test_the_command_line_is_told_in_its_own_words(
    shop: list[str], tmp_path: Path, half_life: str
) -> None:
    analyze = ["analyze", "--map", shop[2], "--db", shop[4], "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, [*analyze, "--half-life", half_life], env={"COLUMNS": "250"})
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert "the time-decay half-life must be positive" in output
    assert "e.g. --half-life 7d or --half-life 12h" in output
    assert "Traceback" not in output
