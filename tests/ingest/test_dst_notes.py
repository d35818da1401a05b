"""Local times in a daylight saving gap or overlap are counted and the import says how they
were read (ops finding 11).

With ``timezone: Europe/Copenhagen``, 2025-03-30 02:30 does not exist (the clocks go from
02:00 to 03:00) and 2025-10-26 02:30 happens twice. Both were read without a word: the first
with the offset before the change (01:30 UTC, the instant of 03:30 summer time, tied with a
checkout at 03:30), the second as its first occurrence (00:30 UTC).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shop_files import FILTERS

from journeymap.ingest import Workspace, import_events
from journeymap.model.mapping import MappingRules
from journeymap.services.imports import import_notes

pytestmark = FILTERS

# The tester's gen/dst.csv: a spring-forward night (a), a fall-back night (b), offsets (c).
DST_CSV = (
    "person_id,account_id,ts,touchpoint,conversion,value\n"
    "a,,2025-03-30 01:30:00,search-ads,false,\n"
    "a,,2025-03-30 02:30:00,online-shop,false,\n"
    "a,,2025-03-30 03:30:00,checkout,true,10\n"
    "b,,2025-10-26 01:30:00,search-ads,false,\n"
    "b,,2025-10-26 02:30:00,online-shop,false,\n"
    "b,,2025-10-26 02:45:00,blogs,false,\n"
    "b,,2025-10-26 03:30:00,checkout,true,20\n"
    "c,,2025-06-01T12:00:00+02:00,search-ads,false,\n"
    "c,,2025-06-01T10:30:00Z,checkout,true,30\n"
)
COPENHAGEN = {"person_id": "person_id", "timestamp": "ts", "timezone": "Europe/Copenhagen"}
RULES = {
    "columns": COPENHAGEN,
    "touchpoints": [{"touchpoint_from": "touchpoint"}],
    "conversion": [{"field": "conversion", "equals": "true"}],
}
GAP_NOTE = (
    "Note: local times that do not exist in Europe/Copenhagen, skipped when the clocks go "
    "forward (1; the first: '{gap}'), were read with the UTC offset before the change: "
    "'{gap}' as 2025-03-30 01:30:00 UTC."
)
OVERLAP_NOTE = (
    "Note: local times that happen twice in Europe/Copenhagen, when the clocks go back (2; "
    "the first: '{overlap}'), were read as the first of the two: '{overlap}' as "
    "2025-10-26 00:30:00 UTC. Times written with their UTC offset leave no doubt."
)


def _import(tmp_path: Path, text: str, rules: dict[str, object]) -> tuple[object, list[str]]:
    path = tmp_path / "dst.csv"
    path.write_text(text, encoding="utf-8")
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, path, MappingRules.model_validate(rules))
        stored = workspace.events().order_by("row_number").ts.to_pyarrow().to_pylist()
    return report, [ts.strftime("%m-%d %H:%M") for ts in stored]


def test_times_in_the_gap_and_the_overlap_are_counted_and_explained(tmp_path: Path) -> None:
    report, stored = _import(tmp_path, DST_CSV, RULES)
    assert (report.dst_gap, report.dst_overlap, report.timezone) == (1, 2, "Europe/Copenhagen")
    assert stored[:7] == [
        "03-30 00:30",
        "03-30 01:30",  # 02:30 read at +01:00: the instant of the 03:30 checkout
        "03-30 01:30",
        "10-25 23:30",
        "10-26 00:30",  # the first 02:30, at +02:00
        "10-26 00:45",
        "10-26 02:30",
    ]
    assert import_notes(report) == [
        GAP_NOTE.format(gap="2025-03-30 02:30:00"),
        OVERLAP_NOTE.format(overlap="2025-10-26 02:30:00"),
    ]


def test_a_strptime_format_counts_them_too(tmp_path: Path) -> None:
    """Day-first dates go through Arrow's strptime, not Python's ISO parser."""
    text = DST_CSV.replace("2025-03-30 ", "30.03.2025 ").replace("2025-10-26 ", "26.10.2025 ")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("c,")) + "\n"
    report, stored = _import(tmp_path, text, RULES)
    assert (report.dst_gap, report.dst_overlap) == (1, 2)
    assert stored[1] == "03-30 01:30" and stored[4] == "10-26 00:30"
    assert import_notes(report) == [
        GAP_NOTE.format(gap="30.03.2025 02:30:00"),
        OVERLAP_NOTE.format(overlap="26.10.2025 02:30:00"),
    ]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])
def test_zones_without_daylight_saving_say_nothing(tmp_path: Path, zone: str) -> None:
    rules = {**RULES, "columns": {**COPENHAGEN, "timezone": zone}}
    report, _stored = _import(tmp_path, DST_CSV, rules)
    assert (report.dst_gap, report.dst_overlap) == (0, 0)
    assert import_notes(report) == []


@pytest.mark.parametrize(
    ("language", "start"),
    [("da", "Bemærk: lokale tider, der ikke findes i Europe/Copenhagen"), ("de", "Hinweis: ")],
)
def test_the_notes_speak_the_users_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str, start: str
) -> None:
    monkeypatch.setenv("JOURNEYMAP_LANG", language)
    report, _stored = _import(tmp_path, DST_CSV, RULES)
    gap, overlap = import_notes(report)
    assert gap.startswith(start) and "2025-03-30 01:30:00 UTC" in gap
    assert "2025-10-26 00:30:00 UTC" in overlap and not overlap.startswith("Note")
