"""``journeymap analyze --since/--until`` and ``attribute --since/--until``; ``--wait``; ``--out``.

Olist's marketing funnel (Olist on Kaggle; CC BY-NC-SA 4.0), leads and won deals imported with
the command line, read for the first quarter of 2018: the expected counts come from the raw
CSV files read with pandas.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from olist_cli import WARNINGS, import_olist, olist_map
from olist_cli import invoke as olist_invoke

pytestmark = WARNINGS

MAP = olist_map(["organic_search", "paid_search", "social", "unknown-origin"])
SINCE, UNTIL = pd.Timestamp("2018-01-01", tz="UTC"), pd.Timestamp("2018-04-01", tz="UTC")


invoke = functools.partial(olist_invoke, flat=True)


@pytest.fixture(scope="module")
def olist(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace of Olist's leads and won deals, imported with the command line."""
    return import_olist(tmp_path_factory.mktemp("olist"), datasets, MAP)


def _expected(datasets: Path) -> tuple[int, int, int, int, int]:
    """Events in the quarter, of all, its leads, those with events before and after it."""
    raw = datasets / "olist-marketing-funnel"
    leads = pd.read_csv(raw / "marketing_qualified_leads.csv")
    deals = pd.read_csv(raw / "closed_deals.csv")
    times = pd.concat(
        [
            pd.DataFrame(
                {
                    "lead": leads.mql_id,
                    "ts": pd.to_datetime(leads.first_contact_date, format="%d-%m-%Y", utc=True),
                }
            ),
            pd.DataFrame(
                {
                    "lead": deals.mql_id,
                    "ts": pd.to_datetime(deals.won_date, format="%d-%m-%Y %H:%M", utc=True),
                }
            ),
        ]
    )
    inside = times[(times.ts >= SINCE) & (times.ts < UNTIL)]
    leads_in = set(inside.lead)
    before = len(leads_in & set(times[times.ts < SINCE].lead))
    after = len(leads_in & set(times[times.ts >= UNTIL].lead))
    return len(inside), len(times), len(leads_in), before, after


def test_analyze_a_quarter_prints_and_saves_the_period(olist: Path, datasets: Path) -> None:
    inside, total, persons, before, after = _expected(datasets)
    out = olist / "q1"
    code, output = invoke(
        *("analyze", "--map", str(olist / "map.yaml"), "--db", str(olist / "ws.duckdb")),
        *("--out", str(out), "--since", "2018-01-01", "--until", "2018-04-01"),
        "--no-attribution",
    )
    assert code == 0, output
    assert "Period: events from 2018-01-01 up to 2018-04-01 (not included)" in output
    assert (
        "Note: only events from 2018-01-01 up to 2018-04-01 (not included) are analysed: "
        f"{inside:,} of {total:,} events. Journeys are cut from these events only: of the "
        f"{persons:,} persons analysed, {before:,} also have events before the period and "
        f"{after:,} after it; their journeys start or end at its edge."
    ) in output
    # Won deals of the quarter whose first contact came before it; leads won after it.
    assert (before, after) == (15, 150)
    summary = json.loads((out / "analysis.json").read_text(encoding="utf-8"))["summary"]
    assert summary["events"] == summary["period"]["events"] == inside
    assert summary["period"]["events_total"] == total == 8_842
    assert (summary["options"]["since"], summary["options"]["until"]) == (
        "2018-01-01",
        "2018-04-01",
    )


