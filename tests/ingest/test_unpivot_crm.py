"""``events_per_row`` on a CRM export: one row per customer, one date column per sales step.

An empty date means the step did not happen (no event); an unparseable one quarantines that
step's event alone, with the original row, while the row's other events import.
"""

from __future__ import annotations

import json
from pathlib import Path

from shop_files import FILTERS
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.engine.journeys import build_journeys
from journeymap.ingest import Workspace, import_events
from journeymap.mapfile import load_rules, loads_map

pytestmark = FILTERS

CRM = (
    "customer,first_contact_date,demo_date,contract_date,contract_value\n"
    "c1,2024-01-05,2024-01-20,2024-02-01,1200\n"
    "c2,2024-01-07,,,\n"  # no demo, no contract yet
    "c3,2024-01-09,next week,2024-03-01,800\n"  # the demo date cannot be read
    "c4,,,,\n"  # nothing happened: no event at all
    "c5,2024-01-11,2024-01-11,,\n"  # the demo on the day of the first contact
)
RULES = """\
columns:
  person_id: customer
  timestamp: first_contact_date
events_per_row:
  - touchpoint: first-contact
    timestamp: first_contact_date
  - touchpoint: demo
    timestamp: demo_date
  - touchpoint: contract
    timestamp: contract_date
    conversion: true
    value: contract_value
"""
MAP = """\
id: crm
name: B2B sales
phases:
  - {id: awareness, name: Awareness}
  - {id: decision, name: Decision}
touchpoints:
  - {id: first-contact, name: First contact, phases: [awareness]}
  - {id: demo, name: Demo, phases: [awareness]}
  - {id: contract, name: Contract, phases: [decision]}
"""
NO_ENTRY = "no entry of events_per_row matched"


def _files(folder: Path) -> tuple[Path, Path]:
    csv, rules = folder / "crm.csv", folder / "crm.rules.yaml"
    csv.write_text(CRM, encoding="utf-8")
    rules.write_text(RULES, encoding="utf-8")
    return csv, rules


def test_dated_steps_become_events_and_the_bad_date_alone_is_quarantined(tmp_path: Path) -> None:
    csv, rules_file = _files(tmp_path)
    rules = load_rules(rules_file)
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, csv, rules)
        assert report.rows_read == 5
        assert report.rows_with_events == 4  # c1, c2, c3, c5
        assert report.quarantined == {NO_ENTRY: 1}  # c4
        assert report.rows_imported == 8  # c1: 3, c2: 1, c3: 2 (no demo), c5: 2
        assert report.events_quarantined == {"unparseable timestamp": 1}
        assert report.touchpoints == {"first-contact": 4, "demo": 2, "contract": 2}
        assert report.conversions == 2
        assert report.timestamp_unparseable == "next week"

        quarantined = {
            row["row_number"]: row for row in workspace.quarantine().to_pyarrow().to_pylist()
        }
        assert sorted(quarantined) == [3, 4]  # the rows of c3 and c4 (the header is no row)
        demo = quarantined[3]
        assert demo["reason"] == "unparseable timestamp"
        assert json.loads(demo["raw"])["demo_date"] == "next week"  # the original row
        assert demo["event_key"].endswith("/02")  # the second entry's event
        assert quarantined[4]["reason"] == NO_ENTRY
        assert json.loads(quarantined[4]["raw"])["customer"] == "c4"

        events = workspace.events().to_pyarrow().to_pylist()
        by_person: dict[str, list[str]] = {}
        for event in events:
            by_person.setdefault(event["person_id"], []).append(event["touchpoint"])
        assert by_person["c3"] == ["first-contact", "contract"]
        contract = next(e for e in events if e["person_id"] == "c1" and e["conversion"])
        assert (contract["value"], str(contract["ts"].date())) == (1200.0, "2024-02-01")

        again = import_events(workspace, csv, rules)
        assert (again.rows_imported, again.rows_already_imported) == (0, 5)
        assert again.events_quarantined == {} and again.quarantined == {}
        assert workspace.events().count().execute() == 8
        assert workspace.quarantine().count().execute() == 2


