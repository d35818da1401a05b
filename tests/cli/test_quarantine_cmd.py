"""``journeymap quarantine``: the rows an import did not take, counted, shown and written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

MAP = """\
id: shop
name: Shop
phases: [{id: p, name: P, order: 1}]
touchpoints: [{id: ad, name: Ad, phases: [p]}]
mapping:
  columns: {person_id: user, timestamp: when}
  touchpoints: [{touchpoint: ad, when: [{field: what, equals: ad}]}]
"""
EVENTS = (
    "user,when,what\n"
    "u1,2024-02-01 10:00,ad\n"
    "u1,2024-02-01 10:00,ad\n"
    "u2,2024-02-01 11:00,mail\n"
    "u3,2024-02-01 12:00,mail\n"
    ",2024-02-01 13:00,ad\n"
)


def invoke(*args: str, language: str = "en") -> tuple[int, str]:
    result = CliRunner().invoke(
        app, list(args), env={"COLUMNS": "200", "JOURNEYMAP_LANG": language}
    )
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    path = str(tmp_path / "ws.duckdb")
    code, output = invoke(
        "import", str(tmp_path / "events.csv"), "--map", str(tmp_path / "map.yaml"), "--db", path
    )
    assert code == 0, output
    return path


def cells(output: str) -> list[list[str]]:
    """The table rows, a wrapped cell's continuation lines joined to the row they belong to.

    The console may be narrower than COLUMNS says (rich reads it once per process), so the
    original row may wrap.
    """
    rows: list[list[str]] = []
    for line in output.splitlines():
        if not line.startswith("│"):
            continue
        found = [cell.strip() for cell in line.strip("│").split("│")]
        if rows and not found[0] and len(found) == len(rows[-1]):
            rows[-1] = [f"{a}{b}" if b else a for a, b in zip(rows[-1], found, strict=True)]
        else:
            rows.append(found)
    return rows


def test_counts_per_file_and_reason_then_the_first_rows(db: str) -> None:
    code, output = invoke("quarantine", "--db", db, "--limit", "2")
    assert code == 0, output
    assert "Quarantined rows: 4" in output
    rows = cells(output)
    assert rows[:3] == [
        ["events.csv", "no rule matched", "2"],
        ["events.csv", "exact duplicate", "1"],
        ["events.csv", "missing person id", "1"],
    ]
    assert "The first 2 of 4 rows" in output
    shown = rows[3:]
    # A narrow console wraps the reason: compare it without its spaces.
    assert [[cell.replace(" ", "") for cell in row[:3]] for row in shown] == [
        ["events.csv", "2", "exactduplicate(acopyofrow1)"],
        ["events.csv", "3", "norulematched"],
    ]
    assert shown[1][3].replace(" ", "") == '{"user":"u2","when":"2024-02-0111:00","what":"mail"}'


def test_reason_and_source_select_and_out_writes_every_selected_row(
    db: str, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "no-rule.csv"
    code, output = invoke(
        "quarantine", "--db", db, "--reason", "no rule matched",
        "--source", str(tmp_path / "events.csv"), "--limit", "0", "--out", str(out),
    )  # fmt: skip
    assert code == 0, output
    assert cells(output) == [["events.csv", "no rule matched", "2"]]
    assert "The first" not in output and f"Wrote 2 rows to {out}" in " ".join(output.split())
    with out.open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [row["row_number"] for row in written] == ["3", "4"]
    assert json.loads(written[1]["raw"])["user"] == "u3"
    parquet = tmp_path / "all.parquet"
    assert invoke("quarantine", "--db", db, "--out", str(parquet))[0] == 0
    assert pq.read_table(parquet).num_rows == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--reason", "exact duplicat"],
            "Error: no quarantined row has --reason 'exact duplicat'; did you mean "
            "'exact duplicate'? (there are: 'exact duplicate', 'missing person id', "
            "'no rule matched')",
        ),
        (["--source", "event.csv"], "did you mean 'events.csv'?"),
        (["--out", "rows.json"], "Error: --out must name a .csv or .parquet file, not rows.json"),
        (["--limit", "-1"], "Error: --limit must be 0 or more, not -1"),
    ],
)
def test_mistakes_are_said_plainly(db: str, args: list[str], message: str) -> None:
    code, output = invoke("quarantine", "--db", db, *args)
    assert code == 2
    assert message in " ".join(output.split())


def test_a_missing_workspace_is_said_plainly(tmp_path: Path) -> None:
    code, output = invoke("quarantine", "--db", str(tmp_path / "none.duckdb"))
    assert code == 2
    assert "none.duckdb does not exist; import events first" in output


def test_in_danish(db: str) -> None:
    code, output = invoke("quarantine", "--db", db, "--limit", "1", language="da")
    assert code == 0, output
    assert "Rækker i karantæne: 4" in output and "De første 1 af 4 rækker" in output
    # The reasons as the import's counts write them: translated, with the stored name to query.
    assert "ingen regel passede (no rule matched)" in " ".join(output.split())


def test_reasons_in_german_as_the_import_writes_them(db: str) -> None:
    code, output = invoke("quarantine", "--db", db, "--limit", "0", language="de")
    assert code == 0, output
    assert "keine Regel passte (no rule matched)" in " ".join(output.split())


def test_out_under_a_file_is_said_not_a_traceback(db: str, tmp_path: Path) -> None:
    """--out ro/q.csv where ro is a file ended in a FileExistsError traceback."""
    (tmp_path / "ro").write_text("", encoding="utf-8")
    code, output = invoke(
        "quarantine", "--db", db, "--limit", "0", "--out", str(tmp_path / "ro" / "q.csv")
    )
    assert code == 2
    assert "is a file, not a folder" in " ".join(output.split())


def test_reading_a_sqlite_file_that_is_not_there_creates_nothing(tmp_path: Path) -> None:
    """Read-only commands on a missing SQLite file left an empty database behind."""
    missing = tmp_path / "nothere.sqlite"
    code, output = invoke("quarantine", "--engine", f"sqlite:///{missing}")
    assert code == 2
    assert "does not exist; import events first" in " ".join(output.split())
    assert not missing.exists()


def test_a_reason_is_chosen_by_the_label_the_table_shows(db: str, tmp_path: Path) -> None:
    """German showed 'exaktes Duplikat (exact duplicate)' but --reason took only the English;
    'The first 1 of 1 rows' and 'Wrote 1 rows' read wrong for one row."""
    out = tmp_path / "dup.csv"
    code, output = invoke(
        "quarantine", "--db", db, "--reason", "exaktes Duplikat", "--out", str(out), language="de"
    )
    assert code == 0, output
    assert "1 Zeile nach" in output and "Die Zeile in Quarantäne" in output
    code, output = invoke("quarantine", "--db", db, "--reason", "exact duplicate")
    assert code == 0, output
    assert "The quarantined row" in output and "The first 1 of 1" not in output
