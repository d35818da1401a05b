"""What a data engineer's user test found: SQLite paths, mixed DataFrame columns, Ctrl-C, counts.

- ``--engine sqlite:///ev.sqlite`` wrote the workspace to ``/ev.sqlite``;
- a pandas column mixing text and numbers stopped the import with pyarrow's ``ArrowTypeError``;
- Ctrl-C in a PostgreSQL import said "the workspace rejected the import ...: cursor
  "ibis_postgres_cursor_..." does not exist" (exit 1) instead of "Import interrupted";
- re-importing helpdesk with other rules said 21,348 rows were imported before with them,
  and ``--replace`` then mapped 21,221 again (the 127 exact duplicates made the difference).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from shop_files import FILTERS, MAP
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.ingest import Workspace, import_events
from journeymap.ingest import importer as importer_module
from journeymap.model.mapping import MappingRules

pytestmark = FILTERS

RULES = """\
columns: {person_id: user, timestamp: when}
conversion: [{field: event, equals: order}]
touchpoints:
  - touchpoint: search-ads
    when: [{field: utm_medium, equals: cpc}]
  - touchpoint: checkout
    phase: purchase
    when: [{field: event, equals: order}]
"""

EVENTS = (
    "user,when,utm_medium,event\n"
    "u1,2024-02-01 10:00,cpc,visit\n"
    "u1,2024-02-02 11:00,,order\n"
    "u2,2024-02-03 09:00,email,visit\n"
)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "JOURNEYMAP_LANG": "en"})
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture
def shop(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "map": tmp_path / "shop.yaml",
        "rules": tmp_path / "rules.yaml",
        "events": tmp_path / "events.csv",
    }
    paths["map"].write_text(MAP, encoding="utf-8")
    paths["rules"].write_text(RULES, encoding="utf-8")
    paths["events"].write_text(EVENTS, encoding="utf-8")
    return paths


# 1. sqlite:/// paths -------------------------------------------------------------------------


def test_a_relative_sqlite_url_puts_the_workspace_in_the_working_directory(
    shop: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's form, ``--engine sqlite:///events.sqlite``, as DuckDB reads its URL."""
    name = f"journeymap-test-{uuid.uuid4().hex[:8]}.sqlite"
    at_root = Path("/") / name
    monkeypatch.chdir(tmp_path)
    try:
        code, output = invoke(
            "import", "events.csv", "--map", "shop.yaml", "--rules", "rules.yaml",
            "--engine", f"sqlite:///{name}",
        )  # fmt: skip
        assert code == 0, output
        assert (tmp_path / name).is_file()
        assert not at_root.exists()
    finally:
        at_root.unlink(missing_ok=True)
    with Workspace(f"sqlite:///{name}", read_only=True) as workspace:
        assert workspace.events().count().execute() == 2
    # Four slashes: an absolute path, as before.
    with Workspace(f"sqlite:////{(tmp_path / name).as_posix().lstrip('/')}") as workspace:
        assert workspace.events().count().execute() == 2


# 3. pandas/polars columns of mixed types ------------------------------------------------------

FRAME_RULES = MappingRules.model_validate(
    {
        "columns": {"person_id": "user", "timestamp": "when", "value": "balance"},
        "touchpoints": [{"touchpoint": "checkout"}],
        "keep": ["balance"],
    }
)


