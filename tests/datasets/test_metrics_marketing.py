"""Marketer metrics on real data, imported with journeymap's importer.

- UCI Bank Marketing (Moro, Laureano & Cortez, 2011; CC BY 4.0): conversion rate by job.
- Olist marketing funnel (Olist on Kaggle; CC BY-NC-SA 4.0): won rate by lead origin.
- UCI Online Shoppers (Sakar et al., 2019; CC BY 4.0): conversion by TrafficType.

Expected numbers are counted here from the raw CSV files with the ``csv`` module.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from journeymap.analysis import analyze
from journeymap.ingest import Workspace, import_events
from journeymap.model import JourneyMap, Phase, Touchpoint
from journeymap.model.mapping import MappingRules

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]


def _map(map_id: str, phases: list[str], touchpoints: dict[str, str]) -> JourneyMap:
    return JourneyMap(
        id=map_id,
        name=map_id,
        phases=[Phase(id=p, name=p.title(), order=i) for i, p in enumerate(phases, start=1)],
        touchpoints=[Touchpoint(id=t, name=t, phases=[p]) for t, p in touchpoints.items()],
    )


def test_bank_marketing_conversion_rate_by_job(datasets: Path) -> None:
    path = datasets / "uci-bank-marketing" / "bank-full.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = {tuple(row.items()) for row in csv.DictReader(handle)}  # the duplicate once
    clients = Counter(dict(row)["job"] for row in rows)
    subscribed = Counter(dict(row)["job"] for row in rows if dict(row)["y"] == "yes")
    rules = MappingRules.model_validate(
        {
            "columns": {"person_from_row": True, "timestamp_constant": "2008-05-01"},
            "touchpoints": [{"touchpoint": "phone-call", "phase": "contact"}],
            "conversion": [{"field": "y", "equals": "yes"}],
            "keep": ["job"],
        }
    )
    bank = _map("bank", ["contact"], {"phone-call": "contact"})
    with Workspace("duckdb://") as workspace:
        import_events(workspace, path, rules)
        analysis = analyze(bank, workspace.events(), breakdown=["job"])
    funnel = [r for r in analysis.table("phase_funnel").to_pylist() if r["breakdown"] == "job"]
    measured = {r["job"]: (r["reached"], r["converted"]) for r in funnel}
    assert measured == {job: (clients[job], subscribed[job]) for job in clients}
    assert analysis.summary["journeys"] == 45_211
    rates = {job: converted / reached for job, (reached, converted) in measured.items()}
    assert max(rates, key=rates.__getitem__) == "student"


def test_olist_won_rate_by_origin(datasets: Path) -> None:
    folder = datasets / "olist-marketing-funnel"
    with (folder / "marketing_qualified_leads.csv").open(encoding="utf-8", newline="") as handle:
        origin = {
            row["mql_id"]: row["origin"] or "unknown-origin" for row in csv.DictReader(handle)
        }
    with (folder / "closed_deals.csv").open(encoding="utf-8", newline="") as handle:
        won = {row["mql_id"] for row in csv.DictReader(handle)}
    leads = Counter(origin.values())
    wins = Counter(origin[mql] for mql in won if mql in origin)
    leads_rules = MappingRules.model_validate(
        {
            "columns": {"person_id": "mql_id", "timestamp": "first_contact_date"},
            "touchpoints": [
                {"touchpoint_from": "origin", "phase": "awareness"},
                {"touchpoint": "unknown-origin", "phase": "awareness"},
            ],
        }
    )
    deals_rules = MappingRules.model_validate(
        {
            "columns": {"person_id": "mql_id", "timestamp": "won_date"},
            "constant": {"stage": "won"},
            "touchpoints": [{"touchpoint": "won-deal", "phase": "decision"}],
            "conversion": [{"field": "stage", "equals": "won"}],
        }
    )
    olist = _map(
        "olist",
        ["awareness", "decision"],
        {**{o: "awareness" for o in leads}, "won-deal": "decision"},
    )
    with Workspace("duckdb://") as workspace:
        import_events(workspace, folder / "marketing_qualified_leads.csv", leads_rules)
        import_events(workspace, folder / "closed_deals.csv", deals_rules)
        analysis = analyze(olist, workspace.events(), after_conversion="continue")
    stats = {r["touchpoint"]: r for r in analysis.table("touchpoint_stats").to_pylist()}
    for name, count in leads.items():
        assert (stats[name]["journeys"], stats[name]["conversions"]) == (count, wins[name]), name
    assert stats["won-deal"]["journeys"] == len(won) == 842


def test_online_shoppers_conversion_by_traffic_type(datasets: Path) -> None:
    path = datasets / "uci-online-shoppers" / "online_shoppers_intention.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        sessions = list(csv.DictReader(handle, delimiter=";"))
    visits = Counter(row["TrafficType"] for row in sessions)
    bought = Counter(row["TrafficType"] for row in sessions if row["Revenue"] == "TRUE")
    rules = MappingRules.model_validate(
        {
            "columns": {"person_from_row": True, "timestamp_constant": "2019-01-01"},
            "touchpoints": [{"touchpoint_from": "TrafficType", "phase": "visit"}],
            "conversion": [{"field": "Revenue", "equals": "TRUE"}],
            "duplicates": "keep",
        }
    )
    shop = _map("shop", ["visit"], {t: "visit" for t in visits})
    with Workspace("duckdb://") as workspace:
        import_events(workspace, path, rules)
        analysis = analyze(shop, workspace.events())
    stats = {r["touchpoint"]: r for r in analysis.table("touchpoint_stats").to_pylist()}
    assert {t: (r["journeys"], r["conversions"]) for t, r in stats.items()} == {
        t: (visits[t], bought[t]) for t in visits
    }
    assert analysis.summary["conversions"] == 1_908
