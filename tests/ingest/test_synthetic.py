"""The generated payment-provider demo export: deterministic, complete, importable, on the map."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pytest

from journeymap.examples import example_path
from journeymap.ingest.synthetic import COLUMNS, generate_demo_events, write_demo_events
from journeymap.mapfile import load_map, load_rules
from journeymap.model import JourneyMap

RULES = example_path("payment-provider").with_name("payment-provider.rules.yaml")
ACCOUNTS = 400
MIN = dt.datetime.min.replace(tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def journey_map() -> JourneyMap:
    return load_map(example_path("payment-provider"))


@pytest.fixture(scope="module")
def demo(journey_map: JourneyMap) -> pa.Table:
    return generate_demo_events(journey_map, accounts=ACCOUNTS)


def test_same_seed_gives_the_same_rows_and_another_seed_does_not(
    journey_map: JourneyMap, demo: pa.Table
) -> None:
    again = generate_demo_events(journey_map, accounts=ACCOUNTS)
    other = generate_demo_events(journey_map, accounts=ACCOUNTS, seed=8)
    assert demo.equals(again)
    assert not demo.equals(other)


def test_rows_look_like_a_crm_export(demo: pa.Table) -> None:
    assert demo.column_names == COLUMNS
    first = demo.slice(0, 1).to_pylist()[0]
    assert first["timestamp"].startswith("2026-01-")
    assert first["timestamp"][-6:] in {"+01:00", "+02:00"}


def test_accounts_have_a_buying_center_and_convert_at_a_plausible_rate(
    journey_map: JourneyMap, demo: pa.Table
) -> None:
    personas: dict[str, set[str]] = defaultdict(set)
    signed: set[str] = set()
    for row in demo.to_pylist():
        personas[row["company_id"]].add(row["contact_role"])
        if row["event"] == "contract_signed":
            signed.add(row["company_id"])
    assert len(personas) > ACCOUNTS * 0.9
    assert sum(len(found) >= 2 for found in personas.values()) > len(personas) * 0.5
    assert {p for found in personas.values() for p in found} == {p.id for p in journey_map.personas}
    assert 0.05 <= len(signed) / ACCOUNTS <= 0.40


def test_import_with_the_bundled_rules_covers_every_touchpoint_and_quarantines_bad_rows(
    journey_map: JourneyMap, tmp_path: Path
) -> None:
    from journeymap.ingest import Workspace, import_events

    csv = write_demo_events(tmp_path / "demo.csv", journey_map, accounts=ACCOUNTS)
    workspace = Workspace(f"duckdb:///{tmp_path / 'ws.duckdb'}")
    report = import_events(workspace, csv, load_rules(RULES))

    assert report.rows_imported >= 0.98 * report.rows_read
    assert report.rows_quarantined > 0
    events = workspace.events()
    seen = set(events.touchpoint.to_pyarrow().to_pylist())
    assert seen == {t.id for t in journey_map.touchpoints}
    assert events.conversion.sum().to_pyarrow().as_py() > 0
    reasons = set(workspace.quarantine().reason.to_pyarrow().to_pylist())
    assert {"missing person id", "no rule matched"} <= reasons
    assert any("timestamp" in reason for reason in reasons)


def test_contacts_join_at_their_personas_phase_and_a_decider_or_buyer_signs(
    journey_map: JourneyMap, tmp_path: Path
) -> None:
    """Thomas (IT) and Sabine (accounting) join at the decision: no blog or print of theirs.

    Before, every contact met the touchpoints of every phase, so a persona joining at the
    decision reached Awareness in hundreds of accounts, and anyone in the buying center signed.
    """
    from journeymap.ingest import Workspace, import_events

    csv = write_demo_events(tmp_path / "demo.csv", journey_map, accounts=ACCOUNTS)
    with Workspace(f"duckdb:///{tmp_path / 'ws.duckdb'}") as workspace:
        import_events(workspace, csv, load_rules(RULES))
        events = workspace.events().to_pyarrow().to_pylist()

    position = {phase.id: index for index, phase in enumerate(journey_map.ordered_phases())}
    joins = {p.id: position[p.joins_at or "awareness"] for p in journey_map.personas}
    assert joins == {"jonas": 0, "katrin": 0, "mia": 1, "thomas": 2, "sabine": 2}
    touchpoints = journey_map.touchpoints
    # The phase the import gives a touchpoint (its first), and the last phase it belongs to.
    first = {t.id: position[journey_map.first_phase_of(t.id) or ""] for t in touchpoints}
    last = {t.id: max(position[phase] for phase in t.phases) for t in touchpoints}

    # No event of a contact falls in a phase before the one its persona joins at ...
    assert [e for e in events if first[e["touchpoint"]] < joins[e["persona"]]] == []
    # ... nor comes before a touch of its account that belongs only to earlier phases.
    earlier: dict[tuple[str, int], dt.datetime] = {}
    for event in events:
        for joined in set(joins.values()):
            key = (event["account_id"], joined)
            if last[event["touchpoint"]] < joined and event["ts"] > earlier.get(key, MIN):
                earlier[key] = event["ts"]
    late = [
        e for e in events if e["ts"] <= earlier.get((e["account_id"], joins[e["persona"]]), MIN)
    ]
    assert late == []
    assert {e["persona"] for e in events if joins[e["persona"]] == 2} == {"thomas", "sabine"}

    signers = {e["persona"] for e in events if e["conversion"]}
    roles = {p.id: p.role for p in journey_map.personas}
    assert signers == {"katrin", "sabine"}
    assert {roles[persona] for persona in signers} == {"decider", "buyer"}
