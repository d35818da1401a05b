"""The generated payment-provider demo export: deterministic, complete, importable."""

from __future__ import annotations

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
