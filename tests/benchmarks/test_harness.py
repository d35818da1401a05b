"""The benchmark harness at 10k journeys, journeymap only (the peers run under `make bench`)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from benchmarks.exact import removal_effects
from benchmarks.generate import CHANNELS, COEFFICIENTS, generate
from benchmarks.run import TASKS

ROOT = Path(__file__).resolve().parents[2]
JOURNEYS = 10_000


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bench") / str(JOURNEYS)
    generate(JOURNEYS, directory)
    return directory


@pytest.fixture(scope="module")
def report(data: Path) -> dict[str, Any]:
    out = data.parent / "results"
    command = [
        sys.executable, "-m", "benchmarks.run", "--sizes", str(JOURNEYS), "--reps", "1",
        "--journeymap-only", "--data-dir", str(data.parent), "--out", str(out),
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=600)
    (result,) = out.glob("*.json")
    assert result.with_suffix(".md").read_text().count("| journeymap (`jm_") == len(
        [task for task, tool, _ in TASKS if tool == "journeymap"]
    )
    loaded: dict[str, Any] = json.loads(result.read_text())
    return loaded


def test_generator_is_deterministic_and_sized(data: Path, tmp_path: Path) -> None:
    again = generate(JOURNEYS, tmp_path / "again", paths=False)
    assert _sha256(again) == _sha256(data / "events.parquet")
    other = generate(JOURNEYS, tmp_path / "other", seed=1, paths=False)
    assert _sha256(other) != _sha256(again)
    con = duckdb.connect()
    persons, events, longest = con.execute(
        "SELECT count(DISTINCT person_id), count(*), max(n) FROM "
        "(SELECT person_id, count(*) OVER (PARTITION BY person_id) n "
        f"FROM read_parquet('{data / 'events.parquet'}'))"
    ).fetchone() or (0, 0, 0)
    assert persons == JOURNEYS
    assert 3 * JOURNEYS < events < 7 * JOURNEYS
    assert longest <= 30
    paths = con.execute(
        f"SELECT sum(total_conversions + total_null) FROM read_csv('{data / 'paths.csv'}')"
    ).fetchone()
    assert paths == (JOURNEYS,)


def test_conversions_follow_the_logistic_signal(data: Path) -> None:
    rows = (
        duckdb.connect()
        .execute(
            "WITH j AS (SELECT person_id, touchpoint, bool_or(conversion) OVER "
            f"(PARTITION BY person_id) AS conv FROM read_parquet('{data / 'events.parquet'}')) "
            "SELECT touchpoint, avg(conv::INT) FROM (SELECT DISTINCT person_id, touchpoint, conv "
            "FROM j) GROUP BY touchpoint"
        )
        .fetchall()
    )
    rate = dict(rows)
    coefficient = dict(zip(CHANNELS, COEFFICIENTS, strict=True))
    positive = [rate[c] for c in CHANNELS if coefficient[c] >= 0.3]
    negative = [rate[c] for c in CHANNELS if coefficient[c] < 0]
    assert min(positive) > max(negative)
    assert max(rate, key=rate.__getitem__) == "checkout"  # the largest coefficient


def test_exact_removal_effects_by_hand() -> None:
    # Two journeys: start > A > conversion, start > B > null.
    counts = [
        ("(start)", "A", 1), ("(start)", "B", 1), ("A", "(conversion)", 1), ("B", "(null)", 1),
    ]  # fmt: skip
    assert removal_effects(counts) == pytest.approx({"A": 1.0, "B": 0.0})
    # start > A > B > conversion twice, start > B > null once: without A a third is left.
    counts = [
        ("(start)", "A", 2), ("(start)", "B", 1), ("A", "B", 2),
        ("B", "(conversion)", 2), ("B", "(null)", 1),
    ]  # fmt: skip
    assert removal_effects(counts) == pytest.approx({"A": 2 / 3, "B": 1.0})


@pytest.mark.slow
def test_harness_times_and_measures_every_task(report: dict[str, Any]) -> None:
    (size,) = report["sizes"]
    assert size["journeys"] == JOURNEYS
    expected = {task for task, tool, _ in TASKS if tool in {"journeymap", "duckdb"}}
    assert set(size["tasks"]) == expected
    for name, task in size["tasks"].items():
        assert len(task["seconds"]) == 1 and task["seconds"][0] > 0, name
        assert len(task["peak_mb"]) == 1 and task["peak_mb"][0] > 10, name
        assert task["status"] == "ok", (name, task["reason"])
        # The work alone: inside the process, so shorter than the whole process.
        (compute,) = task["compute_seconds"]
        assert 0 < compute < task["seconds"][0], name
    checks = {c["check"]: c for c in size["accuracy"]}
    assert checks["transition counts equal to DuckDB query"]["pass"] is True
    assert report["machine"]["cores"] >= 1


@pytest.mark.slow
def test_markov_matches_the_exact_formula(report: dict[str, Any]) -> None:
    (size,) = report["sizes"]
    (check,) = [c for c in size["accuracy"] if c["check"].startswith("journeymap Markov")]
    assert check["pass"] is True, check


def test_profile_times_every_metric_of_an_analysis(data: Path) -> None:
    from benchmarks.profile import profile
    from benchmarks.tasks._common import bench_map, events

    from journeymap.analysis import analyze

    seconds = profile(data)
    # Every table analyze() makes has its own line, beside the shared steps and the floor.
    tables = set(analyze(bench_map(), events(data), attribution=False).tables)
    assert set(seconds) - {"floor", "journeys", "facts", "shared", "summary"} == tables
    assert len(tables) == 14  # with the journeys by outcome
    assert all(value >= 0 for value in seconds.values())


def test_the_report_refuses_a_missing_result_file_with_a_usage_message(tmp_path: Path) -> None:
    """``python -m benchmarks.report --help`` read ``--help`` as a file: a traceback."""
    missing = tmp_path / "no-such-run.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.report", str(missing)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert f"no such result file: {missing}" in done.stderr
    assert "Traceback" not in done.stderr
    helped = subprocess.run(
        [sys.executable, "-m", "benchmarks.report", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert helped.returncode == 0
    assert "result files (.json) of a run" in helped.stdout
