"""A period whose date and span cross only at the data's end names the options that made it.

``--since 30d --until 2018-01-01`` can be checked only once the data's last event is known,
deep in the analysis, whose message named the Python parameters: "since 2018-10-15 18:04 UTC
is not before until 2018-01-01". The command line names ``--since`` and ``--until``, the Python
API its parameters, as for every other period message. Olist's marketing funnel (Olist on
Kaggle; CC BY-NC-SA 4.0): its last event is the last won deal.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pandas as pd
import pytest

from journeymap.errors import UsageError
from journeymap.services.analysis import analyze_workspace
from olist_cli import WARNINGS, import_olist, olist_map
from olist_cli import invoke as olist_invoke

pytestmark = WARNINGS

MAP = olist_map(["organic_search", "unknown-origin"])


invoke = functools.partial(olist_invoke, flat=True)


@pytest.fixture(scope="module")
def olist(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return import_olist(tmp_path_factory.mktemp("olist"), datasets, MAP)


def _back_from_the_end(datasets: Path, days: int) -> str:
    """The moment ``days`` before the last won deal, as the messages write it (UTC)."""
    deals = pd.read_csv(datasets / "olist-marketing-funnel" / "closed_deals.csv")
    last = pd.to_datetime(deals.won_date, format="%d-%m-%Y %H:%M").max()
    return (last.to_pydatetime() - dt.timedelta(days=days)).strftime("%Y-%m-%d %H:%M UTC")


def test_analyze_names_its_options_when_a_span_and_a_date_cross(
    olist: Path, datasets: Path
) -> None:
    start = _back_from_the_end(datasets, 30)
    code, output = invoke(
        *("analyze", "--map", str(olist / "map.yaml"), "--db", str(olist / "ws.duckdb")),
        *("--out", str(olist / "out"), "--since", "30d", "--until", "2018-01-01"),
    )
    assert code == 2
    assert output == (
        f"Error: --since {start} is not before --until 2018-01-01: the period is empty (since "
        "is included, until is left out)"
    )


def test_analyze_names_its_options_when_the_end_is_the_span(olist: Path, datasets: Path) -> None:
    end = _back_from_the_end(datasets, 200)
    code, output = invoke(
        *("analyze", "--map", str(olist / "map.yaml"), "--db", str(olist / "ws.duckdb")),
        *("--out", str(olist / "out"), "--since", "2018-06-01", "--until", "200d"),
    )
    assert code == 2
    assert output.startswith(f"Error: --since 2018-06-01 is not before --until {end}: ")


def test_the_python_api_names_its_parameters(olist: Path, datasets: Path) -> None:
    start = _back_from_the_end(datasets, 30)
    with pytest.raises(UsageError) as caught:
        analyze_workspace(
            olist / "map.yaml", db=olist / "ws.duckdb", since="30d", until="2018-01-01"
        )
    assert str(caught.value).startswith(f"since {start} is not before until 2018-01-01: ")
    # A command run before does not leave its option names behind.
    invoke(
        *("analyze", "--map", str(olist / "map.yaml"), "--db", str(olist / "ws.duckdb")),
        *("--out", str(olist / "out"), "--since", "30d", "--until", "2018-01-01"),
    )
    with pytest.raises(UsageError, match=r"^since "):
        analyze_workspace(
            olist / "map.yaml", db=olist / "ws.duckdb", since="30d", until="2018-01-01"
        )


def test_attribute_names_its_options_too(olist: Path, datasets: Path) -> None:
    start = _back_from_the_end(datasets, 30)
    code, output = invoke(
        *("attribute", "--map", str(olist / "map.yaml"), "--db", str(olist / "ws.duckdb")),
        *("--model", "linear", "--since", "30d", "--until", "2018-01-01"),
    )
    assert code == 2
    assert output.startswith(f"Error: --since {start} is not before --until 2018-01-01: ")
