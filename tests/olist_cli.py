"""Olist's marketing funnel (Olist on Kaggle; CC BY-NC-SA 4.0) imported with the command line.

Leads (``marketing_qualified_leads.csv``: the origin is the touchpoint, a lead without one is
``unknown-origin``) and won deals (``closed_deals.csv``: ``won-deal``, the conversion) into a
DuckDB workspace ``ws.duckdb`` beside the map, as a user would import them; the CLI test
modules that read it give their own map (:func:`olist_map`) and run the command line with
:func:`invoke`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app, console

# What reading the CSVs through pandas and DuckDB warns about, for the modules' pytestmark.
WARNINGS = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

LEADS = """\
columns: {person_id: mql_id, timestamp: first_contact_date}
touchpoints:
  - {touchpoint_from: origin, phase: awareness}
  - {touchpoint: unknown-origin, phase: awareness}
"""
DEALS = """\
columns: {person_id: mql_id, timestamp: won_date}
constant: {stage: won}
touchpoints:
  - {touchpoint: won-deal, phase: decision}
conversion:
  - {field: stage, equals: won}
"""


def import_olist(
    folder: Path, datasets: Path, journey_map: str, *, leads: str = LEADS, deals: str = DEALS
) -> Path:
    """Write ``map.yaml`` and the two rules files to ``folder``, import both files; ``folder``."""
    (folder / "map.yaml").write_text(journey_map, encoding="utf-8")
    (folder / "leads.rules.yaml").write_text(leads, encoding="utf-8")
    (folder / "deals.rules.yaml").write_text(deals, encoding="utf-8")
    raw = datasets / "olist-marketing-funnel"
    for name, rules in (("marketing_qualified_leads", "leads"), ("closed_deals", "deals")):
        code, output = invoke(
            *("import", str(raw / f"{name}.csv"), "--map", str(folder / "map.yaml")),
            *("--rules", str(folder / f"{rules}.rules.yaml")),
            *("--db", str(folder / "ws.duckdb")),
        )
        assert code == 0, output
    return folder


def olist_map(awareness: Iterable[str], *, outcome: bool = False, tail: str = "") -> str:
    """A map of the two phases: ``awareness`` touchpoints (the origins), then the won deal.

    Names are the ids in words (``organic_search`` -> "Organic search"); ``outcome`` declares
    the won deal an outcome; ``tail`` is YAML added at the end (``labels:``, say).
    """
    lines = [
        "id: olist",
        "name: Olist sellers",
        "phases:",
        "  - {id: awareness, name: Awareness, order: 1}",
        "  - {id: decision, name: Decision, order: 2}",
        "touchpoints:",
    ]
    for touchpoint in awareness:
        lines.append(f"  - {{id: {touchpoint}, name: {_words(touchpoint)}, phases: [awareness]}}")
    won = ", outcome: true" if outcome else ""
    lines.append(f"  - {{id: won-deal, name: Won deal, phases: [decision]{won}}}")
    return "\n".join(lines) + "\n" + tail


def _words(touchpoint: str) -> str:
    return touchpoint.replace("_", " ").replace("-", " ").capitalize()


def invoke(
    *args: str,
    language: str = "en",
    columns: int = 250,
    flat: bool = False,
    console_width: int | None = None,
) -> tuple[int, str]:
    """Run ``journeymap ARGS``: the exit code and the output (``flat``: spaces collapsed).

    ``console_width`` also sets the width of the console the commands print to, which exists
    already when an earlier test imported it (``COLUMNS`` alone then changes nothing).
    """
    saved = console._width
    if console_width is not None:
        console.width = console_width
    try:
        result = CliRunner().invoke(
            app, list(args), env={"JOURNEYMAP_LANG": language, "COLUMNS": str(columns)}
        )
    finally:
        console._width = saved
    output = " ".join(result.output.split()) if flat else result.output
    return result.exit_code, output