def test_a_pandas_column_of_text_and_numbers_is_read_as_text() -> None:
    """``balance`` mixes str and int: each row imports or is quarantined by the rules."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "user": ["u1", "u2", "u3", "u4"],
            "when": ["2024-02-01 10:00"] * 4,
            "balance": ["1,5", 2, "n/a", None],
        }
    )
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, frame, FRAME_RULES)
        assert (report.rows_imported, report.quarantined) == (3, {"unparseable value": 1})
        events = workspace.events().order_by("person_id").to_pyarrow().to_pylist()
        assert [e["value"] for e in events] == [1.5, 2.0, None]
        assert [e["extra"] for e in events] == [
            '{"balance": "1,5"}',
            '{"balance": "2"}',
            '{"balance": null}',
        ]
        raw = workspace.quarantine().raw.execute().tolist()
        assert raw == ['{"user": "u3", "when": "2024-02-01 10:00", "balance": "n/a"}']


def test_a_polars_object_column_is_read_as_its_values_text() -> None:
    """Polars handed an Object column to Arrow as memory addresses."""
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(
        {
            "user": ["u1", "u2"],
            "when": ["2024-02-01 10:00"] * 2,
            "balance": pl.Series(["7", 8], dtype=pl.Object),
        }
    )
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, frame, FRAME_RULES)
        assert report.rows_imported == 2
        values = workspace.events().order_by("person_id").value.execute().tolist()
        assert values == [7.0, 8.0]


# 4. Ctrl-C under a driver's clean-up -----------------------------------------------------------


def _interrupted_then(failing_statement: str) -> Callable[[object, str], int]:
    """A ``count_changed`` that is interrupted and whose clean-up then fails in the driver.

    As ibis's PostgreSQL cursor does when Ctrl-C arrives mid-fetch: closing the cursor raises
    the driver's error, its ``__context__`` the KeyboardInterrupt.
    """

    def interrupted(self: object, rules: str) -> int:
        try:
            raise KeyboardInterrupt
        finally:
            self.workspace.execute(failing_statement)  # type: ignore[attr-defined]

    return interrupted


def _ctrl_c_run(
    shop: dict[str, Path], monkeypatch: pytest.MonkeyPatch, where: list[str], statement: str
) -> tuple[int, str]:
    monkeypatch.setattr(importer_module._Writer, "count_changed", _interrupted_then(statement))
    return invoke(
        "import", str(shop["events"]), "--map", str(shop["map"]), "--rules", str(shop["rules"]),
        *where,
    )  # fmt: skip


def test_ctrl_c_under_a_failing_driver_clean_up_is_an_interruption_on_duckdb(
    shop: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "ws.duckdb"
    code, output = _ctrl_c_run(shop, monkeypatch, ["--db", str(db)], "SELECT * FROM no_such_cursor")
    assert code == 130, output
    assert output.startswith("Import interrupted: nothing of it was stored"), output
    assert "rejected" not in output


@pytest.mark.postgres
def test_ctrl_c_under_a_failing_cursor_close_is_an_interruption_on_postgres(
    shop: dict[str, Path], database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver's own 'cursor "ibis_postgres_cursor_..." does not exist', under Ctrl-C."""
    url = f"postgresql://postgres@127.0.0.1:5432/{database}"
    code, output = _ctrl_c_run(
        shop, monkeypatch, ["--engine", url], 'CLOSE "ibis_postgres_cursor_gone"'
    )
    assert code == 130, output
    assert output.startswith("Import interrupted: nothing of it was stored"), output
    with Workspace(url, read_only=True) as workspace:
        assert workspace.events().count().execute() == 0


def test_a_driver_error_without_an_interruption_is_still_the_workspaces(
    shop: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(self: object, rules: str) -> int:
        self.workspace.execute("SELECT * FROM no_such_cursor")  # type: ignore[attr-defined]
        return 0

    monkeypatch.setattr(importer_module._Writer, "count_changed", failing)
    code, output = invoke(
        "import", str(shop["events"]), "--map", str(shop["map"]), "--rules", str(shop["rules"]),
        "--db", str(tmp_path / "ws.duckdb"),
    )  # fmt: skip
    assert code == 1
    assert output.startswith("Error: the workspace rejected the import of events.csv:")


# 7. Re-import counts with exact duplicates -----------------------------------------------------


def test_reimport_with_other_rules_and_replace_name_the_same_rows(
    shop: dict[str, Path], tmp_path: Path
) -> None:
    """Three rows and two exact copies: both imports say 3 rows were imported before."""
    shop["events"].write_text(
        EVENTS + "u1,2024-02-01 10:00,cpc,visit\nu2,2024-02-03 09:00,email,visit\n",
        encoding="utf-8",
    )
    other = tmp_path / "other.yaml"
    other.write_text(RULES.replace("equals: cpc", "equals: email"), encoding="utf-8")
    base = ["import", str(shop["events"]), "--map", str(shop["map"])]
    db = ["--db", str(tmp_path / "ws.duckdb")]
    code, output = invoke(*base, "--rules", str(shop["rules"]), *db)
    assert code == 0, output
    assert "exact duplicate │ 2" in output
    code, output = invoke(*base, "--rules", str(other), *db)
    assert code == 0, output
    assert "already imported │ 5" in output and "of which mapped with other rules │ 3" in output
    assert "Note: 3 rows were imported before with other mapping rules" in output
    code, output = invoke(*base, "--rules", str(other), *db, "--replace")
    assert code == 0, output
    assert "mapped again (replaced) │ 3" in output and "exact duplicate │ 2" in output
    assert "Mapped again with these rules: 3 rows imported before with other mapping rules" in (
        output
    )
    with Workspace(f"duckdb:///{tmp_path / 'ws.duckdb'}", read_only=True) as workspace:
        reasons = workspace.quarantine().reason.execute().tolist()
    assert sorted(reasons) == ["exact duplicate", "exact duplicate", "no rule matched"]


def test_rows_are_counted_as_other_rules_once_however_often_they_come(tmp_path: Path) -> None:
    rows = pa.table({"user": ["a", "a", "b"], "when": ["2024-01-01"] * 3, "what": ["x"] * 3})
    columns = {"person_id": "user", "timestamp": "when"}
    first = MappingRules.model_validate({"columns": columns, "touchpoints": [{"touchpoint": "x"}]})
    second = first.model_copy(update={"unmatched": "keep"})
    with Workspace("duckdb://") as workspace:
        import_events(workspace, rows, first)
        kept = import_events(workspace, rows, second)
        assert (kept.rows_already_imported, kept.rows_other_rules) == (3, 2)
        replaced = import_events(workspace, rows, second, replace=True)
        assert (replaced.rows_replaced, replaced.quarantined) == (2, {"exact duplicate": 1})