def test_steps_on_the_same_day_keep_the_order_of_the_entries(tmp_path: Path) -> None:
    csv, rules_file = _files(tmp_path)
    with Workspace("duckdb://") as workspace:
        import_events(workspace, csv, load_rules(rules_file))
        journeys = build_journeys(workspace.events(), loads_map(MAP))
        c5 = journeys.filter(journeys.person_id == "c5").order_by("step").to_pyarrow()
    assert c5.column("touchpoint").to_pylist() == ["first-contact", "demo"]


def test_the_import_command_prints_rows_and_events_apart(tmp_path: Path) -> None:
    csv, rules_file = _files(tmp_path)
    (tmp_path / "crm.yaml").write_text(MAP, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            *("import", str(csv), "--map", str(tmp_path / "crm.yaml")),
            *("--rules", str(rules_file), "--db", str(tmp_path / "ws.duckdb")),
        ],
        env={"JOURNEYMAP_LANG": "en", "COLUMNS": "120"},
    )
    assert result.exit_code == 0, result.output
    counts = {
        cells[0].strip(): cells[1].strip()
        for line in result.output.splitlines()
        if len(cells := line.strip("│ ").split("│")) == 2
    }
    assert counts["read"] == "5"
    assert counts["rows with events"] == "4"
    assert counts["events imported"] == "8"
    assert counts["events quarantined"] == "1"
    assert counts["unparseable timestamp"] == "1"
    assert counts["rows quarantined"] == "1"
    assert counts[NO_ENTRY] == "1"


def test_the_same_steps_exported_again_with_a_column_more_store_nothing_twice(
    tmp_path: Path,
) -> None:
    csv, rules_file = _files(tmp_path)
    lines = CRM.splitlines()
    wider = tmp_path / "crm-wider.csv"
    wider.write_text(
        "\n".join([lines[0] + ",owner"] + [line + ",ann" for line in lines[1:]]) + "\n",
        encoding="utf-8",
    )
    rules = load_rules(rules_file)
    with Workspace("duckdb://") as workspace:
        import_events(workspace, csv, rules)
        again = import_events(workspace, wider, rules)
        assert again.rows_read == again.rows_with_events + again.rows_quarantined == 5
        # Each step event is known again; the refused demo date and the empty row are
        # quarantined as for the first file (those are no events).
        assert again.rows_imported == 0
        assert again.events_quarantined == {
            "same event already imported": 8,
            "unparseable timestamp": 1,
        }
        assert again.rows_same_event_stored == 8
        assert workspace.events().count().execute() == 8


def test_replacing_one_event_per_row_with_events_per_row_keeps_every_step(
    tmp_path: Path,
) -> None:
    """The row's first contact, stored before, is its own event: replaced, not lost."""
    csv, rules_file = _files(tmp_path)
    one_per_row = {
        "columns": {"person_id": "customer", "timestamp": "first_contact_date"},
        "touchpoints": [{"touchpoint": "first-contact"}],
    }
    rules = load_rules(rules_file)
    with Workspace("duckdb://") as workspace:
        first = import_events(workspace, csv, one_per_row)
        assert (first.rows_imported, first.quarantined) == (4, {"unparseable timestamp": 1})
        kept = import_events(workspace, csv, rules)
        assert (kept.rows_already_imported, kept.rows_other_rules) == (5, 5)
        assert kept.rows_mapped_differently == 5  # every row now makes other events
        replaced = import_events(workspace, csv, rules, replace=True)
        assert replaced.rows_replaced == 5
        assert replaced.rows_imported == 8
        assert replaced.events_quarantined == {"unparseable timestamp": 1}
        events = workspace.events().to_pyarrow()
        assert sorted(events.column("touchpoint").to_pylist()) == sorted(
            ["first-contact"] * 4 + ["demo"] * 2 + ["contract"] * 2
        )
        reasons = sorted(workspace.quarantine().reason.to_pyarrow().to_pylist())
        assert reasons == [NO_ENTRY, "unparseable timestamp"]
        assert import_events(workspace, csv, rules).rows_already_imported == 5