def test_attribute_with_the_period_credits_as_analyze_with_it(olist: Path) -> None:
    where = ("--map", str(olist / "map.yaml"), "--db", str(olist / "ws.duckdb"))
    period = ("--since", "2018-01-01", "--until", "2018-04-01")
    code, output = invoke("analyze", *where, "--out", str(olist / "credits"), *period)
    assert code == 0, output
    code, output = invoke(
        "attribute", *where, *period, "--model", "linear", "--out", str(olist / "linear.csv")
    )
    assert code == 0, output
    assert "Period: events from 2018-01-01 up to 2018-04-01 (not included)" in output
    attributed = pd.read_csv(olist / "linear.csv")
    analysed = pd.read_parquet(olist / "credits" / "attribution.parquet")
    analysed = analysed[(analysed.model == "linear") & (analysed.level == "touchpoint")]
    assert dict(zip(attributed.key, attributed.conversions, strict=True)) == pytest.approx(
        dict(zip(analysed.key, analysed.conversions, strict=True))
    )
    # Every conversion of the quarter, not of the whole data (842 won deals).
    assert 0 < attributed.conversions.sum() < 842


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--since", "01.01.2018"],
            "Error: --since '01.01.2018' is not a date: write a date (2012-01-31) or a date and "
            "time (2012-01-31T08:00; UTC unless a zone such as +01:00 follows) in ISO 8601, or "
            "a span back from the data's last event (e.g. 30d, 12w)",
        ),
        (
            ["--since", "2018-04-01", "--until", "2018-01-01"],
            "Error: --since 2018-04-01 is not before --until 2018-01-01: the period is empty "
            "(since is included, until is left out)",
        ),
        (
            ["--since", "2019-01-01"],
            "Error: no event falls in the period from 2019-01-01 up to the last event (since is "
            "included, until left out): the 8,842 events given run from 2017-06-14 to "
            "2018-11-14 18:04 UTC; choose a period within that",
        ),
    ],
    ids=["not-a-date", "empty", "no-events"],
)
@pytest.mark.parametrize("command", ["analyze", "attribute"])
def test_a_bad_period_is_said_plainly(
    olist: Path, command: str, options: list[str], message: str
) -> None:
    out = ["--out", str(olist / "bad")] if command == "analyze" else []
    code, output = invoke(
        command, "--map", str(olist / "map.yaml"), "--db", str(olist / "ws.duckdb"), *out, *options
    )
    assert code == 2, output
    assert output == message


def test_path_data_take_no_period(tmp_path: Path) -> None:
    paths = tmp_path / "paths.csv"
    paths.write_text("path,total_conversions,total_null\nad > mail,3,1\n", encoding="utf-8")
    code, output = invoke("attribute", "--paths", str(paths), "--since", "2018-01-01")
    assert code == 2
    assert "leave out --since" in output


def test_out_that_is_a_file_is_refused_before_the_analysis(olist: Path) -> None:
    where = ("--map", str(olist / "map.yaml"), "--db", str(olist / "ws.duckdb"))
    code, output = invoke("analyze", *where, "--out", str(olist / "map.yaml"))
    assert code == 2
    assert output == (
        f"Error: --out {olist / 'map.yaml'} is a file, not a folder: the analysis is written "
        "into a folder (analysis.json and a Parquet file per table); give a folder's path (a "
        "missing folder is made)"
    )
    code, output = invoke("analyze", *where, "--out", str(olist / "map.yaml" / "q1"))
    assert code == 2
    assert output == (
        f"Error: --out {olist / 'map.yaml' / 'q1'} cannot be a folder: {olist / 'map.yaml'} is "
        "a file; give a folder's path for the analysis (a missing folder is made)"
    )
    assert "Errno" not in output


# Holds a DuckDB file's write lock until its stdin closes.
HOLDER = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1])
print("held", flush=True)
sys.stdin.read()
"""


def test_analyze_waits_for_a_workspace_another_process_holds(olist: Path, tmp_path: Path) -> None:
    db = tmp_path / "busy.duckdb"
    db.write_bytes((olist / "ws.duckdb").read_bytes())
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        args = [
            *(sys.executable, "-m", "journeymap", "analyze", "--map", str(olist / "map.yaml")),
            *("--db", str(db), "--out", str(tmp_path / "out"), "--no-attribution"),
        ]
        env = {**os.environ, "JOURNEYMAP_LANG": "en"}
        busy = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
        assert busy.returncode == 75, busy.stderr
        waiting = subprocess.Popen(
            [*args, "--wait", "60"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert waiting.stderr is not None
        assert waiting.stderr.readline() == (
            f"The workspace {db} is in use by another process (PID {holder.pid}); waiting up "
            "to 60 s.\n"
        )
        assert waiting.poll() is None
    finally:
        os.kill(holder.pid, signal.SIGTERM)  # the holder ends: the lock is free
        holder.communicate("")
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert "Conversions: 842" in out
    assert (tmp_path / "out" / "analysis.json").is_file()


def test_wait_takes_no_negative_seconds(olist: Path) -> None:
    code, output = invoke(
        *("analyze", "--map", str(olist / "map.yaml"), "--db", str(olist / "ws.duckdb")),
        *("--out", str(olist / "never"), "--wait", "-1"),
    )
    assert code == 2
    assert output == "Error: --wait takes seconds, 0 or more, not -1.0"
