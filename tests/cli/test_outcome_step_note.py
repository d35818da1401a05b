"""An outcome (``outcome: true``) given as a touchpoint funnel step is said, not refused.

"Reached the won deal" is a legitimate step, but an outcome is an end state, not a contact:
the funnel counts the journeys that reached it, while the drop-off correlation leaves it out
of the drivers and the attribution gives it no credit. ``analyze --funnel-step`` said nothing
of it. Olist's marketing funnel (Olist on Kaggle; CC BY-NC-SA 4.0), its won deals declared an
outcome; the map declares no funnel of its own, so the analysis' notes say it.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import pytest

from journeymap.analysis.notes import figure_notes
from journeymap.mapfile import load_map
from journeymap.services.analysis import analyze_workspace
from olist_cli import WARNINGS, import_olist, olist_map
from olist_cli import invoke as olist_invoke

pytestmark = WARNINGS

MAP = olist_map(["organic_search", "paid_search", "unknown-origin"], outcome=True)
NOTE = (
    "Note: the touchpoint funnel step won-deal is an outcome (outcome: true in the map), an "
    "end state rather than a contact: the funnel counts the journeys that reached it as "
    "reaching that outcome, while the drop-off correlation leaves it out of the drivers and "
    "the attribution gives it no credit."
)


invoke = functools.partial(olist_invoke, flat=True)


@pytest.fixture(scope="module")
def olist(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Olist's leads and won deals, imported with the command line."""
    folder = import_olist(tmp_path_factory.mktemp("olist"), datasets, MAP)
    (folder / "plain.yaml").write_text(MAP.replace(", outcome: true", ""), encoding="utf-8")
    return folder


def _analyze(olist: Path, map_name: str, *steps: str) -> str:
    code, output = invoke(
        *("analyze", "--map", str(olist / map_name), "--db", str(olist / "ws.duckdb")),
        *("--out", str(olist / "out"), "--no-attribution"),
        *(option for step in steps for option in ("--funnel-step", step)),
    )
    assert code == 0, output
    return output


def test_an_outcome_as_funnel_step_is_said_and_still_counted(olist: Path, datasets: Path) -> None:
    output = _analyze(olist, "map.yaml", "organic_search|paid_search", "won-deal")
    assert NOTE in output
    # A warning, not a refusal: the step counts the leads from search that were won.
    funnel = pd.read_parquet(olist / "out" / "touchpoint_funnel.parquet")
    assert list(funnel.touchpoint) == ["organic_search|paid_search", "won-deal"]
    leads = pd.read_csv(datasets / "olist-marketing-funnel" / "marketing_qualified_leads.csv")
    searched = int(leads.origin.isin(["organic_search", "paid_search"]).sum())
    assert int(funnel.reached.iloc[0]) == searched
    assert 0 < int(funnel.reached.iloc[1]) <= 842


def test_no_note_without_an_outcome_among_the_steps(olist: Path) -> None:
    assert "is an outcome" not in _analyze(olist, "map.yaml", "organic_search", "paid_search")
    # The same step, not declared an outcome.
    assert "is an outcome" not in _analyze(olist, "plain.yaml", "organic_search", "won-deal")
    # The default funnel (the map's touchpoints) is not the user's choice of steps.
    assert "is an outcome" not in _analyze(olist, "map.yaml")


def test_the_python_api_notes_it_too(olist: Path) -> None:
    analysis = analyze_workspace(
        olist / "map.yaml",
        db=olist / "ws.duckdb",
        funnel_touchpoints=["organic_search", ["paid_search", "won-deal"]],
        attribution=False,
    )
    notes = figure_notes(analysis, load_map(olist / "map.yaml"), "en")
    assert NOTE in notes
