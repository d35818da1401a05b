"""BPI Challenge 2012 (van Dongen, 2012; 4TU.ResearchData) imported from its XES file.

Mapping: person = case (trace ``concept:name``), touchpoint = activity (event ``concept:name``),
only ``COMPLETE`` lifecycle transitions become events (SCHEDULE/START of the W_ work items are
quarantined as ``filtered out``, so they are counted, not lost), conversion = ``A_APPROVED``,
value = the case's requested amount ``AMOUNT_REQ``. The expected counts are computed here from
the raw XES with a separate line-based parser, not with journeymap's reader.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from pathlib import Path

import pytest

from journeymap.ingest import Workspace, import_events
from journeymap.model.mapping import MappingRules

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

RULES = MappingRules.model_validate(
    {
        "columns": {
            "person_id": "case:concept:name",
            "timestamp": "time:timestamp",
            "value": "case:AMOUNT_REQ",
        },
        "only": [{"field": "lifecycle:transition", "equals": "COMPLETE"}],
        "touchpoints": [{"touchpoint_from": "concept:name"}],
        "conversion": [{"field": "concept:name", "equals": "A_APPROVED"}],
        "keep": ["org:resource", "lifecycle:transition"],
    }
)

ATTRIBUTE = re.compile(r'<(?:string|date|int|float|boolean) key="([^"]+)" value="([^"]*)"')


def independent_counts(path: Path) -> dict[str, int]:
    """Events, COMPLETE events, duplicate COMPLETE events and approvals, by scanning lines."""
    events = 0
    complete: Counter[tuple[str, ...]] = Counter()
    approvals = 0
    case = ""
    event: dict[str, str] | None = None
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            stripped = line.strip()
            if stripped == "<trace>":
                case = ""
            elif stripped == "<event>":
                event = {}
            elif stripped == "</event>" and event is not None:
                events += 1
                if event.get("lifecycle:transition") == "COMPLETE":
                    complete[(case, *sorted(event.items()))] += 1
                    approvals += event.get("concept:name") == "A_APPROVED"
                event = None
            else:
                match = ATTRIBUTE.search(stripped)
                if match and event is not None:
                    event[match.group(1)] = match.group(2)
                elif match and match.group(1) == "concept:name":
                    case = match.group(2)
    return {
        "events": events,
        "complete": sum(complete.values()),
        "duplicates": sum(count - 1 for count in complete.values()),
        "approvals": approvals,
        "activities": len({dict(key[1:])["concept:name"] for key in complete}),
    }


def test_bpic2012_cases_as_journeys(datasets: Path) -> None:
    path = datasets / "bpic2012" / "bpic2012.xes.gz"
    expected = independent_counts(path)
    assert expected["events"] == 262_200
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, path, RULES)
        assert report.rows_read == expected["events"]
        assert report.rows_imported == expected["complete"] - expected["duplicates"]
        assert report.rows_imported == 164_506
        assert report.quarantined == {"filtered out": 262_200 - 164_506}
        assert report.rows_duplicate == expected["duplicates"] == 0
        assert report.timestamp_format == "ISO 8601"
        events = workspace.events()
        assert events.person_id.nunique().execute() == 13_087
        assert events.conversion.sum().execute() == expected["approvals"] == 2_246
        # 24 activities in the log; W_Wijzigen contractgegevens is only ever scheduled
        assert events.touchpoint.nunique().execute() == expected["activities"] == 23
        approved_amount = events.filter(events.conversion).value.sum().execute()
        assert approved_amount > 0
