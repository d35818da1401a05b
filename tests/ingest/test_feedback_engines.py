"""Feedback in a SQLite or PostgreSQL workspace (``--engine URL``) gives what DuckDB gives.

Import, show, importing again (nothing stored twice), the quarantine listing and a fixed
quarantine imported again, each on SQLite and on the PostgreSQL server on 127.0.0.1:5432 (in
a database of its own per test, dropped afterwards: the ``database`` fixture).
"""

from __future__ import annotations

import csv
import json
import random
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app, console
from journeymap.examples import example_path
from journeymap.ingest.feedback import read_feedback
from journeymap.ingest.workspace import Workspace

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

MAP = str(example_path("industrial-machinery"))


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"JOURNEYMAP_LANG": "en"})
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables one row per line: rich reads the terminal's width once per process."""
    monkeypatch.setattr(console, "_width", 250)


@pytest.fixture
def url(sql_engine_url: str) -> str:
    """A new workspace on SQLite and PostgreSQL (tests/conftest.py)."""
    return sql_engine_url


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    """200 answers on 1..5 by persona and touchpoint, half with a time; 4 rows rejected."""
    rng = random.Random(5)
    lines = ["respondent,touchpoint,persona,score,submitted_at"]
    for index in range(200):
        touchpoint, persona = rng.choice(
            [("quote", "frank"), ("quote", "nadine"), ("service-hotline", "nadine"),
             ("webinar", ""), ("Field sales visit", "ulrich")]
        )  # fmt: skip
        when = f"2024-05-{index % 28 + 1:02d} 09:{index % 60:02d}:00" if index % 2 else ""
        lines.append(f"r{index},{touchpoint},{persona},{rng.randint(1, 5)},{when}")
    lines[11] = "r10,qoute,frank,2,"
    lines[21] = "r20,quote,frnak,4,"
    lines[31] = "r30,quote,frank,n/a,"
    lines[41] = "r40,webinar,,4,last tuesday"
    path = tmp_path / "survey.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _show(*where: str) -> dict[str, tuple[int, float]]:
    code, output = invoke("feedback", "show", "--map", MAP, *where, "--json")
    assert code == 0, output
    rows = json.loads(output)["rows"]
    return {f"{r['level']}/{r['name']}": (r["n"], round(r["mean"], 9)) for r in rows}


def test_import_show_again_and_the_quarantine_as_on_duckdb(
    url: str, survey: Path, tmp_path: Path
) -> None:
    args = ("feedback", "import", str(survey), "--map", MAP, "--scale", "csat")
    code, output = invoke(*args, "--engine", url)
    assert code == 0, output
    assert "Imported 196 of 200 feedback rows from survey.csv" in output
    duckdb = str(tmp_path / "same.duckdb")
    assert invoke(*args, "--db", duckdb)[0] == 0
    shown = _show("--engine", url)
    assert shown == _show("--db", duckdb)
    assert shown["persona_touchpoint/Frank Möller · Quote"][0] == 28
    with Workspace(url, read_only=True) as workspace:
        stored = read_feedback(workspace, "industrial-machinery")
    assert stored.num_rows == 196
    assert stored.column("ts").null_count == 96  # 100 answers without a time, 4 rejected
    # Importing again stores nothing twice; --replace imports the file once more.
    code, output = invoke(*args, "--engine", url)
    assert "Imported 0 of 200" in output
    assert "Rows imported before and not stored again: 200." in output
    code, output = invoke(*args, "--engine", url, "--replace")
    assert "Answers of an earlier import replaced: 196." in output
    assert _show("--engine", url) == shown
    code, output = invoke("feedback", "quarantine", "--engine", url)
    assert code == 0, output
    assert "Quarantined feedback rows: 4" in output
    for found in (
        "unknown touchpoint 'qoute'; did you mean 'quote'?",
        "unknown persona 'frnak'; did you mean 'frank'?",
        "unparseable score 'n/a'",
        "unparseable timestamp 'last tuesday'",
    ):
        assert found in output
    code, output = invoke("feedback", "quarantine", "--engine", url, "--reason", "unknown persona")
    assert "The quarantined row" in output and "│  21 │" in output


def test_a_fixed_quarantine_takes_the_rows_places(url: str, survey: Path, tmp_path: Path) -> None:
    args = ("--map", MAP, "--scale", "csat", "--engine", url)
    assert invoke("feedback", "import", str(survey), *args)[0] == 0
    fix = tmp_path / "fix.csv"
    code, output = invoke("feedback", "quarantine", "--engine", url, "--csv", str(fix))
    assert "Wrote 4 rows to" in output
    with fix.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    fixes = {"qoute": "quote", "frnak": "frank", "n/a": "3", "last tuesday": "2024-05-21"}
    for row in rows:
        for column in ("touchpoint", "persona", "score", "submitted_at"):
            row[column] = fixes.get(row[column], row[column])
    with fix.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, output = invoke("feedback", "import", str(fix), *args)
    assert code == 0, output
    assert "Quarantined rows fixed and imported: 4." in output
    code, output = invoke("feedback", "quarantine", "--engine", url)
    assert "No quarantined rows." in output
    assert "Imported 0 of 200" in invoke("feedback", "import", str(survey), *args)[1]
    assert "Imported 0 of 4" in invoke("feedback", "import", str(fix), *args)[1]
    with Workspace(url, read_only=True) as workspace:
        stored = read_feedback(workspace, "industrial-machinery").to_pylist()
    assert len(stored) == 200
    fixed = next(row for row in stored if row["row_number"] == 41)  # its time was "last tuesday"
    assert fixed["source"] == "survey.csv"
    assert fixed["ts"].isoformat() == "2024-05-21T00:00:00+00:00"


@pytest.mark.postgres
def test_two_imports_at_once_into_a_new_postgres_workspace_store_each_answer_once(
    database: str, survey: Path
) -> None:
    from journeymap.services.feedback import import_feedback_file

    address = f"postgresql://postgres@127.0.0.1:5432/{database}"
    with Workspace(address):  # the events' tables; the feedback tables are made in the race
        pass
    reports: list[int] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            report = import_feedback_file(survey, MAP, engine=address, scale="csat")
            reports.append(report.rows_imported)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert sorted(reports) == [0, 196]
    with Workspace(address, read_only=True) as workspace:
        assert read_feedback(workspace, "industrial-machinery").num_rows == 196
