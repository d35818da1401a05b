"""Exit codes a scheduler can act on, the same for the same condition in every command.

The ops report: a missing workspace gave 1 from quarantine and 2 from analyze and attribute; a
DuckDB workspace another process held gave 1 and DuckDB's raw "Could not set lock on file ...
Conflicting lock is held in ... (PID 24290)", with the workspace spelled ``duckdb:///w4/...``
by import and ``duckdb:////tmp/.../w4/...`` by analyze; ``quarantine --reason R --out F``
failed (2) on a clean night; ``--db duckdb:///x`` read as the path ``duckdb:/x``; SIGTERM
ended an import with 143 and no word.
"""

from __future__ import annotations

import csv
import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from journeymap.cli.app import EXIT_BUSY, app
from journeymap.ingest.workspace import WorkspaceBusyError

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
mapping:
  columns: {person_id: user, timestamp: when}
  touchpoints:
    - {touchpoint: ad, when: [{field: what, equals: ad}]}
    - {touchpoint: checkout, when: [{field: what, equals: checkout}]}
  conversion: [{field: what, equals: checkout}]
"""
CLEAN = (
    "user,when,what\n"
    "u1,2025-01-01T10:00:00Z,ad\n"
    "u1,2025-01-01T11:00:00Z,checkout\n"
    "u2,2025-01-01T10:00:00Z,ad\n"
)
# Holds a DuckDB file's write lock until its stdin closes.
HOLDER = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1])
print("held", flush=True)
sys.stdin.read()
"""


def open_for_writing(path: str | Path, alive: Callable[[], bool], timeout: float = 60) -> int:
    """A named pipe opened to write, once a reader has opened it (never while none does).

    Raises:
        AssertionError: The reader ended, or did not open the pipe in time.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:  # ENXIO: no reader yet
            if error.errno != errno.ENXIO:
                raise
            assert alive(), "the reader ended without opening the pipe"
            assert time.monotonic() < deadline, "no reader opened the pipe"
            time.sleep(0.05)
            continue
        os.set_blocking(descriptor, True)
        return descriptor


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"JOURNEYMAP_LANG": "en", "COLUMNS": "250"})
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean night's workspace ``ws.duckdb`` in the working directory (nothing quarantined)."""
    monkeypatch.chdir(tmp_path)
    Path("map.yaml").write_text(MAP, encoding="utf-8")
    Path("clean.csv").write_text(CLEAN, encoding="utf-8")
    code, output = invoke("import", "clean.csv", "--map", "map.yaml", "--db", "ws.duckdb")
    assert code == 0, output
    return tmp_path / "ws.duckdb"


