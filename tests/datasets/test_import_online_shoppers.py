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


def test_drop_off_correlation_of_traffic_types_matches_the_raw_sessions(datasets: Path) -> None:
    """Each session is one journey whose only event is the conversion when it bought.

    The odds ratios must be those of the raw 2x2 tables: traffic type 2 (847 of 3,913
    sessions bought, against 1,061 of the other 8,417) is positive. It came out as OR 0 when
    the converting session's own touchpoint was not counted.
    """
    import csv

    from journeymap.analysis import analyze
    from journeymap.engine.correlation import odds_ratio
    from journeymap.mapfile import loads_map

    path = datasets / "uci-online-shoppers" / "online_shoppers_intention.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        sessions = [
            (row["TrafficType"], row["Revenue"] == "TRUE")
            for row in csv.DictReader(handle, delimiter=";")
        ]
    codes = sorted({code for code, _ in sessions}, key=int)
    lines = ["id: shop", "name: Shop", "phases:", "  - {id: visit, name: Visit}", "touchpoints:"]
    lines += [f"  - {{id: '{code}', name: Traffic {code}, phases: [visit]}}" for code in codes]
    journey_map = loads_map("\n".join(lines) + "\n")
    with Workspace("duckdb://") as workspace:
        import_events(workspace, path, MappingRules.model_validate(RULES))
        with analyze(journey_map, workspace.events(), attribution=False) as found:
            rows = {r["touchpoint"]: r for r in found.tables["correlation"].to_pylist()}
    bought = sum(converted for _, converted in sessions)
    for code in codes:
        nw = sum(1 for c, _ in sessions if c == code)
        cw = sum(1 for c, converted in sessions if c == code and converted)
        nwo, cwo = len(sessions) - nw, bought - cw
        if min(nw, nwo) < 5:  # the default minimum support
            assert code not in rows
            continue
        row = rows[code]
        assert (row["journeys_with"], row["converted_with"]) == (nw, cw), code
        assert (row["journeys_without"], row["converted_without"]) == (nwo, cwo), code
        assert row["odds_ratio"] == pytest.approx(odds_ratio(cw, nw, cwo, nwo)[0])
    assert (rows["2"]["journeys_with"], rows["2"]["converted_with"]) == (3_913, 847)
    assert rows["2"]["direction"] == "positive" and rows["2"]["odds_ratio"] > 1.5
