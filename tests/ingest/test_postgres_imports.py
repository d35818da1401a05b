"""Imports into a PostgreSQL workspace: two at once, values as stored, --replace by statement.

Found importing BPI Challenge 2012 (van Dongen, 2012) into PostgreSQL: a second import of the
same file started while the first ran stored every row again (329,012 events for 164,506) and
said "nothing was added twice".
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from shop_files import FILTERS

from journeymap.ingest import Workspace, import_events
from journeymap.model.mapping import MappingRules

pytestmark = [*FILTERS, pytest.mark.postgres]

RULES = MappingRules.model_validate(
    {
        "columns": {"person_id": "user", "timestamp": "when"},
        "touchpoints": [{"touchpoint_from": "what"}],
        "conversion": [{"field": "what", "equals": "order"}],
        "keep": ["note"],
    }
)
OTHER_RULES = RULES.model_copy(update={"conversion": []})


def _rows(count: int) -> pa.Table:
    start = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    return pa.table(
        {
            "user": [f"u{i % 50}" for i in range(count)],
            "when": [(start + dt.timedelta(minutes=i)).isoformat() for i in range(count)],
            "what": ["order" if i % 7 == 0 else "visit" for i in range(count)],
            "note": [f"row {i}" for i in range(count)],
        }
    )


@pytest.fixture
def url(database: str) -> Iterator[str]:
    address = f"postgresql://postgres@127.0.0.1:5432/{database}"
    with Workspace(address):  # the tables, made before the imports race
        pass
    yield address


def _stored(url: str) -> tuple[int, int]:
    with Workspace(url) as workspace:
        events = workspace.events()
        return int(events.count().execute()), int(events.event_key.nunique().execute())


def test_two_imports_of_the_same_rows_at_once_store_them_once(url: str) -> None:
    rows = _rows(300)
    first_stored = threading.Event()
    go_on = threading.Event()
    reports: dict[str, object] = {}

    def first() -> None:
        def hold(_: int) -> None:  # after the rows are inserted, before the commit
            first_stored.set()
            go_on.wait(timeout=30)

        with Workspace(url) as workspace:
            reports["first"] = import_events(workspace, rows, RULES, progress=hold)

    def second() -> None:
        with Workspace(url) as workspace:
            reports["second"] = import_events(workspace, rows, RULES)

    one = threading.Thread(target=first)
    one.start()
    assert first_stored.wait(timeout=30)
    two = threading.Thread(target=second)
    two.start()
    two.join(timeout=2)  # it waits for the first import; before, it stored the rows again
    go_on.set()
    one.join(timeout=60)
    two.join(timeout=60)
    assert _stored(url) == (300, 300)
    assert reports["first"].rows_imported == 300  # type: ignore[attr-defined]
    assert reports["second"].rows_already_imported == 300  # type: ignore[attr-defined]
    assert reports["second"].rows_imported == 0  # type: ignore[attr-defined]


def test_values_are_stored_as_duckdb_stores_them(url: str, tmp_path: Path) -> None:
    """Text that needs escaping on its way to the server arrives as it was."""
    awkward = ["tab\there", "line\nbreak", "back\\slash", "quote 'n \"", "Prüfung ✓", "", None]
    rows = pa.table(
        {
            "user": [f"u{i}" for i in range(len(awkward))],
            "when": [f"2024-03-0{i + 1}T10:00:00.123456+01:00" for i in range(len(awkward))],
            "what": ["order", "visit", "visit", "order", "visit", "visit", "visit"],
            "note": awkward,
        }
    )
    columns = ["person_id", "ts", "touchpoint", "conversion", "value", "extra", "event_key"]
    found = {}
    for name, address in (("postgres", url), ("duckdb", f"duckdb:///{tmp_path / 'ws.duckdb'}")):
        with Workspace(address) as workspace:
            report = import_events(workspace, rows, RULES)
            assert report.rows_imported == 7
            table = workspace.events().select(*columns).order_by("person_id").to_pyarrow()
            found[name] = table.to_pylist()
    assert found["postgres"] == found["duckdb"]
    assert found["postgres"][1]["ts"] == dt.datetime(2024, 3, 2, 9, 0, 0, 123456, tzinfo=dt.UTC)


def test_replace_deletes_the_earlier_rows_in_one_statement_per_table(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not one statement per 500 rows, each a scan of the table (121 s for BPIC 2012)."""
    rows = _rows(1_200)
    statements: list[str] = []
    with Workspace(url) as workspace:
        import_events(workspace, rows, RULES)
        execute = workspace.execute

        def counted(statement: str) -> None:
            statements.append(statement)
            execute(statement)

        monkeypatch.setattr(workspace, "execute", counted)
        report = import_events(workspace, rows, OTHER_RULES, replace=True)
        assert (report.rows_replaced, report.rows_imported) == (1_200, 1_200)
        conversions = workspace.events().conversion.sum().execute()
    deletes = [s for s in statements if s.lstrip().upper().startswith("DELETE")]
    assert len(deletes) == 2  # events and quarantine
    assert _stored(url) == (1_200, 1_200)
    assert conversions == 0


def test_ctrl_c_during_an_import_leaves_the_workspace_and_says_so(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted after its rows were inserted: rolled back, and the CLI says so (exit 130)."""
    from typer.testing import CliRunner

    from journeymap.cli.app import app
    from journeymap.ingest import importer

    with Workspace(url) as workspace:
        import_events(workspace, _rows(100), RULES)
    lines = ["user,when,what,note"] + [
        f"v{i},2024-03-02T10:{i % 60:02d}:00+00:00,visit,n{i}" for i in range(200)
    ]
    events = tmp_path / "more.csv"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "map.yaml").write_text(
        "id: m\nname: M\nphases: [{id: p, name: P, order: 1}]\n"
        "touchpoints: [{id: visit, name: Visit, phases: [p]}, {id: order, name: O, phases: [p]}]\n",
        encoding="utf-8",
    )
    (tmp_path / "rules.yaml").write_text(
        "columns: {person_id: user, timestamp: when}\ntouchpoints: [{touchpoint_from: what}]\n",
        encoding="utf-8",
    )

    def interrupted(self: object, rules: str) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(importer._Writer, "count_changed", interrupted)
    args = ["import", str(events), "--map", str(tmp_path / "map.yaml")]
    args += ["--rules", str(tmp_path / "rules.yaml"), "--engine", url]
    result = CliRunner().invoke(app, args, env={"JOURNEYMAP_LANG": "de", "COLUMNS": "300"})
    assert result.exit_code == 130, result.output
    assert "Import abgebrochen: nichts davon wurde gespeichert" in result.output
    assert _stored(url) == (100, 100)
