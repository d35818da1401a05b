"""Olist's marketing funnel (Olist on Kaggle; CC BY-NC-SA 4.0) imported with the command line.

Leads (``marketing_qualified_leads.csv``: the origin is the touchpoint, a lead without one is
``unknown-origin``) and won deals (``closed_deals.csv``: ``won-deal``, the conversion) into a
DuckDB workspace ``ws.duckdb`` beside the map, as a user would import them; the CLI test
modules that read it give their own map.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from journeymap.cli.app import app

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
        result = CliRunner().invoke(
            app,
            [
                *("import", str(raw / f"{name}.csv"), "--map", str(folder / "map.yaml")),
                *("--rules", str(folder / f"{rules}.rules.yaml")),
                *("--db", str(folder / "ws.duckdb")),
            ],
            env={"JOURNEYMAP_LANG": "en", "COLUMNS": "250"},
        )
        assert result.exit_code == 0, result.output
    return folder
