"""``journeymap feedback quarantine``: rejected answers listed, written out, fixed, imported."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app, console
from journeymap.examples import example_path

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

MAP = str(example_path("fashion-webshop"))


def invoke(*args: str, language: str = "en") -> tuple[int, str]:
    result = CliRunner().invoke(
        app, list(args), env={"JOURNEYMAP_LANG": language}, terminal_width=200
    )
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables one row per line: rich reads the terminal's width once per process."""
    monkeypatch.setattr(console, "_width", 250)


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    """300 CSAT answers, 14 of them rejected: 11 unknown touchpoints, 2 n/a, 1 score of 7."""
    rng = random.Random(11)
    lines = ["respondent_id,touchpoint,csat,comment"]
    for index in range(300):
        touchpoint = rng.choice(["checkout", "size-guide", "newsletter"])
        lines.append(f"r{index},{touchpoint},{rng.randint(1, 5)},fine")
    for row in range(20, 240, 20):  # 11 rows: a typo the survey tool made for weeks
        lines[row] = f"r{row - 1},chekout,2,slow"
    lines[250] = "r249,checkout,n/a,skipped"
    lines[260] = "r259,size-guide,n/a,"
    lines[270] = "r269,newsletter,7,too many mails"
    path = tmp_path / "survey.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def db(survey: Path, tmp_path: Path) -> str:
    workspace = str(tmp_path / "ws.duckdb")
    code, output = invoke("feedback", "import", str(survey), "--map", MAP, "--db", workspace)
    assert code == 0, output
    assert "Imported 286 of 300 feedback rows" in output
    assert "... and 4 more" in output  # the import shows 10 of the 14
    return workspace


def test_lists_the_counts_per_reason_then_every_row_as_read(db: str) -> None:
    code, output = invoke("feedback", "quarantine", "--db", db, "--limit", "20")
    assert code == 0, output
    assert "Quarantined feedback rows: 14" in output
    counts = [line.split("│")[1:4] for line in output.splitlines() if "survey.csv" in line][:3]
    assert [[cell.strip() for cell in row] for row in counts] == [
        ["survey.csv", "unknown touchpoint", "11"],
        ["survey.csv", "unparseable score", "2"],
        ["survey.csv", "score outside the scale", "1"],
    ]
    assert "The 14 quarantined rows" in output
    assert "unknown touchpoint 'chekout'; did you mean 'checkout'?" in output
    assert "score outside the scale '7'" in output
    # The row numbers are those of the file, the rows as the file had them.
    assert "│ 270 │" in output
    assert '{"respondent_id": "r269", "touchpoint": "newsletter", "csat": "7", "comment": "too' in (
        output
    )


def test_reason_and_limit_select_and_a_translated_reason_names_the_same(db: str) -> None:
    code, output = invoke("feedback", "quarantine", "--db", db, "--reason", "unparseable score")
    assert code == 0, output
    assert "Quarantined feedback rows: 2" in output
    assert "The 2 quarantined rows" in output
    assert "chekout" not in output
    code, output = invoke("feedback", "quarantine", "--db", db, "--limit", "3")
    assert "The first 3 of 14 rows" in output
    assert output.count("did you mean 'checkout'?") == 3
    # The reason as the German table shows it selects the same rows.
    code, output = invoke(
        "feedback", "quarantine", "--db", db, "--reason", "Wert nicht lesbar", language="de"
    )
    assert code == 0, output
    assert output.count("'n/a'") == 2
    assert "chekout" not in output
    # A reason journeymap gives but no row has: a clean import, not a mistake.
    code, output = invoke("feedback", "quarantine", "--db", db, "--reason", "unknown persona")
    assert code == 0, output
    assert "No quarantined rows." in output


def test_a_mistyped_reason_or_source_is_named_with_the_one_meant(db: str) -> None:
    code, output = invoke("feedback", "quarantine", "--db", db, "--reason", "unknwn touchpoint")
    assert code == 2
    assert "Error: --reason 'unknwn touchpoint' names no quarantine reason; did you mean " in (
        output
    )
    assert "'unknown touchpoint'?" in output
    assert "Traceback" not in output
    code, output = invoke("feedback", "quarantine", "--db", db, "--source", "surveys.csv")
    assert code == 2
    assert "did you mean 'survey.csv'?" in output


def test_a_workspace_without_feedback_says_how_to_import_it(tmp_path: Path) -> None:
    from journeymap.ingest import Workspace

    workspace = str(tmp_path / "events.duckdb")
    with Workspace(workspace):  # the events' tables, no feedback imported
        pass
    code, output = invoke("feedback", "quarantine", "--db", workspace)
    assert code == 2
    assert "holds no feedback: import it first with `journeymap feedback import" in output


def test_csv_fixed_and_imported_again_leaves_the_quarantine(
    db: str, survey: Path, tmp_path: Path
) -> None:
    out = tmp_path / "fix" / "rejected.csv"
    code, output = invoke("feedback", "quarantine", "--db", db, "--limit", "0", "--csv", str(out))
    assert code == 0, output
    assert f"Wrote 14 rows to {out}" in output
    with out.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0])[:5] == [
        "quarantine_reason",
        "quarantine_value",
        "quarantine_suggestion",
        "quarantine_source",
        "quarantine_row",
    ]
    assert list(rows[0])[5:] == ["respondent_id", "touchpoint", "csat", "comment"]
    assert rows[0]["quarantine_row"] == "20" and rows[0]["touchpoint"] == "chekout"
    assert rows[0]["quarantine_suggestion"] == "checkout"
    # The analyst fixes the typo everywhere and one n/a (asked again: a 4); one n/a stays.
    for row in rows:
        row["touchpoint"] = row["touchpoint"].replace("chekout", "checkout")
        if row["respondent_id"] == "r249":
            row["csat"] = "4"
    with out.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, output = invoke("feedback", "import", str(out), "--map", MAP, "--db", db)
    assert code == 0, output
    assert "Imported 12 of 14 feedback rows from rejected.csv" in output
    assert "Quarantined rows fixed and imported: 12." in output
    assert "Rows imported before and not stored again: 2." in output
    code, output = invoke("feedback", "quarantine", "--db", db)
    assert "Quarantined feedback rows: 2" in output
    assert "unparseable score 'n/a'" in output and "'7'" in output
    # Nothing twice: neither the fix again, nor the original file.
    for again in (out, survey):
        code, output = invoke("feedback", "import", str(again), "--map", MAP, "--db", db)
        assert code == 0, output
        assert "Imported 0 of" in output
    code, output = invoke("feedback", "show", "--map", MAP, "--db", db, "--json")
    assert json.loads(output)["answers"] == 286 + 12
    code, output = invoke("feedback", "quarantine", "--db", db, "--limit", "0")
    assert "Quarantined feedback rows: 2" in output


def test_csv_of_nothing_selected_is_the_header_alone(db: str, tmp_path: Path) -> None:
    out = tmp_path / "none.csv"
    code, output = invoke(
        "feedback", "quarantine", "--db", db, "--reason", "unknown phase", "--csv", str(out)
    )
    assert code == 0, output
    assert "Wrote 0 rows to" in output
    assert out.read_text(encoding="utf-8").strip() == (
        '"quarantine_reason","quarantine_value","quarantine_suggestion",'
        '"quarantine_source","quarantine_row"'
    )
