"""The help desk log (Polato, 2017; 4TU.ResearchData) with a funnel step "any of" two touchpoints.

A ticket is taken in charge, or parked to wait, before it is resolved: one step
``take-in-charge|wait`` on the command line. The expected counts walk the raw XES in plain
Python (``test_helpdesk``'s reading of the log), with each alternative renamed to its step.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_helpdesk import ENV, MAP_YAML, RULES_YAML, _raw_log, _reached
from typer.testing import CliRunner

from journeymap.cli.app import app

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

STEPS = "assign-seriousness, take-in-charge|wait, resolve-ticket, closed"


def test_a_step_of_two_touchpoints_matches_the_raw_log(datasets: Path, tmp_path: Path) -> None:
    log = datasets / "helpdesk" / "helpdesk.xes.gz"
    map_path, rules_path = tmp_path / "helpdesk.yaml", tmp_path / "helpdesk.rules.yaml"
    map_path.write_text(MAP_YAML, encoding="utf-8")
    rules_path.write_text(RULES_YAML, encoding="utf-8")
    db, out = tmp_path / "ws.duckdb", tmp_path / "out"
    runner = CliRunner()
    imported = runner.invoke(
        app,
        ["import", str(log), "--map", str(map_path), "--rules", str(rules_path), "--db", str(db)],
        env=ENV,
    )
    assert imported.exit_code == 0, imported.output
    analyze = ["analyze", "--map", str(map_path), "--db", str(db), "--out", str(out)]
    analyzed = runner.invoke(app, [*analyze, "--funnel-step", STEPS, "--no-attribution"], env=ENV)
    assert analyzed.exit_code == 0, analyzed.output
    funnel = json.loads((out / "analysis.json").read_text(encoding="utf-8"))["tables"][
        "touchpoint_funnel"
    ]

    raw = _raw_log(log)
    step = {"take-in-charge": "either", "wait": "either"}
    renamed = [[(stamp, step.get(tp, tp)) for stamp, tp in journey] for journey in raw.journeys]
    expected = _reached(renamed, ["assign-seriousness", "either", "resolve-ticket", "closed"])
    assert [row["reached"] for row in funnel] == expected
    # Waiting tickets count too: more than take-in-charge alone reaches.
    alone = _reached(raw.journeys, ["assign-seriousness", "take-in-charge"])
    assert expected[1] > alone[1]
    assert [row["touchpoint"] for row in funnel][1] == "take-in-charge|wait"
    # The map is German: "oder".
    assert funnel[1]["touchpoint_name"] == "Ticket übernehmen oder Warten"
    assert funnel[1]["phase"] == "bearbeitung"

    wrong = "assign-seriousness,take-in-charge|wiat"
    typo = runner.invoke(app, [*analyze, "--funnel-step", wrong], env=ENV)
    assert typo.exit_code == 2
    assert (
        "'wiat' in the funnel step 'take-in-charge|wiat' is not a touchpoint of the map; did you "
        "mean 'wait'?"
    ) in typo.output
    assert "Traceback" not in typo.output


def test_the_help_says_how_to_write_alternatives() -> None:
    shown = CliRunner().invoke(app, ["analyze", "--help"], env={**ENV, "COLUMNS": "300"})
    assert "a|b is one step reached by either touchpoint" in shown.output
