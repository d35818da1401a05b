"""Importing the same rows again with other mapping rules: said, and mapped again on request."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import duckdb
import pytest
from shop_files import FILTERS, MAP
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import EngineError
from journeymap.ingest import ImportReport, Workspace, import_events
from journeymap.ingest.importer import rules_fingerprint
from journeymap.mapfile import load_rules
from journeymap.model.mapping import MappingRules
from journeymap.services.imports import import_file

pytestmark = FILTERS

# The first rules have a typo ("emial"): the email visit finds no rule and is quarantined.
TYPO_RULES = """\
mapping:
  columns: {person_id: user, timestamp: when}
  conversion: [{field: event, equals: order}]
  touchpoints:
    - touchpoint: search-ads
      when: [{field: utm_medium, equals: cpc}]
    - touchpoint: search-ads
      when: [{field: utm_medium, equals: emial}]
    - touchpoint: checkout
      phase: purchase
      when: [{field: event, equals: order}]
"""
# Fixed: email visits are search ads now, and display visits (search ads before) find no rule.
FIXED_RULES = TYPO_RULES.replace("equals: emial", "equals: email").replace(
    "equals: cpc", "equals: paid"
)

EVENTS = (
    "user,when,utm_medium,event\n"
    "u1,2024-02-01 10:00,cpc,visit\n"
    "u1,2024-02-02 11:00,,order\n"
    "u2,2024-02-03 09:00,email,visit\n"
    "u3,2024-02-03 10:00,email,visit\n"
    "u4,2024-02-04 10:00,paid,visit\n"
    ",2024-02-04 11:00,cpc,visit\n"
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "typo": tmp_path / "typo.yaml",
        "fixed": tmp_path / "fixed.yaml",
        "events": tmp_path / "events.csv",
        "renamed": tmp_path / "events-again.csv",
        "db": tmp_path / "ws.duckdb",
    }
    paths["typo"].write_text(MAP + TYPO_RULES, encoding="utf-8")
    paths["fixed"].write_text(MAP + FIXED_RULES, encoding="utf-8")
    paths["events"].write_text(EVENTS, encoding="utf-8")
    paths["renamed"].write_text(EVENTS, encoding="utf-8")
    return paths


def stored(db: Path | Workspace) -> tuple[dict[str, str], dict[str, str]]:
    """Touchpoint per person (events) and reason per row number (quarantine)."""
    if isinstance(db, Path):
        with Workspace(f"duckdb:///{db}") as workspace:
            return stored(workspace)
    events = db.events().to_pyarrow().to_pylist()
    quarantine = db.quarantine().to_pyarrow().to_pylist()
    return (
        {f"{e['person_id']}@{e['row_number']}": e["touchpoint"] for e in events},
        {str(q["row_number"]): q["reason"] for q in quarantine},
    )


def cli(files: dict[str, Path], events: str, rules: str, *extra: str) -> str:
    args = ["import", str(files[events]), "--map", str(files[rules]), "--db", str(files["db"])]
    result = CliRunner().invoke(
        app, [*args, *extra], env={"COLUMNS": "200", "JOURNEYMAP_LANG": "en"}
    )
    assert result.exit_code == 0, result.output
    return result.output


def table_rows(output: str) -> dict[str, int]:
    """The printed counts table as {label: count}."""
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if line.startswith("│") and len(cells) == 2:
            rows[cells[0]] = int(cells[1].replace(",", ""))
    return rows


def balanced(report: ImportReport) -> bool:
    already = report.rows_already_imported
    return report.rows_read == report.rows_imported + report.rows_quarantined + already


BEFORE_EVENTS = {"u1@1": "search-ads", "u1@2": "checkout"}
BEFORE_QUARANTINE = {
    "3": "no rule matched",
    "4": "no rule matched",
    "5": "no rule matched",
    "6": "missing person id",
}
AFTER_EVENTS = {
    "u1@2": "checkout",
    "u2@3": "search-ads",
    "u3@4": "search-ads",
    "u4@5": "search-ads",
}
AFTER_QUARANTINE = {"1": "no rule matched", "6": "missing person id"}


def test_other_rules_are_noted_with_counts_and_the_old_mapping_stays(
    files: dict[str, Path],
) -> None:
    cli(files, "events", "typo")
    assert stored(files["db"]) == (BEFORE_EVENTS, BEFORE_QUARANTINE)
    output = cli(files, "renamed", "fixed")
    counts = table_rows(output)
    assert counts["read"] == 6 and counts["imported"] == 0 and counts["quarantined"] == 0
    assert counts["already imported"] == 6
    assert counts["of which mapped with other rules"] == 6
    text = " ".join(output.split())
    # Four of the six rows map otherwise now: u1's cpc visit (no rule for cpc any more) and
    # the email and paid visits of u2..u4; u1's order and the row without a person do not.
    assert (
        "Note: 6 rows were imported before with other mapping rules and keep that earlier "
        "mapping; these rules would map 4 of them differently. To map them with these rules, "
        "import again with --replace." in text
    )
    assert stored(files["db"]) == (BEFORE_EVENTS, BEFORE_QUARANTINE)  # nothing changed yet
    report = import_file(files["events"], files["fixed"], db=files["db"])
    assert (report.rows_already_imported, report.rows_other_rules) == (6, 6)
    assert (report.rows_replaced, report.rows_imported, report.rows_quarantined) == (0, 0, 0)
    assert report.rows_mapped_differently == 4
    assert report.file_already_imported and balanced(report)


def test_replace_maps_the_rows_again_and_moves_them_in_and_out_of_quarantine(
    files: dict[str, Path],
) -> None:
    cli(files, "events", "typo")
    output = cli(files, "renamed", "fixed", "--replace")
    counts = table_rows(output)
    assert counts["read"] == 6 and counts["imported"] == 4 and counts["quarantined"] == 2
    assert counts["no rule matched"] == 1 and counts["missing person id"] == 1
    assert counts["already imported"] == 0 and counts["mapped again (replaced)"] == 6
    text = " ".join(output.split())
    assert (
        "Mapped again with these rules: 6 rows imported before with other mapping rules, 4 of "
        "them differently;" in text
    )
    assert "nothing was added twice" not in text and "other mapping rules and keep" not in text
    # u2..u4 left the quarantine, u1's cpc visit entered it; no row is stored twice.
    assert stored(files["db"]) == (AFTER_EVENTS, AFTER_QUARANTINE)
    with Workspace(f"duckdb:///{files['db']}") as workspace:
        sources = set(workspace.events().source.to_pyarrow().to_pylist())
        assert sources == {"events-again.csv"}
        raw = workspace.quarantine().filter(lambda t: t.row_number == 1).raw.execute()
        assert json.loads(raw[0])["utm_medium"] == "cpc"
        imports = workspace.imports().order_by("imported_at").to_pyarrow().to_pylist()
    fixed = rules_fingerprint(load_rules(files["fixed"]))
    assert [(i["rules_fingerprint"] == fixed, i["rows_replaced"]) for i in imports] == [
        (False, 0),
        (True, 6),
    ]


def test_other_rules_that_map_every_row_as_before_say_so(files: dict[str, Path]) -> None:
    """A rule for a medium no row has changes the rules, not one row's mapping."""
    cli(files, "events", "typo")
    extra_rule = "    - touchpoint: search-ads\n      when: [{field: utm_medium, equals: tv}]\n"
    files["fixed"].write_text(MAP + TYPO_RULES + extra_rule, encoding="utf-8")
    text = " ".join(cli(files, "renamed", "fixed").split())
    assert (
        "Note: 6 rows were imported before with other mapping rules; these rules map every one "
        "of them as before, so they stay as they are." in text
    )
    assert "--replace" not in text
    # A kept column is part of the event: keeping one more changes every stored event.
    keep = "  keep: [utm_medium]\n"
    files["fixed"].write_text(MAP + TYPO_RULES + keep, encoding="utf-8")
    report = import_file(files["events"], files["fixed"], db=files["db"])
    assert (report.rows_other_rules, report.rows_mapped_differently) == (6, 2)


