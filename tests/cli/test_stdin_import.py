"""``journeymap import -``, ``/dev/stdin``, named pipes and ``<(...)``: read, not "file not found".

The ops report: ``cat events.csv | journeymap import - --format csv`` answered "-: file not
found", ``/dev/stdin`` "/dev/stdin: file not found", and a process substitution
"/dev/fd/63: file not found"; ``curl ... | journeymap import -`` is how exports are streamed.
The real UCI Bank Marketing file is streamed here, as the README's bank example imports it.
"""

from __future__ import annotations

import errno
import gzip
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

BANK_MAP = """\
id: bank
name: Bank
phases: [{id: contact, name: Contact, order: 1}]
touchpoints:
  - {id: phone-mobile, name: Mobile, phases: [contact]}
  - {id: phone-landline, name: Landline, phases: [contact]}
  - {id: phone-unknown, name: Unknown, phases: [contact]}
"""
BANK_RULES = """\
columns: {person_from_row: true, timestamp_constant: "2008-05-01"}
touchpoints:
  - {touchpoint: phone-mobile, when: [{field: contact, equals: cellular}]}
  - {touchpoint: phone-landline, when: [{field: contact, equals: telephone}]}
  - {touchpoint: phone-unknown, when: [{field: contact, equals: unknown}]}
conversion: [{field: y, equals: "yes"}]
"""
ROWS = 2000  # of bank-full.csv, after its header


@pytest.fixture
def bank(tmp_path: Path, datasets: Path) -> Path:
    """The map, the rules and the first rows of bank-full.csv."""
    lines = (datasets / "uci-bank-marketing" / "bank-full.csv").read_bytes().splitlines(True)
    (tmp_path / "bank.csv").write_bytes(b"".join(lines[: ROWS + 1]))
    (tmp_path / "bank.yaml").write_text(BANK_MAP, encoding="utf-8")
    (tmp_path / "bank.rules.yaml").write_text(BANK_RULES, encoding="utf-8")
    return tmp_path


def import_args(folder: Path, events: str, *options: str) -> list[str]:
    return [
        *("import", events, "--map", str(folder / "bank.yaml")),
        *("--rules", str(folder / "bank.rules.yaml"), "--db", str(folder / "ws.duckdb")),
        *options,
    ]


def invoke(args: list[str], data: bytes | None = None) -> tuple[int, str]:
    """The exit code and the output on one line, the count table's lines as "imported 2,000"."""
    result = CliRunner().invoke(app, args, input=data, env={"JOURNEYMAP_LANG": "en"})
    text = "".join(" " if "\u2500" <= char <= "\u257f" else char for char in result.output)
    return result.exit_code, " ".join(text.split())


def stored(folder: Path, query: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(folder / "ws.duckdb"), read_only=True) as con:
        return con.execute(query).fetchall()


def run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JOURNEYMAP_LANG": "en"}
    return subprocess.run(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "journeymap", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        **kwargs,
    )


def test_standard_input_is_imported_and_known_again_as_the_file(bank: Path) -> None:
    data = (bank / "bank.csv").read_bytes()
    code, output = invoke(import_args(bank, "-", "--format", "csv"), data)
    assert code == 0, output
    assert f"read {ROWS:,}" in output and f"imported {ROWS:,}" in output
    assert stored(bank, "SELECT DISTINCT source FROM events") == [("stdin.csv",)]
    conversions = stored(bank, "SELECT count(*) FROM events WHERE conversion")
    expected = sum(line.split(",")[-1] == "yes" for line in data.decode().splitlines()[1:])
    assert conversions == [(expected,)] and expected > 0
    # The same rows from the file itself: every one already imported, none twice.
    code, output = invoke(import_args(bank, str(bank / "bank.csv")))
    assert code == 0, output
    assert f"already imported {ROWS:,}" in output
    assert stored(bank, "SELECT count(*) FROM events") == [(ROWS,)]


def test_gzipped_standard_input_is_read_too(bank: Path) -> None:
    data = gzip.compress((bank / "bank.csv").read_bytes())
    code, output = invoke(import_args(bank, "-", "--format", "csv"), data)
    assert code == 0, output
    assert f"imported {ROWS:,}" in output


def test_standard_input_needs_a_format(bank: Path) -> None:
    code, output = invoke(import_args(bank, "-"), b"a,b\n1,2\n")
    assert code == 2
    assert output == (
        "Error: standard input has no file name to tell the format from: give it with "
        "--format (csv, tsv, parquet, jsonl, xes)"
    )
    assert not (bank / "ws.duckdb").exists()


def test_empty_standard_input_is_said(bank: Path) -> None:
    code, output = invoke(import_args(bank, "-", "--format", "csv"), b"")
    assert code == 1
    assert output == "Error: standard input is empty: nothing to import"


def test_dev_stdin_from_a_pipe(bank: Path) -> None:
    done = run(
        import_args(bank, "/dev/stdin", "--format", "csv", "--json"),
        input=(bank / "bank.csv").read_text(encoding="utf-8"),
    )
    assert done.returncode == 0, done.stderr
    assert f'"rows_imported": {ROWS}' in done.stdout
    assert '"source": "stdin.csv"' in done.stdout


def test_a_named_pipe_takes_the_format_from_its_name(bank: Path) -> None:
    pipe = bank / "tonight.csv"
    os.mkfifo(pipe)
    data = (bank / "bank.csv").read_bytes()

    done = threading.Event()

    def write() -> None:
        # Opened without blocking, so that an import that never reads the pipe frees the test.
        while not done.is_set():
            try:
                descriptor = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:
                if error.errno != errno.ENXIO:  # ENXIO: no reader yet
                    raise
                time.sleep(0.05)
                continue
            os.set_blocking(descriptor, True)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            return

    writer = threading.Thread(target=write)
    writer.start()
    code, output = invoke(import_args(bank, str(pipe)))
    done.set()
    writer.join()
    assert code == 0, output
    assert output.startswith("tonight.csv") and f"imported {ROWS:,}" in output
    assert stored(bank, "SELECT DISTINCT source FROM events") == [("tonight.csv",)]


def test_a_process_substitution(bank: Path) -> None:
    script = (
        f'{sys.executable} -m journeymap import <(cat "{bank / "bank.csv"}") --format csv '
        f'--map "{bank / "bank.yaml"}" --rules "{bank / "bank.rules.yaml"}" '
        f'--db "{bank / "ws.duckdb"}" --json'
    )
    done = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "JOURNEYMAP_LANG": "en"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f'"rows_imported": {ROWS}' in done.stdout
    missing = subprocess.run(
        ["bash", "-c", script.replace(" --format csv", "")],
        capture_output=True,
        text=True,
        env={**os.environ, "JOURNEYMAP_LANG": "en"},
        check=False,
    )
    assert missing.returncode == 2
    assert "has no file name to tell the format from: give it with --format" in missing.stderr
    assert "file not found" not in missing.stderr
