"""Journeys too large for DuckDB's memory are stored compressed in a scratch database file."""

from __future__ import annotations

import gc
import math
import tempfile
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engine_events import events
from journeymap.analysis import analyze
from journeymap.engine import _coded_journeys, _scratch
from journeymap.model import JourneyMap

ROWS = [("p1", 0, "ad"), ("p1", 1, "blog"), ("p1", 2, "reviews"), ("p1", 3, "buy", True)]
ROWS += [("p1", 5, "ad"), ("p2", 0, "ad"), ("p2", 1, "checkout"), ("p3", 0, "blog")]
ROWS += [("p3", 2, "reviews"), ("p3", 3, "checkout"), ("p3", 4, "buy", True, None, None, 40.0)]


def _connection_with_events(folder: Path, database: str = ":memory:") -> ibis.BaseBackend:
    """A DuckDB connection of its own (the default one is shared with other tests)."""
    con = ibis.duckdb.connect(database if database == ":memory:" else str(folder / database))
    source = folder / "events.parquet"
    pq.write_table(events(ROWS).to_pyarrow(), source)
    con.raw_sql(f"CREATE TABLE events AS SELECT * FROM read_parquet('{source}')").fetchall()
    return con


def _tables(con: ibis.BaseBackend, catalog: str) -> list[str]:
    rows = con.raw_sql(
        f"SELECT table_name FROM duckdb_tables() WHERE database_name = '{catalog}'"
    ).fetchall()
    return [row[0] for row in rows]


def _results(con: ibis.BaseBackend, shop_map: JourneyMap) -> dict[str, pa.Table]:
    with analyze(shop_map, con.table("events")) as analysis:
        tables = dict(analysis.tables)
        tables["credits"] = analysis.attribution(model="markov").table
        catalog = _scratch.scratch_catalog(con)
        if catalog is not None:  # the journeys (and the chain's table) stay while it is open
            assert len(_tables(con, catalog)) == 2
    return tables


def test_an_analysis_on_the_scratch_database_equals_one_in_memory(
    shop_map: JourneyMap, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    in_memory = _results(_connection_with_events(tmp_path), shop_map)
    monkeypatch.setattr(_scratch, "SHARE", 0.0)  # any journeys are "too large"
    monkeypatch.setattr(_coded_journeys, "SHARE", 0.0)  # and so are their arrays
    con = _connection_with_events(tmp_path)
    on_disk = _results(con, shop_map)
    catalog = _scratch.scratch_catalog(con)
    assert catalog is not None
    assert on_disk.keys() == in_memory.keys()
    for name, table in in_memory.items():
        # In memory the heuristic credits are counted off the journeys' arrays, as floats
        # added in one order; on disk the engine adds exact decimals: 1.3 against
        # 1.2999999999999998 (docs/contracts.md, local heuristics).
        for row, expected in zip(on_disk[name].to_pylist(), table.to_pylist(), strict=True):
            assert row.keys() == expected.keys(), name
            for key, value in expected.items():
                if isinstance(value, float):
                    assert math.isclose(row[key], value, rel_tol=1e-12), (name, key)
                else:
                    assert row[key] == value, (name, key)
    assert on_disk["phase_funnel"].num_rows == 3
    # Every table the analysis stored there is dropped when it closes.
    assert _tables(con, catalog) == []
    folders = [p for p in Path(tempfile.gettempdir()).glob("journeymap-scratch-*")]
    attached = con.raw_sql(
        f"SELECT path FROM duckdb_databases() WHERE database_name = '{catalog}'"
    ).fetchall()[0][0]
    assert Path(attached).parent in folders
    del con
    gc.collect()
    assert not Path(attached).parent.exists()  # the file goes with its connection


def test_small_journeys_stay_in_memory(shop_map: JourneyMap, tmp_path: Path) -> None:
    con = _connection_with_events(tmp_path)
    _results(con, shop_map)
    assert _scratch.scratch_catalog(con) is None


def test_a_workspace_opened_to_read_only_still_writes_its_scratch(
    shop_map: JourneyMap, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _connection_with_events(tmp_path, "w.duckdb").disconnect()
    monkeypatch.setattr(_scratch, "SHARE", 0.0)
    monkeypatch.setattr(_coded_journeys, "SHARE", 0.0)
    con = ibis.duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    results = _results(con, shop_map)
    assert _scratch.scratch_catalog(con) is not None
    assert results["phase_funnel"].num_rows == 3


def test_a_refused_scratch_file_leaves_the_temporary_tables(
    shop_map: JourneyMap, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(_scratch, "SHARE", 0.0)
    # A "folder" under a file: DuckDB cannot create the database there.
    monkeypatch.setattr(_scratch.tempfile, "mkdtemp", lambda prefix: str(blocker / "x"))
    con = _connection_with_events(tmp_path)
    results = _results(con, shop_map)
    assert _scratch.scratch_catalog(con) is None
    assert results["phase_funnel"].num_rows == 3


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("2500MB", int(2.3 * 2**30)),  # DuckDB answers "2.3 GiB"
        ("1GB", int(953.6 * 2**20)),  # "953.6 MiB"
        ("500KB", int(488.2 * 2**10)),  # "488.2 KiB"
    ],
)
def test_duckdb_memory_limit_text_is_read_in_bytes(setting: str, expected: int) -> None:
    con = ibis.duckdb.connect(memory_limit=setting)
    assert _scratch.memory_limit(con) == expected
