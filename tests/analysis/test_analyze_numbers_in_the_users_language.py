"""``journeymap analyze`` writes its numbers as the user's language does.

Found analysing BPI Challenge 2012 with ``JOURNEYMAP_LANG=de``: the headline read ``Journeys:
13,087`` and ``Conversion-Rate: 17.2%``, the funnel ``13087`` and ``43.7%``, while the breakdown
table below it read ``13.087`` and ``17,2 %``; a German reader takes ``13,087`` for thirteen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.mapfile import save_map
from journeymap.model import JourneyMap

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

T0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)


def _events(journeys: int) -> pa.Table:
    """Every journey sees the ad; every third reads reviews and buys."""
    people, times, touchpoints, conversions, personas = [], [], [], [], []
    for i in range(journeys):
        steps = ["ad", "reviews", "buy"] if i % 3 == 0 else ["ad"]
        for hour, touchpoint in enumerate(steps):
            personas.append("planner" if i % 2 else "impulse")
            people.append(f"p{i}")
            times.append(T0 + dt.timedelta(hours=hour))
            touchpoints.append(touchpoint)
            conversions.append(touchpoint == "buy")
    return pa.table(
        {
            "person_id": people,
            "ts": pa.array(times, pa.timestamp("us", "UTC")),
            "touchpoint": touchpoints,
            "conversion": conversions,
            "persona": personas,
        }
    )


@pytest.fixture
def analyze_in(
    tmp_path: Path, shop_map: JourneyMap, fill_workspace: Callable[[Path, pa.Table], Path]
) -> Callable[[str], str]:
    db = fill_workspace(tmp_path / "ws.duckdb", _events(1_500))
    save_map(shop_map, tmp_path / "shop.yaml")

    def run(language: str, *more: str) -> str:
        args = ["analyze", "--map", str(tmp_path / "shop.yaml"), "--db", str(db)]
        args += ["--out", str(tmp_path / "out"), "--no-attribution", *more]
        env = {"COLUMNS": "200", "JOURNEYMAP_LANG": language}
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
        return result.output.replace("\xa0", " ")

    return run


def _funnel_row(output: str, phase: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith(f"│ {phase} "))
    return [cell.strip() for cell in line.strip("│").split("│")]


def test_german_numbers(analyze_in: Callable[[str], str]) -> None:
    output = analyze_in("de")
    assert "Journeys: 1.500   Conversions: 500   Conversion-Rate: 33,3 %" in output
    # The tables group their counts as the headline does (the breakdown tables always did).
    assert _funnel_row(output, "Awareness") == ["Awareness", "1.500", "500", "500", "66,7 %"]
    drops = next(line for line in output.splitlines() if "│ ad " in line and "Awareness" in line)
    assert "1.000" in drops and "100,0 %" in drops


def test_english_numbers_are_grouped_in_the_tables_too(analyze_in: Callable[[str], str]) -> None:
    output = analyze_in("en")
    assert "Journeys: 1,500   Conversions: 500   Conversion rate: 33.3%" in output
    assert _funnel_row(output, "Awareness") == ["Awareness", "1,500", "500", "500", "66.7%"]


def test_the_breakdown_table_speaks_the_users_language_not_the_maps(
    analyze_in: Callable[[str], str],
) -> None:
    """The map is English; a German user's breakdown table was English in German output."""
    output = analyze_in("de", "--breakdown", "persona")
    # A console narrower than COLUMNS (rich reads it once per process) may wrap the first
    # column: "Alle" over "Journeys".
    assert "Phasen-Funnel nach" in output and "Phase funnel by" not in output
    row = next(line for line in output.splitlines() if line.startswith("│ Alle "))
    assert "1.500" in row
    assert not any(line.startswith("│ All ") for line in output.splitlines())
