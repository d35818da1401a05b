"""Olist marketing funnel (Olist on Kaggle; CC BY-NC-SA 4.0): a B2B seller acquisition funnel.

Two imports into one workspace, person = ``mql_id``:
- leads (``marketing_qualified_leads.csv``): first contact date (day-first, detected),
  touchpoint = origin channel; the 60 leads without any origin are kept as the touchpoint
  ``unknown-origin`` (a marketer wants them counted, not dropped), phase awareness;
- won deals (``closed_deals.csv``): won date (day-first with time), a constant ``stage: won``
  column makes every row a conversion, phase decision, persona-like columns kept.
Spreadsheet damage found in the data: ``average_stock`` ranges turned into dates (``5-20``
shown as ``May-20``: 22 rows, ``1-5`` as ``01-May``: 10 rows); the rules repair them and the
report counts them.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from journeymap.ingest import Workspace, import_events
from journeymap.model.mapping import MappingRules

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

LEADS = MappingRules.model_validate(
    {
        "columns": {"person_id": "mql_id", "timestamp": "first_contact_date"},
        "touchpoints": [
            {"touchpoint_from": "origin", "phase": "awareness"},
            {"touchpoint": "unknown-origin", "phase": "awareness"},
        ],
        "keep": ["origin", "landing_page_id"],
    }
)

DEALS = MappingRules.model_validate(
    {
        "columns": {
            "person_id": "mql_id",
            "timestamp": "won_date",
            "value": "declared_monthly_revenue",
        },
        "constant": {"stage": "won"},
        "touchpoints": [{"touchpoint": "won-deal", "phase": "decision"}],
        "conversion": [{"field": "stage", "equals": "won"}],
        "keep": [
            "business_segment",
            "lead_type",
            "lead_behaviour_profile",
            "business_type",
            "average_stock",
        ],
        "repair_spreadsheet_ranges": ["average_stock"],
    }
)


def test_leads_and_won_deals_as_one_funnel(datasets: Path) -> None:
    folder = datasets / "olist-marketing-funnel"
    with Workspace("duckdb://") as workspace:
        leads = import_events(workspace, folder / "marketing_qualified_leads.csv", LEADS)
        assert (leads.rows_read, leads.rows_imported, leads.rows_quarantined) == (8_000, 8_000, 0)
        assert leads.timestamp_format == "%d-%m-%Y"
        deals = import_events(workspace, folder / "closed_deals.csv", DEALS)
        assert (deals.rows_read, deals.rows_imported, deals.rows_quarantined) == (842, 842, 0)
        assert deals.timestamp_format == "%d-%m-%Y %H:%M"
        assert deals.repaired_values == 32
        assert deals.suspect_values == {}
        unrepaired = DEALS.model_copy(update={"repair_spreadsheet_ranges": []})
        with Workspace("duckdb://") as scratch:
            detected = import_events(scratch, folder / "closed_deals.csv", unrepaired)
        assert detected.suspect_values == {"average_stock": 32}

        events = workspace.events()
        by_touchpoint = Counter(events.touchpoint.to_pyarrow().to_pylist())
        assert by_touchpoint["unknown-origin"] == 60
        assert by_touchpoint["unknown"] == 1_099  # the channel literally called "unknown"
        assert by_touchpoint["won-deal"] == 842
        assert events.conversion.sum().execute() == 842
        assert events.person_id.nunique().execute() == 8_000  # every deal is a known lead
        won = events.filter(events.touchpoint == "won-deal")
        stock = Counter(json.loads(e)["average_stock"] for e in won.extra.to_pyarrow().to_pylist())
        assert (stock["5-20"], stock["1-5"], stock["May-20"]) == (22, 10, 0)
        first = events.filter(events.touchpoint != "won-deal").ts.min().execute()
        assert (first.year, first.month) == (2017, 6)
