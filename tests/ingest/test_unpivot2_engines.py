"""``events_per_row`` on every workspace engine: DuckDB, SQLite and a real PostgreSQL server.

A CRM export with one row per customer and a date column per sales step: the counts, a
second import that adds nothing, ``--replace`` of rows imported one event per row, the
``imports`` log's quarantined events (also in a workspace made before that column existed),
and ``journeymap quarantine``'s ``duplicate_of`` for a copy of a row stored as its events.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from shop_files import FILTERS

from journeymap.ingest import Workspace, import_events
from journeymap.model.mapping import MappingRules
from journeymap.services.quarantine import inspect_quarantine

pytestmark = FILTERS

CRM = (
    "customer,first_contact_date,demo_date,contract_date,contract_value\n"
    "c1,2024-01-05,2024-01-20,2024-02-01,1200\n"
    "c2,2024-01-07,,,\n"  # no demo, no contract yet
    "c3,2024-01-09,next week,2024-03-01,800\n"  # the demo date cannot be read
    "c4,,,,\n"  # nothing happened: no event at all
    "c5,2024-01-11,2024-01-11,,\n"
    "c1,2024-01-05,2024-01-20,2024-02-01,1200\n"  # row 6: an exact copy of row 1
)
STEPS = MappingRules.model_validate(
    {
        "columns": {"person_id": "customer", "timestamp": "first_contact_date"},
        "events_per_row": [
            {"touchpoint": "first-contact", "timestamp": "first_contact_date"},
            {"touchpoint": "demo", "timestamp": "demo_date"},
            {
                "touchpoint": "contract",
                "timestamp": "contract_date",
                "conversion": True,
                "value": "contract_value",
                "when": [{"field": "contract_value", "greater_than": 0}],
            },
        ],
    }
)
ONE_PER_ROW = MappingRules.model_validate(
    {
        "columns": {"person_id": "customer", "timestamp": "first_contact_date"},
        "touchpoints": [{"touchpoint": "first-contact"}],
    }
)
NO_ENTRY = "no entry of events_per_row matched"


@pytest.fixture
def url(engine_url: str) -> str:
    """A new workspace on each engine (tests/conftest.py)."""
    return engine_url


@pytest.fixture
def crm(tmp_path: Path) -> Path:
    path = tmp_path / "crm.csv"
    path.write_text(CRM, encoding="utf-8")
    return path


def _stored(workspace: Workspace) -> tuple[list[str], list[str]]:
    """The stored events' touchpoints and the quarantine's reasons, sorted."""
    touchpoints = workspace.events().touchpoint.to_pyarrow().to_pylist()
    reasons = workspace.quarantine().reason.to_pyarrow().to_pylist()
    return sorted(touchpoints), sorted(reasons)


EVENTS = sorted(["first-contact"] * 4 + ["demo"] * 2 + ["contract"] * 2)
REASONS = sorted(["exact duplicate", NO_ENTRY, "unparseable timestamp"])


def test_events_per_row_counts_and_a_second_import_adds_nothing(url: str, crm: Path) -> None:
    with Workspace(url) as workspace:
        report = import_events(workspace, crm, STEPS)
        assert (report.rows_read, report.rows_with_events, report.rows_imported) == (6, 4, 8)
        assert report.quarantined == {"exact duplicate": 1, NO_ENTRY: 1}
        assert report.events_quarantined == {"unparseable timestamp": 1}
        assert report.conversions == 2
        assert _stored(workspace) == (EVENTS, REASONS)

        again = import_events(workspace, crm, STEPS)
        # Every row's key is stored (the copy's in the quarantine): nothing is new.
        assert (again.rows_imported, again.rows_already_imported) == (0, 6)
        assert again.quarantined == again.events_quarantined == {}
        assert again.file_already_imported
        assert _stored(workspace) == (EVENTS, REASONS)

        logged = workspace.imports().order_by("imported_at").to_pyarrow().to_pylist()
    assert [(row["rows_imported"], row["rows_quarantined"]) for row in logged] == [(8, 2), (0, 0)]
    assert [row["events_quarantined"] for row in logged] == [1, 0]


def test_replace_maps_rows_imported_one_event_per_row_into_their_steps(url: str, crm: Path) -> None:
    with Workspace(url) as workspace:
        first = import_events(workspace, crm, ONE_PER_ROW)
        assert (first.rows_imported, first.rows_duplicate) == (4, 1)
        kept = import_events(workspace, crm, STEPS)
        assert (kept.rows_already_imported, kept.rows_other_rules, kept.rows_imported) == (6, 5, 0)
        assert kept.rows_mapped_differently == 5

        replaced = import_events(workspace, crm, STEPS, replace=True)
        assert (replaced.rows_replaced, replaced.rows_imported) == (5, 8)
        assert replaced.events_quarantined == {"unparseable timestamp": 1}
        assert _stored(workspace) == (EVENTS, REASONS)

        again = import_events(workspace, crm, STEPS, replace=True)
        assert (again.rows_replaced, again.rows_imported, again.rows_already_imported) == (0, 0, 6)
        assert _stored(workspace) == (EVENTS, REASONS)


def test_rules_changed_in_one_entry_are_compared_event_by_event(url: str, crm: Path) -> None:
    """The same keys, other events: the rows whose contract is no conversion any more."""
    rules = STEPS.model_dump(by_alias=True, exclude_defaults=True)
    rules["events_per_row"][2]["conversion"] = False
    no_sale = MappingRules.model_validate(rules)
    with Workspace(url) as workspace:
        import_events(workspace, crm, STEPS)
        kept = import_events(workspace, crm, no_sale)
        assert (kept.rows_other_rules, kept.rows_mapped_differently) == (5, 2)  # c1 and c3
        replaced = import_events(workspace, crm, no_sale, replace=True)
        assert (replaced.rows_replaced, replaced.rows_mapped_differently) == (5, 2)
        assert (replaced.rows_imported, replaced.conversions) == (8, 0)
        assert _stored(workspace) == (EVENTS, REASONS)
        events = workspace.events()
        assert int(events.filter(events.conversion).count().execute()) == 0


def test_rules_written_otherwise_that_make_the_same_events_change_no_row(
    url: str, crm: Path
) -> None:
    """The copy of c1, quarantined under c1's row key beside c1's events, is no change."""
    rules = STEPS.model_dump(by_alias=True, exclude_defaults=True)
    del rules["events_per_row"][2]["when"]  # every contract has a value: the same events
    with Workspace(url) as workspace:
        import_events(workspace, crm, STEPS)
        kept = import_events(workspace, crm, MappingRules.model_validate(rules))
        assert (kept.rows_other_rules, kept.rows_mapped_differently) == (5, 0)
        replaced = import_events(workspace, crm, rules, replace=True)
        assert (replaced.rows_replaced, replaced.rows_mapped_differently) == (5, 0)
        assert _stored(workspace) == (EVENTS, REASONS)


def test_duplicate_of_names_the_row_stored_as_its_events(url: str, crm: Path) -> None:
    with Workspace(url) as workspace:
        import_events(workspace, crm, STEPS)
    engine: dict[str, Any] = (
        {"db": url.removeprefix("duckdb:///")} if url.startswith("duckdb") else {"engine": url}
    )
    summary = inspect_quarantine(**engine, reason="exact duplicate")
    assert [(row.row_number, row.duplicate_of) for row in summary.rows] == [(6, 1)]
    every = inspect_quarantine(**engine)
    assert {row.row_number: row.duplicate_of for row in every.rows} == {3: None, 4: None, 6: 1}


def test_the_same_steps_exported_again_with_a_column_more_store_nothing_twice(
    url: str, crm: Path, tmp_path: Path
) -> None:
    lines = CRM.splitlines()
    wider = tmp_path / "crm-wider.csv"
    wider.write_text(
        "\n".join([lines[0] + ",owner"] + [line + ",ann" for line in lines[1:]]) + "\n",
        encoding="utf-8",
    )
    with Workspace(url) as workspace:
        import_events(workspace, crm, STEPS)
        again = import_events(workspace, wider, STEPS)
        assert again.rows_imported == 0
        assert again.events_quarantined == {
            "same event already imported": 8,
            "unparseable timestamp": 1,
        }
        assert again.rows_same_event_stored == 8
        assert int(workspace.events().count().execute()) == 8


def test_an_older_workspace_gets_the_events_quarantined_column(url: str, crm: Path) -> None:
    """A workspace whose ``imports`` lacks the column: opening it adds it, empty for the past."""
    with Workspace(url) as workspace:
        import_events(workspace, crm, ONE_PER_ROW)
        workspace.execute("ALTER TABLE imports DROP COLUMN events_quarantined")
    with Workspace(url) as workspace:
        import_events(workspace, crm, STEPS, replace=True)
        logged = workspace.imports().order_by("imported_at").to_pyarrow().to_pylist()
    assert [row["events_quarantined"] for row in logged] == [None, 1]
