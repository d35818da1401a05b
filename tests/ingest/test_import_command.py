"""``journeymap import`` and the import use case behind it."""

from __future__ import annotations

from pathlib import Path

import pytest
from shop_files import FILTERS, MAP
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import RulesError, UsageError, WorkspaceError
from journeymap.ingest import Workspace
from journeymap.services.imports import import_file

pytestmark = FILTERS

MAPPING = """\
mapping:
  columns: {person_id: user, timestamp: when, dayfirst: true}
  conversion: [{field: event, equals: order}]
  touchpoints:
    - touchpoint: search-ads
      when: [{field: utm_medium, equals: cpc}]
    - touchpoint: checkout
      phase: purchase
      when: [{field: event, in: [checkout, order]}]
"""

EVENTS = (
    "user;when;utm_medium;event\n"
    "u1;01-02-2024 10:00;cpc;visit\n"
    "u1;02-02-2024 11:00;;order\n"
    ";02-02-2024 12:00;cpc;visit\n"
    "u2;03-02-2024 09:00;email;visit\n"
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "map": tmp_path / "shop.yaml",
        "bare_map": tmp_path / "bare.yaml",
        "rules": tmp_path / "rules.yaml",
        "events": tmp_path / "events.csv",
        "db": tmp_path / "ws.duckdb",
    }
    paths["map"].write_text(MAP + MAPPING, encoding="utf-8")
    paths["bare_map"].write_text(MAP, encoding="utf-8")
    paths["rules"].write_text(MAPPING, encoding="utf-8")
    paths["events"].write_text(EVENTS, encoding="utf-8")
    return paths


def test_cli_prints_counts_and_stores_events(files: dict[str, Path]) -> None:
    runner = CliRunner()
    args = ["import", str(files["events"]), "--map", str(files["map"]), "--db", str(files["db"])]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = {line.strip("│ ").split("│")[0].strip(): line for line in result.output.splitlines()}
    assert "4" in lines["read"] and "2" in lines["imported"]
    assert "1" in lines["missing person id"] and "1" in lines["no rule matched"]
    again = runner.invoke(app, args)
    assert "imported before" in again.output
    with Workspace(f"duckdb:///{files['db']}") as workspace:
        assert workspace.events().count().execute() == 2


def test_a_workspace_opens_by_its_file_path(files: dict[str, Path]) -> None:
    """``Workspace("ws.duckdb")`` is the file, as ``--db`` is: no URL needed."""
    args = ["import", str(files["events"]), "--map", str(files["map"]), "--db", str(files["db"])]
    assert CliRunner().invoke(app, args).exit_code == 0
    with Workspace(str(files["db"]), read_only=True) as workspace:
        assert workspace.events().count().execute() == 2
    with pytest.raises(WorkspaceError, match="does not exist; import events first"):
        Workspace(str(files["db"].with_name("other.duckdb")), read_only=True)


