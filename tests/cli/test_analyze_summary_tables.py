"""``journeymap analyze`` prints the figures a reader acts on, as the report does.

The terminal showed no conversion rate per touchpoint (the first number GA4 and PostHog show),
nor checkout abandonment, the slowest steps, the loops or the variants' reach; it printed 5
of 10,422 journeys as "0,0 %" where the report said "< 0,1 %"; and a persona of the map was
cut from the breakdown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
from typer.testing import CliRunner

from journeymap.cli.app import app, console
from journeymap.mapfile import save_map
from journeymap.model import JourneyMap

T0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
LOOP = [(0, "form"), (1, "call"), (2, "call"), (3, "call"), (4, "validate"), (52, "offer")]


def _map() -> JourneyMap:
    return JourneyMap.model_validate(
        {
            "id": "loan",
            "name": "Loan",
            "phases": [
                {"id": "apply", "name": "Apply", "order": 1},
                {"id": "check", "name": "Check", "order": 2},
                {"id": "contract", "name": "Contract", "order": 3},
            ],
            "personas": [{"id": "emil", "first_name": "Emil", "last_name": "Berg"}],
            "touchpoints": [
                {"id": "form", "name": "Application form", "phases": ["apply"]},
                {"id": "call", "name": "Call", "phases": ["check"]},
                {"id": "validate", "name": "Validation", "phases": ["check"]},
                {"id": "offer", "name": "Offer", "phases": ["contract"]},
                {"id": "sign", "name": "Signed", "phases": ["contract"]},
            ],
        }
    )


def _rows() -> list[tuple[str, int, str, bool, str | None]]:
    """(person, hours, touchpoint, conversion, persona).

    3 journeys loop at the call, wait two days for the offer and sign (converted); 2 do the
    same and never sign (abandoned at the offer); 1 stops after one call; 2,300 fill in the
    form only. Personas: eleven job codes of 200 journeys each, then Emil's 106.
    """
    rows: list[tuple[str, int, str, bool, str | None]] = []
    for index in range(5):
        steps = [*LOOP, (53, "sign")] if index < 3 else LOOP
        rows += [(f"loop{index}", h, tp, tp == "sign", "emil") for h, tp in steps]
    rows += [("once", 0, "form", False, "emil"), ("once", 1, "call", False, "emil")]
    jobs = [f"job-{number:02d}" for number in range(11)]
    for index in range(2300):
        persona = jobs[index // 200] if index < 2200 else "emil"
        rows.append((f"form{index}", 0, "form", False, persona))
    return rows


def _analyze(tmp_path: Path, fill: Callable[[Path, pa.Table], Path], *options: str) -> str:
    rows = _rows()
    # The console took its width from COLUMNS when first imported, maybe by another test: wide
    # enough that no header wraps.
    width = console.width
    console.width = 250
    db = fill(
        tmp_path / "ws.duckdb",
        pa.table(
            {
                "person_id": [r[0] for r in rows],
                "ts": pa.array(
                    [T0 + dt.timedelta(hours=r[1]) for r in rows], pa.timestamp("us", "UTC")
                ),
                "touchpoint": [r[2] for r in rows],
                "conversion": [r[3] for r in rows],
                "persona": [r[4] for r in rows],
            }
        ),
    )
    save_map(_map(), tmp_path / "loan.yaml")
    args = ["analyze", "--map", str(tmp_path / "loan.yaml"), "--db", str(db)]
    args += ["--out", str(tmp_path / "out"), "--no-attribution", *options]
    try:
        result = CliRunner().invoke(app, args, env={"COLUMNS": "250", "JOURNEYMAP_LANG": "en"})
    finally:
        console.width = width
    assert result.exit_code == 0, result.output
    return result.output


def _table_rows(output: str, title: str) -> list[list[str]]:
    """The rows of the table printed under ``title``, cells stripped (header row first)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("└"):
            break
        if line[:1] in "┃│":
            rows.append([cell.strip() for cell in re.split(r"[┃│]", line)[1:-1]])
    return rows


def test_analyze_prints_the_conversion_rate_per_touchpoint_and_the_process_figures(
    tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    output = _analyze(tmp_path, fill_workspace, "--checkout", "offer")
    rates = _table_rows(output, "Conversion rate per touchpoint")
    assert rates[0] == [
        "Touchpoint",
        "Conversion rate",
        "Journeys",
        "Converted",
        "Ended here without converting",
        "First seen",
        "Last seen",
    ]
    by_touchpoint = {row[0]: row[1:] for row in rates[1:]}
    # Touchpoint ids, as the terminal's other tables and the options name them.
    assert by_touchpoint["form"] == ["0.1%", "2,306", "3", "99.7%", "3/1/24", "3/1/24"]
    assert by_touchpoint["call"] == ["50.0%", "6", "3", "17%", "3/1/24", "3/1/24"]
    assert by_touchpoint["offer"] == ["60.0%", "5", "3", "40%", "3/3/24", "3/3/24"]
    assert ["Check", "", "", "", "", "", ""] in rates  # the phases as group rows
    assert _table_rows(output, "Checkout abandonment")[1] == ["offer", "5", "3", "2", "40.0%"]
    steps = _table_rows(output, "Slowest steps")
    assert steps[1] == ["validate → offer", "5", "2.0 days", "10.0 days"]
    assert _table_rows(output, "Touchpoints met more than once")[1] == [
        "call",
        "6",
        "5",
        "83%",
        "2.7",  # 16 calls in 6 journeys
    ]
    assert (
        "Variants: The 4 most frequent variants (touchpoint sequences) cover 2,306 of 2,306 "
        "journeys (100%); the journeys follow 4 variants in all." in output
    )


def test_shares_never_round_to_none_and_map_personas_stay_in_the_breakdown(
    tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    output = _analyze(tmp_path, fill_workspace, "--breakdown", "persona")
    drops = {row[1]: row for row in _table_rows(output, "Top drop-offs")[1:]}
    # 1 of the 2,303 journeys that did not convert ended at the call: not "0.0%".
    assert drops["call"][2:] == ["1", "< 0.1%"]
    assert drops["form"][3] == "99.9%"  # 2,300 of 2,303
    breakdown = {row[0]: row for row in _table_rows(output, "Phase funnel by persona")[1:]}
    # Emil's 106 journeys are fewer than any job code's 200: shown all the same.
    assert "Emil Berg" in breakdown and breakdown["Emil Berg"][-2:] == ["3", "2.8%"]
    assert len([name for name in breakdown if name.startswith("job-")]) == 10
    assert "1 other value is not shown (200 journeys in Apply)." in output
