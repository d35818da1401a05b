"""UCI Bank Marketing (Moro, Laureano & Cortez, 2011; CC BY 4.0): one row = one client.

The file has no usable timestamp (only the day and month of the last contact, no year), so
every row gets ``timestamp_constant`` and keeps its file order in ``row_number``; the person is
the row (``person_from_row``). Touchpoint = the contact channel of this campaign; the outcome
of the previous campaign (``poutcome``) is kept for breakdowns together with the persona
columns (age band derived from ``age``, job, marital status). The published set has 45,211
clients; the file has one exact duplicate row, which must be quarantined, not imported twice.
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

RULES = MappingRules.model_validate(
    {
        "columns": {"person_from_row": True, "timestamp_constant": "2008-05-01"},
        "touchpoints": [
            {"touchpoint": "phone-mobile", "when": [{"field": "contact", "equals": "cellular"}]},
            {"touchpoint": "phone-landline", "when": [{"field": "contact", "equals": "telephone"}]},
            {"touchpoint": "phone-unknown", "when": [{"field": "contact", "equals": "unknown"}]},
        ],
        "conversion": [{"field": "y", "equals": "yes"}],
        "bands": [{"field": "age", "name": "age_band", "edges": [18, 30, 40, 50, 60, 70]}],
        "keep": ["job", "marital", "poutcome", "campaign", "previous"],
    }
)


@pytest.mark.slow
def test_bank_clients_with_personas_and_the_duplicate(datasets: Path) -> None:
    path = datasets / "uci-bank-marketing" / "bank-full.csv"
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, path, RULES)
        assert report.rows_read == 45_212
        assert report.rows_imported == 45_211
        assert report.quarantined == {"exact duplicate": 1}
        duplicate = workspace.quarantine().to_pyarrow().to_pylist()[0]
        assert json.loads(duplicate["raw"])["y"] == "yes"
        events = workspace.events()
        assert events.conversion.sum().execute() == 5_289  # 5,290 "yes" rows, one a duplicate
        touchpoints = Counter(events.touchpoint.to_pyarrow().to_pylist())
        assert sum(touchpoints.values()) == 45_211
        assert set(touchpoints) == {"phone-mobile", "phone-landline", "phone-unknown"}
        extras = [json.loads(text) for text in events.extra.to_pyarrow().to_pylist()]
        bands = Counter(extra["age_band"] for extra in extras)
        assert set(bands) <= {"18-29", "30-39", "40-49", "50-59", "60-69", "70+"}
        assert bands["30-39"] > bands["70+"] > 0
        assert {extra["marital"] for extra in extras} == {"married", "single", "divorced"}
        assert len({extra["job"] for extra in extras}) == 12
