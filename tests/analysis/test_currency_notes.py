"""Keeping the map current: first and last seen, rename hints, stale touchpoints, rules versions.

BPI Challenge 2012 (van Dongen, 2012; 4TU.ResearchData) as the bank's system would change it:
from 15 Jan 2012 the offers it sends are logged as ``offer-sent`` instead of ``O_SENT`` (a
renamed activity), or no longer logged at all. The expected dates come from the raw XES read
with pandas (``bpic_log.raw_events``). Olist (CC BY-NC-SA 4.0; leads and won deals, each file
with rules of its own) shows that files of other kinds mapped by other rules are no reason
for a note.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa
import pytest

from bpic_log import LOAN_MAP, raw_events
from journeymap.analysis import analyze
from journeymap.ingest import Workspace, import_events
from journeymap.model import JourneyMap, Phase, Touchpoint
from journeymap.model.mapping import MappingRules

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

CUT = pd.Timestamp("2012-01-15", tz="UTC")


@pytest.fixture(scope="module")
def loans(bpic2012_events: ibis.Table, datasets: Path) -> tuple[ibis.Table, pd.DataFrame]:
    """The imported events (imported once per session) and, independently, the raw events."""
    return bpic2012_events, raw_events(datasets)


def _after_cut(events: ibis.Table) -> ibis.Value:
    return (events.touchpoint == "O_SENT") & (events.ts >= CUT.to_pydatetime())


def test_the_loan_log_as_it_is_has_no_rename_or_stale_note(
    loans: tuple[ibis.Table, pd.DataFrame],
) -> None:
    notes = analyze(LOAN_MAP, loans[0], attribution=False).notes("en")
    assert not [note for note in notes if "may be the map's" in note or "last seen" in note]


def test_an_activity_renamed_in_the_system_is_hinted_with_its_dates(
    loans: tuple[ibis.Table, pd.DataFrame],
) -> None:
    events, raw = loans
    renamed = events.mutate(
        touchpoint=ibis.ifelse(_after_cut(events), "offer-sent", events.touchpoint)
    )
    analysis = analyze(LOAN_MAP, renamed, attribution=False)
    sent = raw[raw.activity == "O_SENT"]
    old_last, new_first = sent[sent.ts < CUT].ts.max(), sent[sent.ts >= CUT].ts.min()
    stats = {row["touchpoint"]: row for row in analysis.table("touchpoint_stats").to_pylist()}
    assert stats["O_SENT"]["last_seen"] == old_last.to_pydatetime()
    assert stats["offer-sent"]["first_seen"] == new_first.to_pydatetime()
    assert stats["offer-sent"]["last_seen"] == sent.ts.max().to_pydatetime()
    assert stats["offer-sent"]["events"] == int((sent.ts >= CUT).sum())
    assert not stats["offer-sent"]["on_map"]
    hint = (
        f"Note: off-map 'offer-sent' (first seen {new_first.date()}) may be the map's 'O_SENT' "
        f"(last seen {old_last.date()}): rename it in the map or the rules, so that its events "
        "count for the map's touchpoint."
    )
    assert hint in analysis.notes("en")
    # Named once: the stale note leaves out what the hint explains.
    assert not any("long before the data's end" in note for note in analysis.notes("en"))


def test_a_touchpoint_no_longer_logged_is_stale(loans: tuple[ibis.Table, pd.DataFrame]) -> None:
    events, raw = loans
    analysis = analyze(LOAN_MAP, events.filter(~_after_cut(events)), attribution=False)
    sent = raw[raw.activity == "O_SENT"]
    last = sent[sent.ts < CUT].ts.max().date()
    assert (
        "Note: 1 touchpoint of the map was last seen long before the data's end (2012-03-14): "
        f"O_SENT (last seen {last}). Customers may no longer meet it, or the data or the rules "
        "now name it otherwise; check it, or take it off the map."
    ) in analysis.notes("en")


SHOP = JourneyMap(
    id="shop",
    name="Shop",
    phases=[Phase(id="p", name="P", order=1)],
    touchpoints=[
        Touchpoint(id="ad", name="Ad", phases=["p"]),
        Touchpoint(id="online-shop", name="Online shop", phases=["p"]),
    ],
)
T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def test_an_unused_touchpoint_named_like_an_off_map_one_is_hinted() -> None:
    rows = [("p1", 0, "ad"), ("p1", 30, "onlineshop"), ("p2", 50, "ad"), ("p2", 70, "unmapped")]
    events = pa.table(
        {
            "person_id": [r[0] for r in rows],
            "account_id": pa.array([None] * len(rows), pa.string()),
            "ts": pa.array([T0 + dt.timedelta(days=r[1]) for r in rows], pa.timestamp("us", "UTC")),
            "touchpoint": [r[2] for r in rows],
            "phase": pa.array([None] * len(rows), pa.string()),
            "persona": pa.array([None] * len(rows), pa.string()),
            "conversion": [False] * len(rows),
            "value": pa.array([None] * len(rows), pa.float64()),
            "source": ["crm"] * len(rows),
        }
    )
    analysis = analyze(SHOP, events, attribution=False)
    stats = {row["touchpoint"]: row for row in analysis.table("touchpoint_stats").to_pylist()}
    assert stats["online-shop"]["first_seen"] is None and stats["online-shop"]["events"] == 0
    assert stats["ad"]["first_seen"] == T0 and stats["ad"]["last_seen"] == T0 + dt.timedelta(50)
    assert (
        "Note: off-map 'onlineshop' (first seen 2025-01-31) may be the map's 'online-shop' (no "
        "events): rename it in the map or the rules, so that its events count for the map's "
        "touchpoint."
    ) in analysis.notes("en")
    assert "Hinweis" in " ".join(analysis.notes("de"))


VERSION_1 = {
    "columns": {"person_id": "user", "timestamp": "when"},
    "touchpoints": [
        {"touchpoint": "ad", "when": [{"field": "what", "equals": "ad"}]},
        {"touchpoint": "online-shop", "when": [{"field": "what", "equals": "shop"}]},
    ],
}
# The rules file as changed in April: the shop's visits are filed as web-shop.
VERSION_2 = {
    "columns": {"person_id": "user", "timestamp": "when"},
    "touchpoints": [
        {"touchpoint": "ad", "when": [{"field": "what", "equals": "ad"}]},
        {"touchpoint": "web-shop", "when": [{"field": "what", "equals": "shop"}]},
    ],
}


def _month(path: Path, month: int) -> Path:
    lines = ["user,when,what"]
    for day in range(1, 29):
        lines.append(f"u{month}{day},2025-{month:02d}-{day:02d}T10:00:00Z,ad")
        lines.append(f"u{month}{day},2025-{month:02d}-{day:02d}T11:00:00Z,shop")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_events_of_one_kind_mapped_by_two_rules_versions_are_noted(tmp_path: Path) -> None:
    with Workspace("duckdb://") as workspace:
        old = import_events(
            workspace, _month(tmp_path / "march.csv", 3), MappingRules.model_validate(VERSION_1)
        )
        new = import_events(
            workspace, _month(tmp_path / "april.csv", 4), MappingRules.model_validate(VERSION_2)
        )
        analysis = analyze(SHOP, workspace.events(), attribution=False)
        versions = analysis.summary["rules_versions"]
        assert [(v["rules"], v["events"], v["sources"]) for v in versions["versions"]] == [
            (old.rules_fingerprint, 56, ["march.csv"]),
            (new.rules_fingerprint, 56, ["april.csv"]),
        ]
        notes = analysis.notes("en")
        assert (
            "Note: events of the same touchpoints (ad) were mapped by 2 versions of the mapping "
            f"rules: rules {old.rules_fingerprint[:8]} (56 events: march.csv); rules "
            f"{new.rules_fingerprint[:8]} (56 events: april.csv). The same raw data may be "
            "filed under other touchpoints in each; import the older files again with the "
            "current rules (journeymap import FILE --map MAP --rules RULES --replace)."
        ) in notes
        # The renamed touchpoint is hinted too: the rules, not the customers, changed.
        assert (
            "Note: off-map 'web-shop' (first seen 2025-04-01) may be the map's 'online-shop' "
            "(last seen 2025-03-28): rename it in the map or the rules, so that its events "
            "count for the map's touchpoint."
        ) in notes
        # April alone was mapped by one version: nothing to say.
        april = analyze(SHOP, workspace.events(), since="2025-04-01", attribution=False)
        assert not any("versions of the mapping rules" in note for note in april.notes("en"))


OLIST_LEADS = MappingRules.model_validate(
    {
        "columns": {"person_id": "mql_id", "timestamp": "first_contact_date"},
        "touchpoints": [
            {"touchpoint_from": "origin", "phase": "awareness"},
            {"touchpoint": "unknown-origin", "phase": "awareness"},
        ],
    }
)
OLIST_DEALS = MappingRules.model_validate(
    {
        "columns": {"person_id": "mql_id", "timestamp": "won_date"},
        "constant": {"stage": "won"},
        "touchpoints": [{"touchpoint": "won-deal", "phase": "decision"}],
        "conversion": [{"field": "stage", "equals": "won"}],
    }
)


def test_files_of_other_kinds_with_rules_of_their_own_are_no_reason_for_a_note(
    datasets: Path,
) -> None:
    folder = datasets / "olist-marketing-funnel"
    olist = JourneyMap(
        id="olist",
        name="Olist",
        phases=[Phase(id="awareness", name="A", order=1), Phase(id="decision", name="D", order=2)],
        touchpoints=[
            Touchpoint(id="paid_search", name="Paid search", phases=["awareness"]),
            Touchpoint(id="won-deal", name="Won", phases=["decision"]),
        ],
    )
    with Workspace("duckdb://") as workspace:
        import_events(workspace, folder / "marketing_qualified_leads.csv", OLIST_LEADS)
        import_events(workspace, folder / "closed_deals.csv", OLIST_DEALS)
        analysis = analyze(olist, workspace.events(), attribution=False)
    found = analysis.summary["rules_versions"]
    assert [v["events"] for v in found["versions"]] == [8_000, 842]
    assert found["shared_touchpoints"] == [] and found["shared_sources"] == []
    assert not any("versions of the mapping rules" in note for note in analysis.notes("en"))
