"""``journeymap import`` with ``events_per_row``: the quarantine limit, ``--json``, engines.

A CRM export with a date column per sales step makes several events per row; a date that
cannot be read quarantines that step's event alone. ``--max-quarantined`` counted only rows
refused whole, so a night whose export broke every demo date went green.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.ingest import Workspace

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

CRM = (
    "customer,first_contact_date,demo_date,contract_date,contract_value\n"
    "c1,2024-01-05,2024-01-20,2024-02-01,1200\n"
    "c2,2024-01-07,,,\n"
    "c3,2024-01-09,next week,2024-03-01,800\n"  # the demo's event alone is quarantined
    "c4,,,,\n"  # no entry holds: the row is quarantined whole
    "c5,2024-01-11,2024-01-11,,\n"
    "c1,2024-01-05,2024-01-20,2024-02-01,1200\n"  # an exact copy of row 1: quarantined whole
)
RULES = """\
columns: {person_id: customer, timestamp: first_contact_date}
events_per_row:
  - {touchpoint: first-contact, timestamp: first_contact_date}
  - {touchpoint: demo, timestamp: demo_date}
  - touchpoint: contract
    timestamp: contract_date
    conversion: true
    value: contract_value
    when: [{field: contract_value, greater_than: 0}]
"""
MAP = """\
id: crm
name: B2B sales
phases: [{id: awareness, name: Awareness}, {id: decision, name: Decision}]
touchpoints:
  - {id: first-contact, name: First contact, phases: [awareness]}
  - {id: demo, name: Demo, phases: [awareness]}
  - {id: contract, name: Contract, phases: [decision]}
"""
# 6 rows read: 4 made 9 events (8 stored, 1 quarantined), 2 were quarantined whole; a share
# is of the 2 rows and 9 events: 3 of 11.


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "crm.yaml").write_text(MAP, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    (tmp_path / "crm.csv").write_text(CRM, encoding="utf-8")
    return tmp_path


def run_import(folder: Path, *options: str, where: list[str] | None = None) -> tuple[int, str]:
    """Import the CRM export; the exit code and the output (stdout, then stderr) in one line."""
    args = ["import", str(folder / "crm.csv"), "--map", str(folder / "crm.yaml")]
    args += ["--rules", str(folder / "rules.yaml")]
    args += where if where is not None else ["--db", str(folder / "ws.duckdb")]
    result = CliRunner().invoke(app, [*args, *options], env={"JOURNEYMAP_LANG": "en"})
    return result.exit_code, " ".join((result.stdout + result.stderr).split())


@pytest.mark.parametrize(("limit", "fails"), [("2", True), ("3", False), ("25%", True)])
def test_max_quarantined_counts_the_events_quarantined_alone(
    files: Path, limit: str, fails: bool
) -> None:
    code, output = run_import(files, "--max-quarantined", limit)
    assert code == (1 if fails else 0), output
    if fails:
        assert (
            "Error: 3 of 11 rows and events were quarantined (27.3%; rows refused whole: 2, "
            f"events alone: 1), more than --max-quarantined {limit} allows. The import is "
            "stored all the same; the rows and events and their reasons: journeymap "
            f"quarantine --db {files / 'ws.duckdb'} --source crm.csv"
        ) in output
    else:
        assert "Error" not in output


def test_the_json_carries_rows_with_events_and_events_quarantined(files: Path) -> None:
    code, output = run_import(files, "--json", "--quiet", "--max-quarantined", "30%")
    assert code == 0
    report = json.loads(output)
    assert (report["rows_read"], report["rows_with_events"], report["rows_imported"]) == (6, 4, 8)
    assert report["quarantined"] == {
        "exact duplicate": 1,
        "no entry of events_per_row matched": 1,
    }
    assert report["rows_quarantined"] == 2
    assert report["events_quarantined"] == {"unparseable timestamp": 1}
    assert report["rows_events_quarantined"] == 1
    assert report["max_quarantined"] == {
        "limit": "30%",
        "quarantined": 3,
        "rows_read": 6,
        "exceeded": False,
        "events_quarantined": 1,
        "rows_and_events": 11,
    }


def test_the_help_says_events_count_too() -> None:
    result = CliRunner().invoke(
        app, ["import", "--help"], env={"JOURNEYMAP_LANG": "en", "COLUMNS": "300"}
    )
    assert (
        "With events_per_row, events quarantined alone count too, and a share is of the rows "
        "and events (a row that made events counts as its events)."
    ) in " ".join(result.output.replace("│", " ").split())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ws.sqlite'}"
    else:
        yield f"postgresql://postgres@127.0.0.1:5432/{request.getfixturevalue('database')}"


def test_import_again_and_replace_on_another_engine(files: Path, engine: str) -> None:
    where = ["--engine", engine]
    first = json.loads(run_import(files, "--json", where=where)[1])
    assert (first["rows_imported"], first["rows_events_quarantined"]) == (8, 1)
    again = json.loads(run_import(files, "--json", where=where)[1])
    assert (again["rows_imported"], again["rows_already_imported"]) == (0, 6)
    # The contract's value no longer counts: its event is made on every row with a date.
    (files / "rules.yaml").write_text(
        RULES.replace("    when: [{field: contract_value, greater_than: 0}]\n", ""),
        encoding="utf-8",
    )
    replaced = json.loads(run_import(files, "--json", "--replace", where=where)[1])
    assert (replaced["rows_replaced"], replaced["rows_imported"]) == (5, 8)
    assert replaced["rows_mapped_differently"] == 0  # the same events, other rules
    with Workspace(engine) as workspace:
        assert int(workspace.events().count().execute()) == 8
        logged = workspace.imports().order_by("imported_at").to_pyarrow().to_pylist()
    assert [(row["rows_imported"], row["events_quarantined"]) for row in logged] == [
        (8, 1),
        (0, 0),
        (8, 1),
    ]