@pytest.mark.parametrize("staged", [2, 1_000_000])
def test_the_rows_mapped_differently_are_counted_however_many_are_staged(
    files: dict[str, Path], staged: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compared every few rows (to bound memory) or at the end, the count is the same."""
    from journeymap.ingest import _transaction

    monkeypatch.setattr(_transaction, "STAGED_ROWS", staged)
    with Workspace("duckdb://") as workspace:
        import_events(workspace, files["events"], load_rules(files["typo"]))
        fixed = load_rules(files["fixed"])
        report = import_events(workspace, files["events"], fixed, replace=True)
        assert (report.rows_replaced, report.rows_mapped_differently) == (6, 4)
        assert stored(workspace) == (AFTER_EVENTS, AFTER_QUARANTINE)
        assert workspace.duckdb is not None  # and no staging table is left behind
        tables = workspace.duckdb.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        assert sorted(name for (name,) in tables) == ["events", "imports", "quarantine"]


def test_same_rules_stay_idempotent_with_or_without_replace(files: dict[str, Path]) -> None:
    first = import_file(files["events"], files["typo"], db=files["db"])
    again = import_file(files["renamed"], files["typo"], db=files["db"], replace=True)
    assert (first.rows_imported, first.rows_quarantined) == (2, 4)
    assert (again.rows_already_imported, again.rows_other_rules, again.rows_replaced) == (6, 0, 0)
    assert (again.rows_imported, again.rows_quarantined) == (0, 0)
    replaced = import_file(files["events"], files["fixed"], db=files["db"], replace=True)
    assert (replaced.rows_replaced, replaced.rows_imported, replaced.rows_quarantined) == (6, 4, 2)
    assert balanced(replaced)
    for replace in (True, False):
        same = import_file(files["events"], files["fixed"], db=files["db"], replace=replace)
        assert (same.rows_already_imported, same.rows_other_rules, same.rows_replaced) == (6, 0, 0)
    output = cli(files, "events", "fixed")
    assert "This data was imported before; nothing was added twice." in output
    assert "other mapping rules" not in output and "mapped again" not in output
    assert stored(files["db"]) == (AFTER_EVENTS, AFTER_QUARANTINE)


def test_rules_written_differently_are_the_same_rules(files: dict[str, Path]) -> None:
    import_file(files["events"], files["typo"], db=files["db"])
    respelled = TYPO_RULES.replace(
        "  conversion: [{field: event, equals: order}]\n",
        "  unmatched: quarantine\n  conversion:\n    - equals: order\n      field: event\n",
    )
    files["typo"].write_text(MAP + respelled, encoding="utf-8")
    again = import_file(files["events"], files["typo"], db=files["db"])
    assert (again.rows_already_imported, again.rows_other_rules) == (6, 0)
    # Keeping unmatched rows is another mapping: the override counts.
    kept = import_file(files["events"], files["typo"], db=files["db"], unmatched="keep")
    assert kept.rows_other_rules == 6


def test_a_failed_replace_leaves_the_workspace_as_it_was(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from journeymap.ingest import importer

    import_file(files["events"], files["typo"], db=files["db"])
    delete = importer._Writer.delete_earlier_rows

    def delete_then_fail(writer: importer._Writer, keys: list[str], rules: str) -> None:
        delete(writer, keys, rules)  # the earlier rows are gone, the new ones stored ...
        raise duckdb.IOException("disk full")  # ... when the workspace gives up

    monkeypatch.setattr(importer._Writer, "delete_earlier_rows", delete_then_fail)
    with pytest.raises(EngineError, match="disk full"):
        import_file(files["events"], files["fixed"], db=files["db"], replace=True)
    assert stored(files["db"]) == (BEFORE_EVENTS, BEFORE_QUARANTINE)
    with Workspace(f"duckdb:///{files['db']}") as workspace:
        assert workspace.imports().count().execute() == 1


@pytest.mark.postgres
def test_a_failed_replace_on_postgresql_leaves_the_workspace_as_it_was(
    files: dict[str, Path], database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL takes the import in one transaction too (it went table by table)."""
    psycopg = pytest.importorskip("psycopg")
    with Workspace(f"postgres://postgres@127.0.0.1:5432/{database}") as workspace:
        _failed_replace_changes_nothing(
            workspace, files, monkeypatch, psycopg.errors.DiskFull("could not extend file")
        )


def test_a_failed_replace_on_sqlite_leaves_the_workspace_as_it_was(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So does SQLite, whose Ibis backend commits after every insert it makes."""
    with Workspace(f"sqlite:///{tmp_path / 'workspace.sqlite'}") as workspace:
        _failed_replace_changes_nothing(
            workspace, files, monkeypatch, sqlite3.OperationalError("database or disk is full")
        )
        assert not workspace.backend.con.in_transaction
    with Workspace(f"sqlite:///{tmp_path / 'workspace.sqlite'}") as reopened:
        assert stored(reopened) == (AFTER_EVENTS, AFTER_QUARANTINE)


def _failed_replace_changes_nothing(
    workspace: Workspace,
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
) -> None:
    """A replace that fails after deleting the earlier rows leaves them; the next one works."""
    from journeymap.ingest import importer

    delete = importer._Writer.delete_earlier_rows

    def delete_then_fail(writer: importer._Writer, keys: list[str], rules: str) -> None:
        delete(writer, keys, rules)  # the earlier rows are gone, the new ones stored ...
        raise error  # ... when the database gives up

    import_events(workspace, files["events"], load_rules(files["typo"]))
    assert stored(workspace) == (BEFORE_EVENTS, BEFORE_QUARANTINE)
    monkeypatch.setattr(importer._Writer, "delete_earlier_rows", delete_then_fail)
    with pytest.raises(EngineError, match=str(error)):
        import_events(workspace, files["events"], load_rules(files["fixed"]), replace=True)
    assert stored(workspace) == (BEFORE_EVENTS, BEFORE_QUARANTINE)
    assert workspace.imports().count().execute() == 1
    monkeypatch.undo()  # and the workspace takes the next import
    report = import_events(workspace, files["events"], load_rules(files["fixed"]), replace=True)
    assert report.rows_replaced == 6
    assert stored(workspace) == (AFTER_EVENTS, AFTER_QUARANTINE)


def test_exact_copies_of_a_replaced_row_stay_one_event(tmp_path: Path) -> None:
    rules = MappingRules.model_validate(
        {
            "columns": {"person_id": "user", "timestamp": "when"},
            "touchpoints": [{"touchpoint": "search-ads", "when": [{"field": "m", "regex": "."}]}],
        }
    )
    other = rules.model_copy(update={"unmatched": "keep"})
    source = tmp_path / "copies.csv"
    source.write_text("user,when,m\nu1,2024-01-01,cpc\nu1,2024-01-01,cpc\n", encoding="utf-8")
    with Workspace("duckdb://") as workspace:
        import_events(workspace, source, rules)
        report = import_events(workspace, source, other, replace=True)
        assert (report.rows_replaced, report.rows_imported, report.rows_duplicate) == (1, 1, 1)
        assert balanced(report)
        assert workspace.events().count().execute() == 1
        reasons = workspace.quarantine().reason.to_pyarrow().to_pylist()
        assert reasons == ["exact duplicate"]
        again = import_events(workspace, source, other, replace=True)
        assert (again.rows_already_imported, again.rows_replaced) == (2, 0)


OLD_EVENTS = (
    "person_id VARCHAR NOT NULL, account_id VARCHAR, ts TIMESTAMPTZ NOT NULL, "
    "touchpoint VARCHAR NOT NULL, phase VARCHAR, persona VARCHAR, conversion BOOLEAN NOT NULL, "
    "value DOUBLE, source VARCHAR NOT NULL, event_key VARCHAR NOT NULL, "
    "row_number BIGINT NOT NULL, extra VARCHAR"
)
OLD_QUARANTINE = (
    "source VARCHAR NOT NULL, row_number BIGINT NOT NULL, reason VARCHAR NOT NULL, "
    "raw VARCHAR NOT NULL, event_key VARCHAR NOT NULL"
)
OLD_IMPORTS = (
    "source VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL, imported_at TIMESTAMPTZ NOT NULL, "
    "rows_read BIGINT NOT NULL, rows_imported BIGINT NOT NULL, "
    "rows_quarantined BIGINT NOT NULL, rows_duplicate BIGINT NOT NULL"
)


def test_a_workspace_from_before_rules_were_recorded_opens_and_can_be_mapped_again(
    files: dict[str, Path],
) -> None:
    import_file(files["events"], files["typo"], db=files["db"])
    # Rebuild the workspace as an older journeymap made it: no rules fingerprints.
    with duckdb.connect(str(files["db"])) as con:
        for name, columns in (
            ("events", OLD_EVENTS),
            ("quarantine", OLD_QUARANTINE),
            ("imports", OLD_IMPORTS),
        ):
            kept = ", ".join(part.split()[0] for part in columns.split(", "))
            con.execute(f"CREATE TABLE old_{name} AS SELECT {kept} FROM {name}")
            con.execute(f"DROP TABLE {name}")
            con.execute(f"ALTER TABLE old_{name} RENAME TO {name}")
        assert "rules_fingerprint" not in {c[0] for c in con.sql("DESCRIBE events").fetchall()}
    with Workspace(f"duckdb:///{files['db']}") as workspace:
        assert "rules_fingerprint" in workspace.events().columns
        assert "rows_replaced" in workspace.imports().columns
        assert workspace.imports().rules_fingerprint.isnull().all().execute()
    # Unrecorded rules may be other rules: said, and --replace maps the rows again.
    unknown = import_file(files["events"], files["typo"], db=files["db"])
    assert (unknown.rows_already_imported, unknown.rows_other_rules) == (6, 6)
    replaced = import_file(files["events"], files["fixed"], db=files["db"], replace=True)
    assert (replaced.rows_replaced, replaced.rows_imported, replaced.rows_quarantined) == (6, 4, 2)
    assert stored(files["db"]) == (AFTER_EVENTS, AFTER_QUARANTINE)


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_replace_on_another_ibis_engine(
    files: dict[str, Path], engine: str, request: pytest.FixtureRequest
) -> None:
    """The DELETE of the rows mapped again is built as text off DuckDB: run it on real engines."""
    if engine == "postgres":
        url = f"postgres://postgres@127.0.0.1:5432/{request.getfixturevalue('database')}"
    else:
        url = f"sqlite:///{files['db'].with_suffix('.sqlite')}"
    typo, fixed = load_rules(files["typo"]), load_rules(files["fixed"])
    with Workspace(url) as workspace:
        import_events(workspace, files["events"], typo)
        noted = import_events(workspace, files["events"], fixed)
        assert (noted.rows_other_rules, noted.rows_imported) == (6, 0)
        assert noted.rows_mapped_differently == 4
        report = import_events(workspace, files["events"], fixed, replace=True)
        assert (report.rows_replaced, report.rows_imported, report.rows_quarantined) == (6, 4, 2)
        assert report.rows_mapped_differently == 4
        touchpoints = workspace.events().order_by("row_number").touchpoint.to_pyarrow()
        assert touchpoints.to_pylist() == ["checkout", "search-ads", "search-ads", "search-ads"]
        reasons = workspace.quarantine().order_by("row_number").reason.to_pyarrow()
        assert reasons.to_pylist() == ["no rule matched", "missing person id"]
        same = import_events(workspace, files["events"], fixed, replace=True)
        assert (same.rows_already_imported, same.rows_replaced) == (6, 0)


def test_rows_with_nanosecond_times_compare_as_stored(tmp_path: Path) -> None:
    """The workspace keeps microseconds: a nanosecond time is no change of mapping."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    times = [1_700_000_000_123_456_789, 1_700_000_001_000_000_001]
    table = pa.table(
        {"user": ["a", "b"], "when": pa.array(times, pa.timestamp("ns", "UTC")), "m": ["x", "y"]}
    )
    pq.write_table(table, tmp_path / "events.parquet")

    def rules(media: list[str]) -> MappingRules:
        touchpoint = {"touchpoint": "web", "when": [{"field": "m", "in": media}]}
        columns = {"person_id": "user", "timestamp": "when"}
        return MappingRules.model_validate(
            {"columns": columns, "touchpoints": [touchpoint], "unmatched": "keep"}
        )

    with Workspace("duckdb://") as workspace:
        import_events(workspace, tmp_path / "events.parquet", rules(["x"]))
        report = import_events(workspace, tmp_path / "events.parquet", rules(["x", "y"]))
    assert (report.rows_other_rules, report.rows_mapped_differently) == (2, 1)  # only b moves
