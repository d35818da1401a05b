"""The same events exported again in another form are not imported again (ops finding 1).

A nightly job imported the same 907,631 events as Parquet, CSV and JSON Lines and the
workspace held 2,722,893: the event key hashes a row's text, and a re-export changes the text
(an added column, ``Z`` for ``+00``, another file format, a cut last line written whole the
next night), not the events. An event equal in every mapped field to one stored from another
row, or to an earlier row's, is now quarantined as ``same event already imported``, on
DuckDB, SQLite and PostgreSQL, unless the rules say ``duplicates: keep``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from shop_files import FILTERS, MAP
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.ingest import Workspace, import_events, read_events
from journeymap.model.mapping import MappingRules
from journeymap.services.imports import import_notes

pytestmark = FILTERS

HELPDESK_RULES = MappingRules.model_validate(
    {
        "columns": {"person_id": "case:concept:name", "timestamp": "time:timestamp"},
        "touchpoints": [{"touchpoint_from": "concept:name"}],
        "conversion": [{"field": "concept:name", "equals": "Closed"}],
        "keep": ["product", "seriousness"],
    }
)
RULES = MappingRules.model_validate(
    {
        "columns": {"person_id": "person_id", "timestamp": "ts", "value": "value"},
        "touchpoints": [{"touchpoint_from": "touchpoint"}],
        "conversion": [{"field": "conversion", "equals": "true"}],
    }
)
SAME = "same event already imported"


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory, datasets: Path) -> dict[str, Path]:
    """The Helpdesk log (21,348 events) and the same events exported again three ways."""
    helpdesk = datasets / "helpdesk" / "helpdesk.xes.gz"
    folder = tmp_path_factory.mktemp("exports")
    log = pa.Table.from_batches(list(read_events(helpdesk)))
    stamps = log["time:timestamp"]
    with_z = pc.replace_substring(stamps, "+00:00", "Z")  # 2012-10-09T14:50:17Z
    assert pc.all(pc.ends_with(with_z, "Z")).as_py()
    csv = folder / "helpdesk.csv"
    pacsv.write_csv(
        log.set_column(log.schema.get_field_index("time:timestamp"), "time:timestamp", with_z), csv
    )
    parquet = folder / "helpdesk.parquet"  # the times typed, not text
    typed = pc.cast(stamps, pa.timestamp("us", tz="UTC"))
    pq.write_table(
        log.set_column(log.schema.get_field_index("time:timestamp"), "time:timestamp", typed),
        parquet,
    )
    wider = folder / "helpdesk-wider.jsonl"  # a field added by the vendor
    with wider.open("w", encoding="utf-8") as handle:
        for row in log.to_pylist():
            handle.write(json.dumps({**row, "exported_by": "crm-v2"}) + "\n")
    return {"xes": helpdesk, "csv": csv, "parquet": parquet, "wider": wider}


@pytest.fixture
def url(engine_url: str) -> str:
    """A new workspace on each engine (tests/conftest.py)."""
    return engine_url


def _stored(workspace: Workspace) -> tuple[int, int]:
    events = workspace.events()
    conversions = events.filter(events.conversion).count()
    return int(events.count().execute()), int(conversions.execute())


def test_the_same_events_as_csv_parquet_and_with_a_new_field_add_nothing(
    exports: dict[str, Path], url: str
) -> None:
    with Workspace(url) as workspace:
        first = import_events(workspace, exports["xes"], HELPDESK_RULES)
        events, conversions = _stored(workspace)
        assert events == first.rows_imported > 21_000 and conversions == first.conversions > 4_000
        for name in ("csv", "parquet", "wider"):
            again = import_events(workspace, exports[name], HELPDESK_RULES)
            assert (again.rows_read, again.rows_imported) == (21_348, 0), name
            assert again.rows_already_imported == 0, name  # every row's text is new
            assert again.rows_same_event_stored == events, name
            assert again.rows_quarantined == 21_348, name
        # The workspace holds the log's events once: not 4 times the conversions.
        assert _stored(workspace) == (events, conversions)
        # A file imported again is known by its rows: nothing more, nothing twice.
        repeat = import_events(workspace, exports["csv"], HELPDESK_RULES)
        assert (repeat.rows_already_imported, repeat.rows_quarantined) == (21_348, 0)
    (note,) = [note for note in import_notes(again) if "in the workspace" in note]
    assert note.startswith(f"Note: {events:,} rows map to events already in the workspace")
    assert "quarantined as 'same event already imported', not imported again" in note


def test_a_row_cut_off_tonight_and_whole_tomorrow_is_one_event(tmp_path: Path) -> None:
    """Cut inside its last field, the last row still has every field: it was imported, and
    the whole row the next night became a second event."""
    rows = [
        "person_id,ts,touchpoint,conversion,value,source",
        "p1,2025-05-06 12:54:17.206978+00,search-ads,false,,synthetic",
        "p1,2025-05-07 09:00:00+00,checkout,true,49.5,synthetic",
    ]
    tonight, tomorrow = tmp_path / "night1" / "events.csv", tmp_path / "night2" / "events.csv"
    tonight.parent.mkdir()
    tomorrow.parent.mkdir()
    whole = "\n".join(rows) + "\n"
    tonight.write_text(whole[: whole.rindex(",synthetic") + 3], encoding="utf-8")  # ...,sy
    tomorrow.write_text(whole, encoding="utf-8")
    with Workspace(f"duckdb:///{tmp_path / 'ws.duckdb'}") as workspace:
        assert import_events(workspace, tonight, RULES).rows_imported == 2
        next_night = import_events(workspace, tomorrow, RULES)
        assert (next_night.rows_already_imported, next_night.quarantined) == (1, {SAME: 1})
        assert _stored(workspace) == (2, 1)


EQUAL_EVENTS = (
    "person_id,ts,touchpoint,conversion,value,page\n"
    "p1,2025-01-01T10:00:00Z,search-ads,false,,/a\n"
    "p1,2025-01-01T11:00:00+01:00,search-ads,false,,/b\n"  # the same instant, another page
    "p1,2025-01-01T12:00:00Z,checkout,true,100,/c\n"
    "p1,2025-01-01T12:00:00Z,checkout,true,100.0,/d\n"  # the same value written otherwise
    "p2,2025-01-01T12:00:00Z,checkout,true,100,/c\n"
)


def test_rows_of_one_file_that_make_the_same_event_are_quarantined_with_the_first_row(
    tmp_path: Path, url: str
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(EQUAL_EVENTS, encoding="utf-8")
    with Workspace(url) as workspace:
        report = import_events(workspace, path, RULES)
        assert (report.rows_read, report.rows_imported, report.quarantined) == (5, 3, {SAME: 2})
        assert (report.rows_same_event_in_input, report.same_event_example) == (2, (2, 1))
        quarantine = workspace.quarantine().order_by("row_number").to_pyarrow().to_pylist()
        assert [(row["row_number"], row["reason"]) for row in quarantine] == [(2, SAME), (4, SAME)]
        assert json.loads(quarantine[1]["raw"])["page"] == "/d"
    (note,) = import_notes(report)
    assert note == (
        "Note: 2 rows map to the same event as an earlier row of this file (the first: row 2, "
        "the event of row 1) and were quarantined as 'same event already imported'. If they "
        "are distinct events, import again with duplicates: keep in the rules and --replace."
    )


def test_kept_columns_tell_events_apart_and_duplicates_keep_keeps_them_all(
    tmp_path: Path,
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(EQUAL_EVENTS, encoding="utf-8")
    keeping_pages = RULES.model_copy(update={"keep": ["page"]})
    keeping_all = RULES.model_copy(update={"duplicates": "keep"})
    for rules, imported in ((keeping_pages, 5), (keeping_all, 5)):
        with Workspace("duckdb://") as workspace:
            report = import_events(workspace, path, rules)
            assert (report.rows_imported, report.rows_quarantined) == (imported, 0)
            assert import_notes(report) == []


def test_a_row_mapped_again_is_not_a_copy_of_its_own_event(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(EQUAL_EVENTS, encoding="utf-8")
    with Workspace("duckdb://") as workspace:
        import_events(workspace, path, RULES)
        other_rules = RULES.model_copy(update={"unmatched": "keep"})
        report = import_events(workspace, path, other_rules, replace=True)
        assert (report.rows_replaced, report.rows_imported, report.quarantined) == (5, 3, {SAME: 2})
        assert report.rows_mapped_differently == 0  # quarantined as before, for the same reason
        assert _stored(workspace) == (3, 2)


def test_the_import_command_counts_them(tmp_path: Path) -> None:
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    rules = RULES.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    (tmp_path / "rules.yaml").write_text(json.dumps(rules), encoding="utf-8")
    (tmp_path / "events.csv").write_text(EQUAL_EVENTS, encoding="utf-8")
    # The same five rows again, the times' offsets written another way.
    (tmp_path / "export.csv").write_text(
        EQUAL_EVENTS.replace("Z", "+00:00").replace("+01:00", "+01"), encoding="utf-8"
    )
    outputs = []
    for name in ("events.csv", "export.csv"):
        args = ["import", str(tmp_path / name), "--map", str(tmp_path / "map.yaml")]
        args += ["--rules", str(tmp_path / "rules.yaml"), "--db", str(tmp_path / "ws.duckdb")]
        result = CliRunner().invoke(app, args, env={"COLUMNS": "200", "JOURNEYMAP_LANG": "en"})
        assert result.exit_code == 0, result.output
        outputs.append(" ".join(result.output.split()))
    assert "│ imported │ 3 │" in outputs[0] and "│ same event already imported │ 2 │" in outputs[0]
    assert "│ imported │ 0 │" in outputs[1] and "│ same event already imported │ 5 │" in outputs[1]


def test_digests_that_share_their_low_half_are_told_apart() -> None:
    """Two events whose first 64 bits collide differ in the other 64: neither is the other."""
    import numpy as np

    from journeymap.ingest._same_events import _Run

    def digests(*values: int) -> np.ndarray:
        return np.array(values, dtype=np.uint64)

    stored = _Run.sorted(digests(5, 5, 9), digests(1, 2, 3), None, np.array([0, 4, 7]))
    grown = stored.merged(_Run.sorted(digests(5, 20), digests(8, 9), None, np.array([11, 12])))
    found, rows = grown.find(digests(5, 5, 5, 5, 20, 9), digests(2, 8, 7, 1, 1, 3), None)
    assert found.tolist() == [True, True, False, True, False, True]
    assert rows.tolist() == [4, 11, 0, 0, 0, 7]
    # A row mapped again is no copy of its own event, but of another row's equal one.
    owned = _Run.sorted(digests(5, 5), digests(1, 1), digests(100, 200), np.array([3, 6]))
    assert owned.find(digests(5), digests(1), digests(100))[1].tolist() == [6]
