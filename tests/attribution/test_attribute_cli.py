"""``journeymap attribute`` on a small DuckDB workspace built in the test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.mapfile import save_map
from journeymap.model import JourneyMap, Phase, Touchpoint

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
# (person, hours, touchpoint, conversion, value)
EVENTS = [
    ("p1", 0, "ad", False, None),
    ("p1", 1, "mail", False, None),
    ("p1", 2, "buy", True, 100.0),
    ("p2", 0, "mail", False, None),
    ("p2", 1, "buy", True, 50.0),
    ("p3", 0, "ad", False, None),
]


@pytest.fixture
def workspace(
    tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]
) -> tuple[Path, Path]:
    journey_map = JourneyMap(
        id="shop",
        name="Shop",
        phases=[Phase(id="awareness", name="Awareness", order=1)],
        touchpoints=[
            Touchpoint(id="ad", name="Ad", channel="paid", phases=["awareness"]),
            Touchpoint(id="mail", name="Mail", channel="email", phases=["awareness"]),
            Touchpoint(id="buy", name="Buy", channel="web", phases=["awareness"]),
        ],
    )
    save_map(journey_map, tmp_path / "shop.yaml")
    rows = pa.table(
        {
            "person_id": [e[0] for e in EVENTS],
            "ts": pa.array(
                [T0 + dt.timedelta(hours=e[1]) for e in EVENTS], pa.timestamp("us", "UTC")
            ),
            "touchpoint": [e[2] for e in EVENTS],
            "conversion": [e[3] for e in EVENTS],
            "value": pa.array([e[4] for e in EVENTS], pa.float64()),
        }
    )
    db = fill_workspace(tmp_path / "ws.duckdb", rows)
    return tmp_path / "shop.yaml", db


def test_cli_attribute_prints_models_side_by_side(workspace: tuple[Path, Path]) -> None:
    map_path, db = workspace
    result = CliRunner().invoke(
        app,
        [
            "attribute",
            "--map",
            str(map_path),
            "--db",
            str(db),
            "--model",
            "first_touch",
            "--model",
            "last_touch",
            "--level",
            "channel",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "First touch" in result.output and "Last touch" in result.output
    web = next(line for line in result.output.splitlines() if "web" in line)
    assert "2.0 (100.0%)" in web  # last touch: both purchases to the web channel
    paid = next(line for line in result.output.splitlines() if "paid" in line)
    assert "1.0 (50.0%)" in paid  # first touch: p1's purchase to the paid ad


def test_cli_attribute_missing_workspace_says_how_to_fix(
    workspace: tuple[Path, Path], tmp_path: Path
) -> None:
    map_path, _ = workspace
    result = CliRunner().invoke(
        app, ["attribute", "--map", str(map_path), "--db", str(tmp_path / "none.duckdb")]
    )
    assert result.exit_code != 0
    assert "journeymap import" in result.output


def test_a_database_failure_is_a_message_not_a_traceback(
    workspace: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # No layer of `attribute` translated the drivers' errors: out of memory was a traceback.
    import duckdb

    import journeymap.attribution

    def fail(*args: object, **kwargs: object) -> None:
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to pin block")

    monkeypatch.setattr(journeymap.attribution, "compare_models", fail)
    map_path, db = workspace
    result = CliRunner().invoke(app, ["attribute", "--map", str(map_path), "--db", str(db)])
    assert result.exit_code == 1, result.output
    assert "Error: the database failed: Out of Memory Error" in result.output
    assert isinstance(result.exception, SystemExit)


def test_cli_takes_the_lead_and_decision_phases(workspace: tuple[Path, Path]) -> None:
    map_path, db = workspace
    base = ["attribute", "--map", str(map_path), "--db", str(db), "--model", "w_shaped"]
    # One phase: the first touch is also the lead touch (0.3 + 0.3 of its journey's 0.7 of
    # fixed shares: 6/7); the decision phase (default, absent) has no touch. p1: ad 6/7;
    # p2: mail 6/7 of its conversion, the rest spread: ad 42.9 %, mail 46.4 %, buy 10.7 %.
    ok = CliRunner().invoke(app, [*base, "--lead-phases", "awareness"], env={"COLUMNS": "200"})
    assert ok.exit_code == 0, ok.output
    shares = {line.split("│")[1].strip(): line.split("(")[1].split(")")[0]
              for line in ok.output.splitlines() if line.startswith("│")}  # fmt: skip
    assert shares == {"ad": "42.9%", "mail": "46.4%", "buy": "10.7%"}
    typo = CliRunner().invoke(app, [*base, "--decision-phases", "awarenes"])
    assert typo.exit_code == 2
    assert "the decision phases 'awarenes' are not phases of the map" in typo.output