@pytest.fixture
def held(workspace: Path) -> Iterator[int]:
    """Another process holds the workspace's lock; yields its PID."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(workspace)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    yield holder.pid
    holder.communicate("")  # (a test may have ended it already)


@pytest.mark.parametrize(
    "command",
    [
        ["quarantine"],
        ["analyze", "--map", "map.yaml", "--out", "out"],
        ["attribute", "--map", "map.yaml"],
    ],
    ids=["quarantine", "analyze", "attribute"],
)
def test_a_missing_workspace_is_a_usage_error_in_every_command(
    workspace: Path, command: list[str]
) -> None:
    code, output = invoke(*command, "--db", "nightly.duckdb")
    assert code == 2
    assert (
        output
        == "Error: nightly.duckdb does not exist; import events first with `journeymap import`"
    )
    assert not Path("nightly.duckdb").exists()


def test_a_missing_sqlite_workspace_is_named_the_same_way(workspace: Path) -> None:
    code, output = invoke("quarantine", "--engine", "sqlite:///nightly.sqlite")
    assert code == 2
    assert output == (
        "Error: nightly.sqlite does not exist; import events first with `journeymap import`"
    )
    assert not Path("nightly.sqlite").exists()


COMMANDS = {
    "import": ["import", "clean.csv", "--map", "map.yaml"],
    "analyze": ["analyze", "--map", "map.yaml", "--out", "out"],
    "attribute": ["attribute", "--map", "map.yaml"],
    "quarantine": ["quarantine"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_workspace_another_process_holds_is_busy(held: int, name: str) -> None:
    # The workspace named as the import names it: relative here, given so or absolute.
    where = "ws.duckdb" if name != "analyze" else str(Path("ws.duckdb").absolute())
    code, output = invoke(*COMMANDS[name], "--db", where)
    assert code == EXIT_BUSY == WorkspaceBusyError.exit_code == 75
    assert output == (
        f"Error: the workspace ws.duckdb is in use by another process (PID {held}): DuckDB "
        "lets one process write to a workspace at a time, and none read it meanwhile. Wait "
        "until it is done and try again (journeymap import --wait SECONDS waits for it), or "
        "keep the workspace on PostgreSQL (--engine postgresql://...), where imports and "
        "analyses can run at once"
    )
    assert "Conflicting lock" not in output


def test_import_waits_for_the_workspace_with_wait(held: int) -> None:
    env = {**os.environ, "JOURNEYMAP_LANG": "en"}
    waiting = subprocess.Popen(
        [
            *(sys.executable, "-m", "journeymap", *COMMANDS["import"]),
            *("--db", "ws.duckdb", "--wait", "60", "--json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert waiting.stderr is not None
        first = waiting.stderr.readline()  # said before it waits
        assert first == (
            f"The workspace ws.duckdb is in use by another process (PID {held}); waiting up "
            "to 60 s.\n"
        )
        assert waiting.poll() is None
    finally:
        os.kill(held, signal.SIGTERM)  # the holder ends: the lock is free
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert '"rows_already_imported": 3' in out


@pytest.mark.parametrize(
    "command",
    [COMMANDS["import"], COMMANDS["analyze"], COMMANDS["quarantine"]],
    ids=["import", "analyze", "quarantine"],
)
def test_a_url_given_to_db_points_to_engine(workspace: Path, command: list[str]) -> None:
    code, output = invoke(*command, "--db", "duckdb:///ws.duckdb")
    assert code == 2
    assert output == (
        "Error: --db takes the path of a DuckDB file, not a URL (duckdb://...); give a "
        "connection URL with --engine instead (e.g. --engine duckdb:///ws.duckdb), or the "
        "file's path with --db (--db ws.duckdb)"
    )
    assert not Path("duckdb:").exists()


@pytest.mark.parametrize("out", ["rows.csv", "rows.parquet"])
@pytest.mark.parametrize(
    "selection",
    [
        ["--reason", "no rule matched"],
        ["--source", "clean.csv"],
        ["--source", "clean.csv", "--reason", "exact duplicate"],
    ],
    ids=["reason", "source", "both"],
)
def test_a_clean_night_writes_an_empty_file(
    workspace: Path, selection: list[str], out: str
) -> None:
    code, output = invoke("quarantine", "--db", "ws.duckdb", *selection, "--out", out)
    assert code == 0, output
    assert output == f"No quarantined rows. Wrote 0 rows to {out}"
    if out.endswith(".csv"):
        with open(out, encoding="utf-8", newline="") as handle:
            assert list(csv.reader(handle)) == [["source", "row_number", "reason", "raw"]]
    else:
        assert pq.read_table(out).column_names == ["source", "row_number", "reason", "raw"]
        assert pq.read_table(out).num_rows == 0


def test_a_known_reason_without_rows_beside_others_writes_an_empty_file(workspace: Path) -> None:
    Path("dirty.csv").write_text("user,when,what\nu9,2025-01-01T10:00:00Z,fax\n", encoding="utf-8")
    assert invoke("import", "dirty.csv", "--map", "map.yaml", "--db", "ws.duckdb")[0] == 0
    code, output = invoke("quarantine", "--db", "ws.duckdb", "--reason", "missing person id")
    assert (code, output) == (0, "No quarantined rows.")
    code, output = invoke("quarantine", "--db", "ws.duckdb", "--source", "clean.csv")
    assert (code, output) == (0, "No quarantined rows.")
    code, output = invoke("quarantine", "--db", "ws.duckdb", "--reason", "no rule matched")
    assert code == 0 and "Quarantined rows: 1" in output


def test_an_unknown_reason_or_source_is_still_an_error(workspace: Path) -> None:
    code, output = invoke("quarantine", "--db", "ws.duckdb", "--reason", "no rule mached")
    assert code == 2
    assert output.startswith(
        "Error: --reason 'no rule mached' names no quarantine reason; did you mean "
        "'no rule matched'? (the reasons: 'exact duplicate', 'filtered out', "
    )
    code, output = invoke("quarantine", "--db", "ws.duckdb", "--source", "clen.csv")
    assert code == 2
    assert output == (
        "Error: nothing was imported from --source 'clen.csv'; did you mean 'clean.csv'? "
        "(imported: 'clean.csv')"
    )
    code, output = invoke(
        "quarantine", "--db", "ws.duckdb", "--reason", "no rule matched", "--out", "rows.json"
    )
    assert code == 2 and "--out must name a .csv or .parquet file, not rows.json" in output
    assert not Path("rows.json").exists()


def test_sigterm_interrupts_an_import_as_ctrl_c_does(workspace: Path) -> None:
    """``timeout``, systemd and CI runners stop a job with SIGTERM: said, and nothing stored."""
    os.mkfifo("tonight.csv")
    env = {**os.environ, "JOURNEYMAP_LANG": "en"}
    importing = subprocess.Popen(
        [
            *(sys.executable, "-m", "journeymap", "import", "tonight.csv"),
            *("--map", "map.yaml", "--db", "ws.duckdb"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    # The pipe opens once the import reads it (an import that refuses it never does).
    pipe = open_for_writing("tonight.csv", alive=lambda: importing.poll() is None)
    with os.fdopen(pipe, "w", encoding="utf-8") as handle:
        handle.write("user,when,what\nu7,2025-01-01T10:00:00Z,ad\n")
        handle.flush()
        time.sleep(1)
        importing.send_signal(signal.SIGTERM)
        _out, err = importing.communicate(timeout=60)
    assert importing.returncode == 143
    assert " ".join(err.split()) == (
        "Import interrupted: nothing of it was stored (an import is one transaction), the "
        "workspace is as it was."
    )
    with duckdb.connect("ws.duckdb", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM events").fetchone() == (3,)
