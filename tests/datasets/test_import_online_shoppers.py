"""UCI Online Shoppers Purchasing Intention (Sakar et al., 2019; CC BY 4.0): one row = one session.

No session id and no timestamp (only the month): the person is the row, every row gets
``timestamp_constant``. Equal rows are distinct sessions here (125 rows repeat another row, e.g.
one-page bounces), so the rules say ``duplicates: keep``; with the default they would be
quarantined as ``exact duplicate``, which the second test shows. Touchpoint = the traffic
type (20 codes), kept in ``extra`` for the breakdown as well.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journeymap.ingest import Workspace, import_events
from journeymap.model.mapping import MappingRules

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

RULES = {
    "columns": {"person_from_row": True, "timestamp_constant": "2019-01-01"},
    "touchpoints": [{"touchpoint_from": "TrafficType"}],
    "conversion": [{"field": "Revenue", "equals": "TRUE"}],
    "keep": ["TrafficType", "VisitorType", "Month", "Weekend"],
    "duplicates": "keep",
}


def test_sessions_with_traffic_type_breakdown(datasets: Path) -> None:
    path = datasets / "uci-online-shoppers" / "online_shoppers_intention.csv"
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, path, MappingRules.model_validate(RULES))
        assert (report.rows_read, report.rows_imported, report.rows_quarantined) == (
            12_330,
            12_330,
            0,
        )
        events = workspace.events()
        assert events.conversion.sum().execute() == 1_908
        assert events.touchpoint.nunique().execute() == 20
        traffic = {json.loads(e)["TrafficType"] for e in events.extra.to_pyarrow().to_pylist()}
        assert len(traffic) == 20
        again = import_events(workspace, path, MappingRules.model_validate(RULES))
        assert (again.rows_imported, again.rows_already_imported) == (0, 12_330)


def test_default_rules_notice_repeated_rows(datasets: Path) -> None:
    path = datasets / "uci-online-shoppers" / "online_shoppers_intention.csv"
    strict = MappingRules.model_validate({**RULES, "duplicates": "quarantine"})
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, path, strict)
        assert report.quarantined == {"exact duplicate": 125}
        assert report.rows_imported == 12_330 - 125
