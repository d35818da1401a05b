"""``events_per_row`` on UCI Online Shoppers (Sakar et al., 2019; CC BY 4.0): one row per session.

Each session row counts the pages it saw per page type (Administrative, Informational,
ProductRelated) and says whether it bought (``Revenue``). Unpivoted, a session makes one event
per page type it saw and a purchase event when it bought: no reshaping in pandas first. Every
figure is checked against an independent pandas count of the raw CSV.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from shop_files import FILTERS

from journeymap.analysis import analyze
from journeymap.ingest import Workspace, import_events
from journeymap.mapfile import loads_map
from journeymap.model.mapping import MappingRules

pytestmark = FILTERS

PAGES = {"administrative": "Administrative", "informational": "Informational"}
PAGES["product"] = "ProductRelated"
ENTRIES: list[dict[str, Any]] = [
    {"touchpoint": touchpoint, "when": [{"field": column, "greater_than": 0}]}
    for touchpoint, column in PAGES.items()
]
PURCHASE = {
    "touchpoint": "purchase",
    "conversion": True,
    "when": [{"field": "Revenue", "equals": True}],
}
RULES: dict[str, Any] = {
    # No session id and no time: the session is the row, all events at one constant time,
    # in the entries' order. Equal rows are distinct sessions (one-page bounces).
    "columns": {"person_from_row": True, "timestamp_constant": "2019-01-01"},
    "duplicates": "keep",
    "keep": ["VisitorType"],
    "events_per_row": [*ENTRIES, PURCHASE],
}
MAP = """\
id: shop
name: Online shop
phases:
  - {id: browse, name: Browse}
  - {id: buy, name: Buy}
touchpoints:
  - {id: administrative, name: Account pages, phases: [browse]}
  - {id: informational, name: Information pages, phases: [browse]}
  - {id: product, name: Product pages, phases: [browse]}
  - {id: purchase, name: Purchase, phases: [buy]}
"""


@pytest.fixture(scope="module")
def sessions(datasets: Path) -> pd.DataFrame:
    """The raw CSV as pandas reads it: the independent count."""
    path = datasets / "uci-online-shoppers" / "online_shoppers_intention.csv"
    return pd.read_csv(path, sep=";")


@pytest.fixture
def csv_path(datasets: Path) -> Path:
    return datasets / "uci-online-shoppers" / "online_shoppers_intention.csv"


def test_each_session_makes_one_event_per_page_type_seen_and_a_purchase(
    csv_path: Path, sessions: pd.DataFrame
) -> None:
    expected = {tp: int((sessions[column] > 0).sum()) for tp, column in PAGES.items()}
    expected["purchase"] = int(sessions["Revenue"].sum())
    assert expected["purchase"] == 1_908
    no_page = sessions[[*PAGES.values()]].eq(0).all(axis=1)
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, csv_path, MappingRules.model_validate(RULES))
        assert report.touchpoints == expected
        assert report.rows_imported == sum(expected.values())  # events, not rows
        assert report.conversions == 1_908
        # Rows and events are counted apart, and every row read is accounted for once.
        assert report.rows_read == len(sessions) == 12_330
        assert report.rows_with_events == len(sessions) - int(no_page.sum())
        assert report.quarantined == {"no entry of events_per_row matched": int(no_page.sum())}
        assert report.rows_with_events + report.rows_quarantined == report.rows_read
        assert report.events_quarantined == {}
        lines = dict(report.count_rows())
        assert lines["read"] == 12_330 and lines["events imported"] == sum(expected.values())

        # The quarantine holds the sessions that saw no page at all, whole, with the reason.
        rows = workspace.quarantine().to_pyarrow().to_pylist()
        assert sorted(row["row_number"] for row in rows) == [i + 1 for i in no_page[no_page].index]
        assert {row["reason"] for row in rows} == {"no entry of events_per_row matched"}
        assert '"ProductRelated": "0"' in rows[0]["raw"]

        again = import_events(workspace, csv_path, MappingRules.model_validate(RULES))
        assert (again.rows_imported, again.rows_quarantined) == (0, 0)
        assert again.rows_already_imported == 12_330
        assert workspace.events().count().execute() == sum(expected.values())
        assert workspace.quarantine().count().execute() == int(no_page.sum())


def test_a_marketer_reads_product_reach_and_conversion_from_the_sessions(
    csv_path: Path, sessions: pd.DataFrame
) -> None:
    product = sessions["ProductRelated"] > 0
    seen_a_page = ~sessions[[*PAGES.values()]].eq(0).all(axis=1)
    with Workspace("duckdb://") as workspace:
        import_events(workspace, csv_path, MappingRules.model_validate(RULES))
        journey_map = loads_map(MAP)
        steps = ["product", "purchase"]
        with analyze(
            journey_map, workspace.events(), attribution=False, funnel_touchpoints=steps
        ) as found:
            funnel = {
                row["touchpoint"]: row for row in found.tables["touchpoint_funnel"].to_pylist()
            }
            phases = {row["phase"]: row for row in found.tables["phase_funnel"].to_pylist()}
    # Sessions reaching product pages, then buying: the purchase is the row's last entry, so
    # at the shared time it follows the product pages (ties keep the entries' order).
    assert funnel["product"]["reached"] == int(product.sum()) == 12_292
    assert funnel["purchase"]["reached"] == int((product & sessions["Revenue"]).sum()) == 1_902
    # Conversion rate of the sessions that saw any page.
    assert phases["browse"]["reached"] == int(seen_a_page.sum()) == 12_324
    assert phases["buy"]["reached"] == 1_908
    assert phases["buy"]["reach_rate"] == pytest.approx(1_908 / 12_324)


def test_the_entries_order_decides_the_order_of_events_at_one_time(csv_path: Path) -> None:
    """Listed first, the purchase comes before the product pages: no product-then-buy left."""
    reordered = {**RULES, "events_per_row": [PURCHASE, *ENTRIES]}
    with Workspace("duckdb://") as workspace:
        import_events(workspace, csv_path, MappingRules.model_validate(reordered))
        with analyze(
            loads_map(MAP),
            workspace.events(),
            attribution=False,
            funnel_touchpoints=["product", "purchase"],
        ) as found:
            funnel = {
                row["touchpoint"]: row for row in found.tables["touchpoint_funnel"].to_pylist()
            }
    assert funnel["product"]["reached"] == 12_292
    assert funnel["purchase"]["reached"] == 0
