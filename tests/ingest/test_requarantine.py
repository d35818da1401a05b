"""Rows a later import stores leave the quarantine; a duplicate names the row it repeats.

shop-da finding 1: following the import's own advice ("import again with duplicates: keep")
imported the 125 repeated sessions of UCI Online Shoppers but left them quarantined as well:
12,455 rows accounted for of 12,330 read, and the import said "no imported event is a
conversion" beside 1,908 conversions. shop-da 13: the quarantined duplicate of UCI Bank
Marketing (row 27,350) did not say it repeats row 2. ops 12: a line cut off while the file
was written stayed in the quarantine as ``malformed row`` after the next night's whole file
was imported.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from shop_files import FILTERS

from journeymap.ingest import Workspace, import_events
from journeymap.model.mapping import MappingRules
from journeymap.services.imports import import_notes
from journeymap.services.quarantine import inspect_quarantine

pytestmark = FILTERS

SESSIONS = {
    "columns": {"person_from_row": True, "timestamp_constant": "2017-01-01"},
    "conversion": [{"field": "Revenue", "equals": "TRUE"}],
    "keep": ["VisitorType", "Weekend", "Month", "Region", "TrafficType"],
    "touchpoints": [{"touchpoint_from": "TrafficType"}],
}
QUARANTINE_RULES = MappingRules.model_validate(SESSIONS)
KEEP_RULES = MappingRules.model_validate({**SESSIONS, "duplicates": "keep"})
SMALL_RULES = MappingRules.model_validate({**SESSIONS, "keep": ["TrafficType"]})


@pytest.fixture
def url(engine_url: str) -> str:
    """A new workspace on each engine (tests/conftest.py)."""
    return engine_url


def _counts(workspace: Workspace) -> tuple[int, int]:
    return int(workspace.events().count().execute()), int(workspace.quarantine().count().execute())


@pytest.mark.parametrize("replace", [False, True], ids=["keep", "keep-and-replace"])
def test_duplicates_kept_on_the_imports_advice_leave_the_quarantine(
    datasets: Path, url: str, replace: bool
) -> None:
    shoppers = datasets / "uci-online-shoppers" / "online_shoppers_intention.csv"
    with Workspace(url) as workspace:
        first = import_events(workspace, shoppers, QUARANTINE_RULES)
        assert (first.rows_imported, first.quarantined) == (12_205, {"exact duplicate": 125})
        again = import_events(workspace, shoppers, KEEP_RULES, replace=replace)
        # Every row read is an event or quarantined, once: 12,330, not 12,455.
        assert _counts(workspace) == (12_330, 0)
        assert again.unquarantined == {"exact duplicate": 125}
        events = workspace.events()
        assert int(events.filter(events.conversion).count().execute()) == 1_908
    # The 125 sessions this import added do not convert; the file's conversion rule works.
    assert (again.conversions, again.conversions_in_input) == (
        (1_908, 1_908) if replace else (0, 1_908)
    )
    if replace:
        assert (again.rows_replaced, again.rows_mapped_differently) == (12_205, 0)
    assert (
        "Note: 125 rows an earlier import quarantined as exact duplicates are imported now "
        "(duplicates: keep) and were taken out of the quarantine."
    ) in import_notes(again)


def test_a_file_with_no_conversions_says_so(tmp_path: Path) -> None:
    path = tmp_path / "sessions.csv"
    path.write_text("TrafficType,Revenue\n1,FALSE\n2,FALSE\n", encoding="utf-8")
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, path, SMALL_RULES)
    assert (report.rows_imported, report.conversions, report.conversions_in_input) == (2, 0, 0)


def test_only_the_copies_imported_leave_the_quarantine(tmp_path: Path) -> None:
    """Three equal rows: two quarantined; a file with two of them keeps one out, at its row."""
    three = tmp_path / "three" / "sessions.csv"
    two = tmp_path / "two" / "sessions.csv"
    three.parent.mkdir()
    two.parent.mkdir()
    header, row, other = "TrafficType,Revenue\n", "3,FALSE\n", "4,TRUE\n"
    three.write_text(header + row + other + row + row, encoding="utf-8")
    two.write_text(header + row + other + row, encoding="utf-8")
    with Workspace("duckdb://") as workspace:
        first = import_events(workspace, three, SMALL_RULES)
        assert first.quarantined == {"exact duplicate": 2}
        again = import_events(workspace, two, SMALL_RULES.model_copy(update={"duplicates": "keep"}))
        assert (again.rows_imported, again.unquarantined) == (1, {"exact duplicate": 1})
        left = workspace.quarantine().to_pyarrow().to_pylist()
        assert [(row["row_number"], row["reason"]) for row in left] == [(4, "exact duplicate")]


def test_a_quarantined_duplicate_names_the_row_it_repeats(datasets: Path, tmp_path: Path) -> None:
    bank = datasets / "uci-bank-marketing" / "bank-full.csv"
    rules = MappingRules.model_validate(
        {
            "columns": {"person_from_row": True, "timestamp_constant": "2008-05-01"},
            "touchpoints": [{"touchpoint_from": "contact"}],
            "conversion": [{"field": "y", "equals": "yes"}],
        }
    )
    db = tmp_path / "bank.duckdb"
    with Workspace(f"duckdb:///{db}") as workspace:
        report = import_events(workspace, bank, rules)
    assert report.duplicate_example == (27_350, 2)
    assert (
        "Note: the rows quarantined as exact duplicates repeat earlier rows of the file (the "
        "first: row 27,350, a copy of row 2)."
    ) in import_notes(report)
    out = tmp_path / "quarantine.csv"
    summary = inspect_quarantine(db=db, out=out)
    (row,) = summary.rows
    assert (row.row_number, row.reason, row.duplicate_of) == (27_350, "exact duplicate", 2)
    with out.open(encoding="utf-8", newline="") as handle:
        (written,) = list(csv.DictReader(handle))
    assert (written["row_number"], written["duplicate_of"]) == ("27350", "2")


def test_other_reasons_name_no_row(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("user,when\n,2024-01-01\nu1,2024-01-01\nu1,2024-01-01\n", encoding="utf-8")
    rules = MappingRules.model_validate(
        {
            "columns": {"person_id": "user", "timestamp": "when"},
            "touchpoints": [{"touchpoint": "x"}],
        }
    )
    with Workspace(f"duckdb:///{tmp_path / 'ws.duckdb'}") as workspace:
        import_events(workspace, path, rules)
    rows = inspect_quarantine(db=tmp_path / "ws.duckdb").rows
    assert [(row.row_number, row.reason, row.duplicate_of) for row in rows] == [
        (1, "missing person id", None),
        (3, "exact duplicate", 2),
    ]


NIGHT = (
    "person_id,ts,touchpoint,conversion,value\n"
    "p1,2025-06-24 00:10:00+00,search-ads,false,\n"
    "p1,2025-06-24 00:55:53.562986+00,checkout,true,12.5\n"
    "p2,2025-06-24 01:00:00+00,search-ads,false,\n"
)
EVENTS = MappingRules.model_validate(
    {
        "columns": {"person_id": "person_id", "timestamp": "ts", "value": "value"},
        "touchpoints": [{"touchpoint_from": "touchpoint"}],
        "conversion": [{"field": "conversion", "equals": "true"}],
    }
)


def _nights(tmp_path: Path, cut: str, whole: str, name: str = "events.csv") -> tuple[Path, Path]:
    tonight, tomorrow = tmp_path / "night1" / name, tmp_path / "night2" / name
    tonight.parent.mkdir()
    tomorrow.parent.mkdir()
    tonight.write_text(cut, encoding="utf-8")
    tomorrow.write_text(whole, encoding="utf-8")
    return tonight, tomorrow


def test_a_line_cut_off_leaves_the_quarantine_when_the_whole_file_comes(
    tmp_path: Path, url: str
) -> None:
    # The export stopped inside p1's checkout: its line has 3 of 5 fields.
    cut = NIGHT[: NIGHT.index("00:55:53") + 5]
    tonight, tomorrow = _nights(tmp_path, cut, NIGHT)
    with Workspace(url) as workspace:
        first = import_events(workspace, tonight, EVENTS)
        assert (first.rows_imported, first.quarantined) == (1, {"malformed row": 1})
        second = import_events(workspace, tomorrow, EVENTS)
        assert (second.rows_imported, second.rows_already_imported) == (2, 1)
        assert second.unquarantined == {"malformed row": 1}
        assert _counts(workspace) == (3, 0)
    assert import_notes(second) == [
        "Note: 1 line an earlier import of events.csv quarantined as a malformed row was cut "
        "off, as when a file is read while it is being written; this file holds it whole, so it "
        "was taken out of the quarantine."
    ]


def test_a_json_lines_line_cut_off_leaves_the_quarantine_too(tmp_path: Path) -> None:
    whole = (
        '{"person_id": "p1", "ts": "2025-06-24T00:10:00Z", "touchpoint": "search-ads", '
        '"conversion": "false", "value": ""}\n'
        '{"person_id": "p1", "ts": "2025-06-24T00:55:53Z", "touchpoint": "checkout", '
        '"conversion": "true", "value": "12.5"}\n'
    )
    cut = whole[: whole.rindex('"conversion"') + 8]
    tonight, tomorrow = _nights(tmp_path, cut, whole, "events.jsonl")
    with Workspace("duckdb://") as workspace:
        assert import_events(workspace, tonight, EVENTS).quarantined == {"malformed row": 1}
        second = import_events(workspace, tomorrow, EVENTS)
        assert second.unquarantined == {"malformed row": 1}
        assert _counts(workspace) == (2, 0)


def test_a_broken_line_stays_unless_one_row_of_a_file_of_its_name_completes_it(
    tmp_path: Path,
) -> None:
    broken = "p1,2025-06-24 0\n"  # could begin any p1 line below
    file = NIGHT.replace("p2,", "p1,")
    tonight, tomorrow = _nights(tmp_path, NIGHT + broken, file)
    shutil.copy(tomorrow, tmp_path / "other-name.csv")
    with Workspace("duckdb://") as workspace:
        assert import_events(workspace, tonight, EVENTS).quarantined == {"malformed row": 1}
        assert import_events(workspace, tmp_path / "other-name.csv", EVENTS).unquarantined == {}
        assert import_events(workspace, tomorrow, EVENTS).unquarantined == {}
        quarantine = workspace.quarantine()
        assert int(quarantine.filter(quarantine.reason == "malformed row").count().execute()) == 1
