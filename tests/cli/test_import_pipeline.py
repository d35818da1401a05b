"""``journeymap import`` in a nightly pipeline: JSON, quiet, a quarantine limit, plain logs.

The ops report: the counts existed only as a box table on stdout, warnings went to stdout with
exit code 0 (a night whose export broke went green), notes were hard-wrapped at 80 columns in
logs (the BPIC note broke inside 'W_Beoordelen fraude'), a long import printed nothing off a
terminal until it ended, and an import into a mistyped --db made a new workspace unseen.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app

# The module (journeymap.cli.app names the Typer application too).
cli_app = importlib.import_module("journeymap.cli.app")

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

MAP = """\
id: shop
name: Shop
phases: [{id: p, name: P, order: 1}]
touchpoints:
  - {id: ad, name: Ad, phases: [p]}
  - {id: checkout, name: Checkout, phases: [p]}
"""
RULES = """\
columns: {person_id: user, timestamp: when}
touchpoints:
  - {touchpoint: ad, when: [{field: what, equals: ad}]}
  - {touchpoint: checkout, when: [{field: what, equals: checkout}]}
conversion: [{field: what, equals: checkout}]
"""
# 10 rows: 7 events, 1 without a person, 1 unreadable time, 1 no rule matches.
EVENTS = (
    "user,when,what\n"
    "u1,2025-01-01T10:00:00Z,ad\n"
    "u1,2025-01-01T11:00:00Z,checkout\n"
    "u2,2025-01-01T10:00:00Z,ad\n"
    "u3,2025-01-01T10:00:00Z,ad\n"
    "u3,2025-01-02T10:00:00Z,ad\n"
    "u4,2025-01-01T10:00:00Z,ad\n"
    "u4,2025-01-01T12:00:00Z,checkout\n"
    ",2025-01-01T10:00:00Z,ad\n"
    "u5,yesterday,ad\n"
    "u6,2025-01-01T10:00:00Z,fax\n"
)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    return tmp_path


def run_import(folder: Path, *options: str, events: str = "events.csv") -> tuple[int, str, str]:
    """Import ``events`` of ``folder``; the exit code, stdout and stderr."""
    args = ["import", str(folder / events), "--map", str(folder / "map.yaml")]
    args += ["--rules", str(folder / "rules.yaml"), "--db", str(folder / "ws.duckdb"), *options]
    result = CliRunner().invoke(app, args, env={"JOURNEYMAP_LANG": "en", "COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def stored_events(folder: Path) -> int:
    with duckdb.connect(str(folder / "ws.duckdb"), read_only=True) as con:
        found = con.execute("SELECT count(*) FROM events").fetchone()
    assert found is not None
    return int(found[0])


def test_json_is_one_object_on_stdout_with_the_counts_and_notes(files: Path) -> None:
    code, out, err = run_import(files, "--json")
    assert code == 0, out + err
    report = json.loads(out)  # stdout holds the JSON and nothing else
    assert report["rows_read"] == 10
    assert report["rows_imported"] == 7
    assert report["conversions"] == 2
    assert report["rows_quarantined"] == 3
    assert report["quarantined"] == {
        "missing person id": 1,
        "no rule matched": 1,
        "unparseable timestamp": 1,
    }
    assert report["rows_already_imported"] == 0
    assert report["source"] == "events.csv"
    assert (report["encoding"], report["encoding_detected"]) == ("utf-8", True)
    assert report["timestamp_format"] == "ISO 8601"
    assert report["workspace_created"] is True
    assert report["warnings"] == []
    assert (
        "Note: timestamps that could not be read were quarantined (1); the first: 'yesterday'."
        in report["notes"]
    )
    assert report["notes"][-1] == f"Note: created a new workspace at {files / 'ws.duckdb'}."
    again = json.loads(run_import(files, "--json")[1])
    assert (again["rows_imported"], again["rows_already_imported"]) == (0, 10)
    assert again["workspace_created"] is False
    assert "This data was imported before; nothing was added twice." in again["notes"]


def test_a_warning_goes_to_stderr_and_into_the_json(files: Path) -> None:
    (files / "broken.csv").write_text("user,when,what\nu1,soon,ad\n,later,ad\n", encoding="utf-8")
    code, out, err = run_import(files, "--json", events="broken.csv")
    assert code == 0  # no limit asked for: the import itself succeeded
    warning = (
        "every row was quarantined, nothing was imported; the reasons are counted above and "
        "the rows are in the quarantine table."
    )
    assert json.loads(out)["warnings"] == [warning]
    assert f"Warning: {warning}" in " ".join(err.split())
    (files / "ws.duckdb").unlink()  # again, without --json
    code, out, err = run_import(files, events="broken.csv")
    assert "Warning" not in out and "Warning: every row was quarantined" in err


def test_quiet_prints_nothing_but_errors(files: Path) -> None:
    code, out, err = run_import(files, "--quiet")
    assert (code, out, err) == (0, "", "")
    assert stored_events(files) == 7
    code, out, err = run_import(files, "--quiet", events="missing.csv")
    assert code == 1 and out == "" and "missing.csv: file not found" in err


@pytest.mark.parametrize(
    ("limit", "fails"), [("1%", True), ("30%", False), ("2", True), ("3", False)]
)
def test_max_quarantined_fails_the_run(files: Path, limit: str, fails: bool) -> None:
    code, out, err = run_import(files, "--max-quarantined", limit)
    assert code == (1 if fails else 0), out + err
    assert stored_events(files) == 7  # the import is stored either way
    if fails:
        assert (
            f"Error: 3 of 10 rows read were quarantined (30.0%), more than --max-quarantined "
            f"{limit} allows. The import is stored all the same; the rows and their reasons: "
            f"journeymap quarantine --db {files / 'ws.duckdb'} --source events.csv"
        ) in " ".join(err.split())
    else:
        assert "Error" not in err


def test_max_quarantined_in_the_json_and_with_quiet(files: Path) -> None:
    code, out, err = run_import(files, "--json", "--quiet", "--max-quarantined", "0")
    assert code == 1
    assert json.loads(out)["max_quarantined"] == {
        "limit": "0",
        "quarantined": 3,
        "rows_read": 10,
        "exceeded": True,
    }
    assert err.startswith("Error: 3 of 10 rows read were quarantined")


def test_rows_the_rules_filter_out_are_not_counted(files: Path) -> None:
    only = RULES + "only: [{field: what, equals: ad}]\n"
    (files / "rules.yaml").write_text(only, encoding="utf-8")
    code, out, _err = run_import(files, "--json", "--max-quarantined", "3")
    report = json.loads(out)
    assert report["quarantined"]["filtered out"] == 3  # the checkouts and the fax
    assert report["max_quarantined"]["quarantined"] == 2 and code == 0


def test_events_sent_again_in_another_form_are_not_counted(files: Path) -> None:
    """The same events with their times written another way: no data is missing."""
    again = EVENTS.replace("Z,", "+00:00,")
    (files / "again.csv").write_text(again, encoding="utf-8")
    assert run_import(files)[0] == 0
    code, out, _err = run_import(files, "--json", "--max-quarantined", "0", events="again.csv")
    report = json.loads(out)
    assert report["quarantined"]["same event already imported"] == 7
    # The row without a person and the fax count; 'yesterday' is unchanged: already imported.
    assert report["quarantined"]["missing person id"] == report["quarantined"]["no rule matched"]
    assert report["max_quarantined"]["quarantined"] == 2 and code == 1
    assert stored_events(files) == 7


@pytest.mark.parametrize("limit", ["abc", "101%", "-1", "1.5"])
def test_a_wrong_limit_is_refused_before_anything_is_imported(files: Path, limit: str) -> None:
    code, _out, err = run_import(files, "--max-quarantined", limit)
    assert code == 2
    assert (
        "--max-quarantined takes a number of rows (e.g. 0 or 100) or a share of the rows read "
        "(e.g. 1%), not"
    ) in " ".join(err.split())
    assert not (files / "ws.duckdb").exists()


def test_an_import_says_when_it_creates_the_workspace(files: Path) -> None:
    target = files / "nightly" / "typo" / "ws.duckdb"
    args = ["import", str(files / "events.csv"), "--map", str(files / "map.yaml")]
    args += ["--rules", str(files / "rules.yaml"), "--db", str(target)]
    first = CliRunner().invoke(app, args, env={"JOURNEYMAP_LANG": "en"})
    assert first.exit_code == 0, first.output
    assert (
        f"Note: created a new workspace at {target}, in a new folder ({target.parent})."
        in first.stdout
    )
    second = CliRunner().invoke(app, args, env={"JOURNEYMAP_LANG": "en"})
    assert second.exit_code == 0 and "created a new workspace" not in second.output


def test_an_import_into_the_working_directory_names_it_relative(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(files)
    args = ["import", "events.csv", "--map", "map.yaml", "--rules", "rules.yaml"]
    result = CliRunner().invoke(app, args, env={"JOURNEYMAP_LANG": "en"})
    assert result.exit_code == 0, result.output
    assert "Note: created a new workspace at journeymap.duckdb." in result.stdout


def _long_names_import(folder: Path) -> subprocess.CompletedProcess[str]:
    """Import touchpoints the map lacks, named as BPIC 2012 names them, with stdout a pipe."""
    (folder / "rules.yaml").write_text(
        "columns: {person_id: user, timestamp: when}\ntouchpoints: [{touchpoint_from: what}]\n",
        encoding="utf-8",
    )
    names = [
        "W_Completeren aanvraag",
        "W_Nabellen offertes",
        "W_Nabellen incomplete dossiers",
        "W_Valideren aanvraag",
        "W_Afhandelen leads",
        "W_Beoordelen fraude",
    ]
    rows = "".join(
        f"u{person},2025-01-0{day}T10:00:00Z,{name}\n"
        for person in range(3)
        for day, name in enumerate(names, start=1)
    )
    (folder / "bpic.csv").write_text("user,when,what\n" + rows, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "LINES"}}
    env["JOURNEYMAP_LANG"] = "en"
    return subprocess.run(
        [
            *(sys.executable, "-m", "journeymap", "import", str(folder / "bpic.csv")),
            *("--map", str(folder / "map.yaml"), "--rules", str(folder / "rules.yaml")),
            *("--db", str(folder / "ws.duckdb")),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_notes_keep_to_one_line_in_a_log(files: Path) -> None:
    done = _long_names_import(files)
    assert done.returncode == 0, done.stderr
    note = next(line for line in done.stdout.splitlines() if line.startswith("Note: 18 events"))
    # The whole note on its one line: a log grep for a touchpoint finds it.
    assert "W_Beoordelen fraude (3)" in note
    assert note.endswith(
        "touchpoint: W_Afhandelen-leads when the field equals 'W_Afhandelen leads'."
    )
    assert "\x1b" not in done.stdout + done.stderr


def test_off_a_terminal_progress_lines_are_plain_and_timestamped(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_app, "PROGRESS_SECONDS", 0.05)
    code, out, err = run_import(files)
    assert code == 0, out + err
    lines = err.splitlines()
    assert lines, "no progress line"
    pattern = re.compile(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d import events\.csv: "
        r"(\d+ rows read|waiting for the workspace) \(\d+ s\)"
    )
    assert all(pattern.fullmatch(line) for line in lines), lines
    assert "\x1b" not in err and "\r" not in err
    assert "imported" in out  # the counts stay on stdout
    _code, _out, quiet = run_import(files, "--quiet")
    assert quiet == ""
