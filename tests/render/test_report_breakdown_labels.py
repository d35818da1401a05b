"""Breakdown values read as the map's labels in the report and on the command line.

UCI Online Shoppers Purchasing Intention (Sakar, Polat, Katircioglu & Kastro, 2019; CC BY
4.0): 12,330 sessions, ``VisitorType`` Returning_Visitor / New_Visitor / Other. A Danish
webshop's map labels them; the figures are counted here from the CSV, independently.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from journeymap.analysis import Analysis
from journeymap.cli.app import app
from journeymap.mapfile import load_map
from journeymap.render import render_report_html

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

MAP_YAML = """\
id: webshop
name: Webshop
language: da
kind: b2c
phases:
  - {id: besoeg, name: Besøg, order: 1}
touchpoints:
  - {id: direkte, name: Direkte trafik, phases: [besoeg]}
labels:
  VisitorType:
    Returning_Visitor: Tilbagevendende besøgende
    New_Visitor: Ny besøgende
    Other: Andre
  Weekend:
    true: Weekend      # YAML reads a boolean; the CSV says TRUE
    false: Hverdag
  Month:
    Feb: februar
    Mar: marts
    May: maj
    June: juni
    Jul: juli
    Aug: august
    Sep: september
    Oct: oktober
    Nov: november
    Dec: december
"""

RULES_YAML = """\
columns: {person_from_row: true, timestamp_constant: "2019-01-01"}
touchpoints: [{touchpoint: direkte}]
conversion: [{field: Revenue, equals: "TRUE"}]
keep: [VisitorType, Weekend, Month]
duplicates: keep
"""

LABELS = {
    "Returning_Visitor": "Tilbagevendende besøgende",
    "New_Visitor": "Ny besøgende",
    "Other": "Andre",
}
ROW = re.compile(r"^│(.*)│$")


@dataclass
class Run:
    """The user's files, what ``analyze`` printed, and the sessions counted from the CSV."""

    map_path: Path
    out: Path
    printed: str
    sessions: Counter[str]
    bought: Counter[str]


def _invoke(*args: str, language: str = "da") -> str:
    result = CliRunner().invoke(
        app, list(args), env={"JOURNEYMAP_LANG": language, "COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def run(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("shoppers")
    csv_path = datasets / "uci-online-shoppers" / "online_shoppers_intention.csv"
    map_path, rules_path = folder / "butik.yaml", folder / "butik.rules.yaml"
    map_path.write_text(MAP_YAML, encoding="utf-8")
    rules_path.write_text(RULES_YAML, encoding="utf-8")
    db, out = folder / "ws.duckdb", folder / "out"
    _invoke("import", str(csv_path), "--map", str(map_path), "--rules", str(rules_path),
            "--db", str(db))  # fmt: skip
    printed = _invoke("analyze", "--map", str(map_path), "--db", str(db), "--out", str(out),
                      "--breakdown", "VisitorType", "--no-attribution")  # fmt: skip
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    sessions = Counter(row["VisitorType"] for row in rows)
    bought = Counter(row["VisitorType"] for row in rows if row["Revenue"] == "TRUE")
    return Run(map_path, out, printed, sessions, bought)


def _table(output: str, title: str) -> list[list[str]]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(title))
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip() or line.lstrip()[0] not in "┏┃┡│└":
            break
        match = ROW.match(line.strip())
        if match:
            rows.append([cell.strip() for cell in match.group(1).split("│")])
    return rows


def _report_rows(html: str) -> list[list[str]]:
    table = re.search(r'<table class="breakdown"[^>]*>(.*?)</table>', html, re.S)
    assert table, "no breakdown table"
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)[1:]:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def _whole(text: str) -> int:
    return int(text.replace(".", "").replace(",", ""))


def test_the_command_line_shows_the_labels(run: Run) -> None:
    rows = _table(run.printed, "Fasetragt efter VisitorType")
    shown = {row[0]: (_whole(row[1]), _whole(row[2])) for row in rows[1:]}
    assert shown == {
        LABELS[value]: (run.sessions[value], run.bought[value]) for value in run.sessions
    }
    assert shown["Tilbagevendende besøgende"] == (10_551, 1_470)
    assert "Returning_Visitor" not in run.printed and "New_Visitor" not in run.printed


def test_the_report_shows_the_labels(run: Run) -> None:
    journey_map = load_map(run.map_path)
    html = render_report_html(journey_map, Analysis.load(run.out), embed_fonts=False)
    rows = {row[0]: _whole(row[1]) for row in _report_rows(html)[1:]}
    assert rows == {LABELS[value]: run.sessions[value] for value in run.sessions}
    assert "Returning_Visitor" not in html


def test_the_analysis_keeps_the_raw_values(run: Run) -> None:
    document = json.loads((run.out / "analysis.json").read_text(encoding="utf-8"))
    saved = {row["VisitorType"] for row in document["tables"]["phase_funnel"] if row["breakdown"]}
    assert saved == set(run.sessions) == set(LABELS)
    parquet = pq.read_table(run.out / "phase_funnel.parquet").column("VisitorType").to_pylist()
    assert set(parquet) - {None} == set(LABELS)


def test_months_labelled_in_danish_keep_the_calendar_order(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "months"
    printed = _invoke("analyze", "--map", str(run.map_path), "--db",
                      str(run.out.parent / "ws.duckdb"), "--out", str(out), "--breakdown",
                      "Month", "--no-attribution")  # fmt: skip
    labels = [row[0] for row in _table(printed, "Fasetragt efter Month")]
    assert labels == ["Alle rejser", "februar", "marts", "maj", "juni", "juli", "august",
                      "september", "oktober", "november", "december"]  # fmt: skip


def test_yaml_booleans_label_the_weekend_column(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "weekend"
    printed = _invoke("analyze", "--map", str(run.map_path), "--db",
                      str(run.out.parent / "ws.duckdb"), "--out", str(out), "--breakdown",
                      "Weekend", "--no-attribution")  # fmt: skip
    labels = {row[0]: _whole(row[1]) for row in _table(printed, "Fasetragt efter Weekend")[1:]}
    # 2,868 weekend sessions of 12,330 in the CSV.
    assert labels == {"Hverdag": 9_462, "Weekend": 2_868}