def test_cli_keeps_unmatched_when_asked(files: dict[str, Path]) -> None:
    result = CliRunner().invoke(
        app,
        [
            "import",
            str(files["events"]),
            "--map",
            str(files["map"]),
            "--db",
            str(files["db"]),
            "--unmatched",
            "keep",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "of which unmapped" in result.output


def test_cli_user_errors_have_no_traceback(files: dict[str, Path]) -> None:
    runner = CliRunner()
    missing = runner.invoke(
        app,
        [
            "import",
            str(files["events"].with_name("nope.csv")),
            "--map",
            str(files["map"]),
            "--db",
            str(files["db"]),
        ],
    )
    assert missing.exit_code == 1
    assert "Error:" in missing.output and "file not found" in missing.output
    assert "Traceback" not in missing.output
    both = runner.invoke(
        app,
        [
            "import",
            str(files["events"]),
            "--map",
            str(files["map"]),
            "--db",
            str(files["db"]),
            "--engine",
            "duckdb://",
        ],
    )
    assert both.exit_code == 2
    assert "not both" in both.output


def test_rules_from_a_separate_file(files: dict[str, Path]) -> None:
    report = import_file(
        files["events"], files["bare_map"], rules_path=files["rules"], db=files["db"]
    )
    assert (report.rows_read, report.rows_imported) == (4, 2)
    with Workspace(f"duckdb:///{files['db']}") as workspace:
        phases = workspace.events().order_by("ts").phase.to_pyarrow().to_pylist()
        assert phases == [None, "purchase"]


def test_service_errors(files: dict[str, Path]) -> None:
    with pytest.raises(RulesError, match="no 'mapping' section"):
        import_file(files["events"], files["bare_map"], db=files["db"])
    with pytest.raises(UsageError, match="--unmatched"):
        import_file(files["events"], files["map"], db=files["db"], unmatched="drop")


def test_cli_names_touchpoints_the_data_gives_that_the_map_lacks(
    files: dict[str, Path],
) -> None:
    # touchpoint_from takes ids from the data: they cannot be checked before the import.
    rules = MAPPING.replace(
        "    - touchpoint: search-ads\n      when: [{field: utm_medium, equals: cpc}]\n",
        "    - touchpoint_from: utm_medium\n      when: [{field: utm_medium, in: [cpc, email]}]\n",
    )
    files["rules"].write_text(rules, encoding="utf-8")
    files["events"].write_text(
        EVENTS + "u3;04-02-2024 09:00;email;visit\nu4;04-02-2024 10:00;search-ads;visit\n",
        encoding="utf-8",
    )
    args = ["import", str(files["events"]), "--map", str(files["bare_map"])]
    args += ["--rules", str(files["rules"]), "--db", str(files["db"])]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200", "JOURNEYMAP_LANG": "en"})
    assert result.exit_code == 0, result.output
    note = " ".join(line for line in result.output.splitlines() if not line.startswith(("┃", "│")))
    assert "Note: 3 events have touchpoints the map does not have: email (2), cpc (1)." in note
    with Workspace(f"duckdb:///{files['db']}") as workspace:
        assert workspace.events().count().execute() == 4  # imported all the same


def test_typed_timestamps_are_reported_as_the_sources_own(files: dict[str, Path]) -> None:
    """A Parquet file's (or DataFrame's) timestamps are not text: the import says so."""
    from datetime import UTC, datetime

    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from journeymap.ingest import import_events
    from journeymap.mapfile import load_rules

    when = [datetime(2024, 2, 1, 10, tzinfo=UTC), datetime(2024, 2, 2, 11, tzinfo=UTC)]
    table = pa.table(
        {
            "user": ["u1", "u1"],
            "when": pa.array(when, pa.timestamp("ms", tz="UTC")),
            "utm_medium": ["cpc", ""],
            "event": ["visit", "order"],
        }
    )
    parquet = files["events"].with_suffix(".parquet")
    pq.write_table(table, parquet)
    args = ["import", str(parquet), "--map", str(files["map"]), "--db", str(files["db"])]
    result = CliRunner().invoke(app, args, env={"JOURNEYMAP_LANG": "en"})
    assert result.exit_code == 0, result.output
    assert "Timestamps read as: the source's own timestamp[ms, tz=UTC] values" in result.output
    assert "ISO 8601" not in result.output
    with Workspace(f"duckdb:///{files['db']}") as workspace:
        stored = workspace.events().order_by("ts").ts.to_pyarrow().to_pylist()
        assert [ts.astimezone(UTC) for ts in stored] == when
        frame = pd.DataFrame({"user": ["u3"], "when": [pd.Timestamp("2024-02-03 09:00")]})
        frame = frame.assign(utm_medium="cpc", event="visit")
        report = import_events(workspace, frame, load_rules(files["rules"]))
        assert report.rows_imported == 1  # pandas keeps ns or us, by version
        assert report.timestamp_type in {"timestamp[ns]", "timestamp[us]"}
    csv = import_file(files["events"], files["map"], db=files["db"])
    assert csv.timestamp_type is None and csv.timestamp_format == "%d-%m-%Y %H:%M"


def test_analysing_a_workspace_without_events_says_why_instead_of_empty_tables(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """Every row quarantined: analyze and attribute stop with the reason, exit code 2."""
    bad = tmp_path / "bad.csv"
    bad.write_text(EVENTS.splitlines()[0] + "\n;02-02-2024 12:00;cpc;visit\nu2;x;cpc;visit\n")
    runner = CliRunner()
    db = ["--db", str(files["db"])]
    imported = runner.invoke(app, ["import", str(bad), "--map", str(files["map"]), *db])
    assert imported.exit_code == 0, imported.output
    for command in (["analyze", "--out", str(tmp_path / "out")], ["attribute"]):
        result = runner.invoke(app, [*command, "--map", str(files["map"]), *db])
        assert result.exit_code == 2, result.output
        assert "holds no events; all 2 rows imported so far were quarantined" in result.output
    assert not (tmp_path / "out").exists()


def test_excel_unicode_text_is_read_by_its_byte_order_mark(files: dict[str, Path]) -> None:
    """Excel's "Unicode text" export: UTF-16 with a byte order mark, tab-separated."""
    events = files["events"].with_name("events-excel.txt")
    events.write_bytes(EVENTS.replace(";", "\t").encode("utf-16"))
    args = ["import", str(events), "--map", str(files["map"]), "--db", str(files["db"])]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    with Workspace(f"duckdb:///{files['db']}") as workspace:
        assert workspace.events().count().execute() == 2


def test_delimiter_and_encoding_can_be_given(files: dict[str, Path]) -> None:
    """When detection guesses wrong: UTF-16 without a byte order mark, a '^' separator."""
    events = files["events"].with_name("events-utf16.txt")
    events.write_bytes(EVENTS.replace("u2", "Jürgen").encode("utf-16-le"))
    base = ["import", str(events), "--map", str(files["map"]), "--db", str(files["db"])]
    assert "do not have" in CliRunner().invoke(app, base).output  # read as latin-1
    result = CliRunner().invoke(app, [*base, "--encoding", "utf-16-le"])
    assert result.exit_code == 0, result.output
    with Workspace(f"duckdb:///{files['db']}") as workspace:
        raws = workspace.quarantine().raw.to_pyarrow().to_pylist()
    assert any('"user": "Jürgen"' in raw for raw in raws)  # the unmatched email visit
    caret = files["events"].with_name("events-caret.csv")
    caret.write_text(EVENTS.replace(";", "^"), encoding="utf-8")
    args = ["import", str(caret), "--map", str(files["map"]), "--db", str(files["db"])]
    assert "do not have" in CliRunner().invoke(app, args).output  # sniffed as one column
    result = CliRunner().invoke(app, [*args, "--delimiter", "^"])
    assert result.exit_code == 0, result.output
    assert "already imported" in result.output
    for options, message in [
        (["--delimiter", ";;"], "--delimiter must be one character"),
        (["--encoding", "klingon"], "--encoding 'klingon' is no text encoding"),
    ]:
        refused = CliRunner().invoke(app, [*base, *options])
        assert refused.exit_code == 2  # a usage error
        assert message in refused.output
    jsonl = files["events"].with_name("events.jsonl")
    jsonl.write_text('{"user": "u1"}\n', encoding="utf-8")
    refused = CliRunner().invoke(
        app, ["import", str(jsonl), "--map", str(files["map"]), "--delimiter", ";"]
    )
    assert "--delimiter applies to CSV and TSV files only, not to events.jsonl" in refused.output


def test_the_import_counts_conversions_and_says_when_there_is_none(
    files: dict[str, Path],
) -> None:
    args = ["import", str(files["events"]), "--map", str(files["map"]), "--db", str(files["db"])]
    result = CliRunner().invoke(app, args, env={"JOURNEYMAP_LANG": "en"})
    lines = {line.strip("│ ").split("│")[0].strip(): line for line in result.output.splitlines()}
    assert lines["of which conversions"].split("│")[-2].strip() == "1"
    assert "no imported event is a conversion" not in result.output
    # A conversion rule that meets no row (the data say "purchase", the rule "order").
    files["map"].write_text(
        MAP + MAPPING.replace("equals: order}", "equals: purchase}"), encoding="utf-8"
    )
    args[-1] = str(files["db"].with_name("other.duckdb"))
    result = CliRunner().invoke(app, args, env={"JOURNEYMAP_LANG": "en", "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Note: no imported event is a conversion." in result.output


def test_rules_without_a_conversion_rule_say_the_conversions_come_from_elsewhere(
    files: dict[str, Path],
) -> None:
    """A file of leads whose conversions come from another file: not "check the rule"."""
    files["map"].write_text(
        MAP + MAPPING.replace("  conversion: [{field: event, equals: order}]\n", ""),
        encoding="utf-8",
    )
    args = ["import", str(files["events"]), "--map", str(files["map"]), "--db", str(files["db"])]
    result = CliRunner().invoke(app, args, env={"JOURNEYMAP_LANG": "en", "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Note: these rules have no conversion rule, so this file brings no" in result.output
    assert "Check the conversion rule" not in result.output


def test_duplicates_among_rows_that_are_journeys_get_a_hint(tmp_path: Path) -> None:
    """Sessions without ids (online shoppers): equal rows are likely two sessions."""
    source = tmp_path / "sessions.csv"
    source.write_text("pages,bought\n3,no\n3,no\n5,yes\n", encoding="utf-8")
    map_file = tmp_path / "map.yaml"
    map_file.write_text(
        MAP
        + "mapping:\n"
        + "  columns: {person_from_row: true, timestamp_constant: '2024-01-01'}\n"
        + "  conversion: [{field: bought, equals: 'yes'}]\n"
        + "  touchpoints: [{touchpoint: checkout, when: [{field: pages, regex: '.'}]}]\n",
        encoding="utf-8",
    )
    args = ["import", str(source), "--map", str(map_file), "--db", str(tmp_path / "w.duckdb")]
    result = CliRunner().invoke(app, args, env={"JOURNEYMAP_LANG": "en", "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "quarantined as exact duplicates (1) may be distinct sessions" in result.output
