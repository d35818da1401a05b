"""``analyze``'s table of touchpoints says when each was met first and last, in 80 columns.

``touchpoint_stats`` has ``first_seen`` and ``last_seen`` (a touchpoint whose events stop long
before the data's end is one journeys no longer meet), but the printed table left them out.
They are dates in the user's language, and the table keeps within the terminal: rich narrowed
its widest columns first, which cut the touchpoint ids (``organic…``). Olist's marketing
funnel (Olist on Kaggle; CC BY-NC-SA 4.0); the expected dates come from the raw CSV files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from journeymap.cli.app import console
from olist_cli import WARNINGS, import_olist, olist_map
from olist_cli import invoke as olist_invoke

pytestmark = WARNINGS

MAP = olist_map(["organic_search", "paid_search", "trade-fair", "unknown-origin"])
TITLES = {"en": "Conversion rate per touchpoint", "da": "Konverteringsrate pr. touchpoint"}


@pytest.fixture
def console_80() -> Iterator[None]:
    """An 80-column console, whatever terminal the test run is attached to."""
    saved = console._width
    console.width = 80
    yield
    console._width = saved


def invoke(*args: str, language: str = "en") -> tuple[int, str]:
    return olist_invoke(*args, language=language, columns=80)


@pytest.fixture(scope="module")
def olist(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return import_olist(tmp_path_factory.mktemp("olist"), datasets, MAP)


def _seen(datasets: Path) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """First and last event per touchpoint, read from the raw CSV files."""
    raw = datasets / "olist-marketing-funnel"
    leads = pd.read_csv(raw / "marketing_qualified_leads.csv")
    deals = pd.read_csv(raw / "closed_deals.csv")
    contact = pd.to_datetime(leads.first_contact_date, format="%d-%m-%Y")
    won = pd.to_datetime(deals.won_date, format="%d-%m-%Y %H:%M")
    touchpoint = leads.origin.fillna("unknown-origin")
    found = {
        name: (contact[touchpoint == name].min(), contact[touchpoint == name].max())
        for name in set(touchpoint)
    }
    found["won-deal"] = (won.min(), won.max())
    return found


def _table(output: str, title: str) -> tuple[list[str], dict[str, list[str]]]:
    """The table under ``title``: its lines, and its rows by their first cell."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("└"))
    rows = {}
    for line in lines[start + 1 : end]:
        if line.startswith("│"):
            cells = [cell.strip() for cell in re.split(r"│", line)[1:-1]]
            rows[cells[0]] = cells[1:]
    return lines[start : end + 1], rows


def _analyze(olist: Path, language: str) -> str:
    code, output = invoke(
        *("analyze", "--map", str(olist / "map.yaml"), "--db", str(olist / "ws.duckdb")),
        *("--out", str(olist / f"out-{language}"), "--no-attribution"),
        language=language,
    )
    assert code == 0, output
    return output


@pytest.mark.usefixtures("console_80")
def test_first_and_last_seen_as_dates_within_80_columns(olist: Path, datasets: Path) -> None:
    seen = _seen(datasets)
    lines, rows = _table(_analyze(olist, "en"), TITLES["en"])
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    header = " ".join(line for line in lines if line.startswith("┃"))
    assert re.search(r"First\s.*seen", header) and re.search(r"Last\s.*seen", header)
    for touchpoint, (first, last) in seen.items():
        # Every id whole (other_publicities is the longest), its dates as English writes them.
        assert rows[touchpoint][-2:] == [
            f"{first.month}/{first.day}/{first.year % 100:02d}",
            f"{last.month}/{last.day}/{last.year % 100:02d}",
        ], touchpoint
    assert rows["won-deal"][:3] == ["100.0%", "842", "842"]  # the figures as before
    assert rows["trade-fair"][-2:] == ["-", "-"]  # on the map, never met


@pytest.mark.usefixtures("console_80")
def test_dates_in_danish(olist: Path, datasets: Path) -> None:
    first, last = _seen(datasets)["organic_search"]
    lines, rows = _table(_analyze(olist, "da"), TITLES["da"])
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    assert rows["organic_search"][-2:] == [f"{first:%d.%m.%Y}", f"{last:%d.%m.%Y}"]
    assert rows["organic_search"][1] == "2.296"  # the figures in Danish, as before
