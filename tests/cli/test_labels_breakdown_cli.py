"""A breakdown as the map's labels name it: the column by its ``(column)`` label, the journeys
without a value by its ``(none)`` label, in ``analyze``'s tables and notes and in the report.

Olist's marketing funnel (Olist on Kaggle; CC BY-NC-SA 4.0): 60 of its 8,000 leads have no
origin, which the phase funnel by origin showed as "(none)", under the title "Phase funnel by
origin". The saved tables keep the raw values (null).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from olist_cli import DEALS, LEADS, WARNINGS, import_olist, olist_map
from olist_cli import invoke as olist_invoke

pytestmark = WARNINGS

MAP = olist_map(
    ["organic_search", "paid_search", "unknown-origin"],
    tail="""\
labels:
  origin:
    (column): Lead origin
    ~: No origin given
    organic_search: Organic search
  lead_type:
    (column): Lead type
""",
)


def invoke(*args: str) -> tuple[int, str]:
    # As wide as no header wraps (the console may exist already).
    return olist_invoke(*args, console_width=250)


@pytest.fixture(scope="module")
def olist(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Olist's leads (origin kept) and won deals (lead type kept), imported with the CLI."""
    return import_olist(
        tmp_path_factory.mktemp("olist"),
        datasets,
        MAP,
        leads=f"{LEADS}keep: [origin]\n",
        deals=f"{DEALS}keep: [lead_type]\n",
    )


def _analyze(olist: Path, out: str, *options: str) -> str:
    code, output = invoke(
        *("analyze", "--map", str(olist / "map.yaml"), "--db", str(olist / "ws.duckdb")),
        *("--out", str(olist / out), "--no-attribution", *options),
    )
    assert code == 0, output
    return output


def _table(output: str, title: str) -> dict[str, list[str]]:
    """The rows of the table under ``title`` by their first cell (the header row too)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    rows = {}
    for line in lines[start + 1 :]:
        if line.startswith("└"):
            break
        if line[:1] in "┃│":
            cells = [cell.strip() for cell in re.split(r"[┃│]", line)[1:-1]]
            rows[cells[0]] = cells[1:]
    return rows


def test_the_breakdown_names_the_column_and_the_journeys_without_a_value(
    olist: Path, datasets: Path
) -> None:
    leads = pd.read_csv(datasets / "olist-marketing-funnel" / "marketing_qualified_leads.csv")
    without = int(leads.origin.isna().sum())
    assert without == 60
    output = _analyze(olist, "by-origin", "--breakdown", "origin")
    rows = _table(output, "Phase funnel by Lead origin")
    assert rows["Lead origin"][:2] == ["Awareness", "Decision"]  # the header row
    assert rows["No origin given"][0] == f"{without}"
    assert rows["Organic search"][0] == f"{int((leads.origin == 'organic_search').sum()):,}"
    assert "(none)" not in rows
    assert "Phase funnel by origin" not in output
    # The tables keep the raw value: null.
    funnel = pd.read_parquet(olist / "by-origin" / "phase_funnel.parquet")
    first = funnel[(funnel.breakdown == "origin") & (funnel.step == 1)]
    assert int(first[first.origin.isna()].reached.iloc[0]) == without
    assert "No origin given" not in set(funnel.origin.dropna())


def test_the_report_names_the_column_and_the_missing_values_too(olist: Path) -> None:
    _analyze(olist, "for-report", "--breakdown", "origin")
    code, output = invoke(
        *("render", str(olist / "map.yaml"), "--analysis", str(olist / "for-report")),
        *("--format", "html", "--out", str(olist / "report.html")),
    )
    assert code == 0, output
    html = (olist / "report.html").read_text(encoding="utf-8")
    assert re.search(r"<th[^>]*>Broken down by</th>\s*<td[^>]*>Lead origin</td>", html)
    assert "Phase funnel by Lead origin" in html
    assert re.search(r"<th[^>]*>No origin given</th>", html)


def test_a_note_on_a_column_names_it_as_the_labels_do(olist: Path, datasets: Path) -> None:
    deals = pd.read_csv(datasets / "olist-marketing-funnel" / "closed_deals.csv")
    typed = int(deals.lead_type.notna().sum())
    output = " ".join(_analyze(olist, "by-type", "--breakdown", "lead_type").split())
    assert "Phase funnel by Lead type" in output
    # Olist's lead type comes with the won deal: the note names the column as the map does.
    assert f"Note: Lead type is set only on journeys that converted ({typed} of 842;" in output


def test_separate_breakdowns_give_one_funnel_per_column(olist: Path, datasets: Path) -> None:
    """Two columns each on their own: every lead counted once by origin and once by type."""
    leads = pd.read_csv(datasets / "olist-marketing-funnel" / "marketing_qualified_leads.csv")
    deals = pd.read_csv(datasets / "olist-marketing-funnel" / "closed_deals.csv")
    options = ("--breakdown", "origin", "--breakdown", "lead_type", "--separate-breakdowns")
    output = _analyze(olist, "separate", *options)
    by_origin = _table(output, "Phase funnel by Lead origin")
    by_type = _table(output, "Phase funnel by Lead type")
    assert by_origin["No origin given"][0] == "60"
    assert by_origin["Organic search"][0] == f"{int((leads.origin == 'organic_search').sum()):,}"
    online = int((deals.lead_type == "online_medium").sum())
    assert by_type["online_medium"][0] == f"{online:,}"
    assert "Phase funnel by Lead origin, Lead type" not in output
    funnel = pd.read_parquet(olist / "separate" / "phase_funnel.parquet")
    first = funnel[funnel.step == 1]
    total = int(first[first.breakdown.isna()].reached.iloc[0])
    for column, other in (("origin", "lead_type"), ("lead_type", "origin")):
        rows = first[first.breakdown == column]
        assert rows[other].isna().all()  # the other column plays no part in these rows
        assert int(rows.reached.sum()) == total  # every journey once per column
    # Crossed (the default), one funnel over the combinations instead.
    _analyze(olist, "crossed", *options[:-1])
    crossed = pd.read_parquet(olist / "crossed" / "phase_funnel.parquet")
    assert set(crossed.breakdown.dropna()) == {"origin,lead_type"}
    code, output = invoke(
        *("render", str(olist / "map.yaml"), "--analysis", str(olist / "separate")),
        *("--format", "html", "--out", str(olist / "separate.html")),
    )
    assert code == 0, output
    html = (olist / "separate.html").read_text(encoding="utf-8")
    assert re.search(
        r"<th[^>]*>Broken down by</th>\s*<td[^>]*>Lead origin, Lead type, each on its own</td>",
        html,
    )
    assert "Phase funnel by Lead origin" in html and "Phase funnel by Lead type" in html


def test_separate_breakdowns_take_yes_or_no() -> None:
    from journeymap.engine.journeys import JourneyOptions
    from journeymap.errors import UsageError

    assert JourneyOptions(separate_breakdowns="yes").separate_breakdowns is True
    with pytest.raises(UsageError, match=r"separate_breakdowns='maybe' is not a yes/no value"):
        JourneyOptions(separate_breakdowns="maybe")
