"""On PostgreSQL (the server on 127.0.0.1:5432) journeymap gives what it gives on DuckDB.

Events live wherever an Ibis connection URL points (``--engine``); these tests use a real
PostgreSQL server in a database of their own, dropped afterwards.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from benchmarks.generate import generate
from benchmarks.tasks._common import bench_map

from journeymap.analysis import analyze
from journeymap.attribution import compare_models, from_paths
from journeymap.errors import UsageError
from journeymap.ingest import Workspace, import_events
from journeymap.model.mapping import MappingRules

pytest.importorskip("psycopg", reason="the postgres extra is not installed")

pytestmark = pytest.mark.postgres

# The server of the ``database`` fixture (tests/conftest.py).
SERVER = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def _same(mine: Any, theirs: Any) -> bool:
    if isinstance(mine, float) and isinstance(theirs, float):
        return math.isclose(mine, theirs, rel_tol=1e-9, abs_tol=1e-6) or (
            math.isnan(mine) and math.isnan(theirs)
        )
    return bool(mine == theirs)


def _with_accounts_and_personas(events: pa.Table) -> pa.Table:
    """Three persons per account, and one of three personas per person."""
    number = pc.cast(pc.utf8_slice_codeunits(events["person_id"], 1), pa.int64())
    account = pc.binary_join_element_wise("a", pc.cast(pc.divide(number, 3), pa.string()), "")
    persona = pc.choose(pc.remainder(number, 3), "buyer", "user", "champion")
    events = events.set_column(events.schema.get_field_index("account_id"), "account_id", account)
    return events.set_column(events.schema.get_field_index("persona"), "persona", persona)


def _temporary_tables(con: Any) -> int:
    with con.raw_sql("SELECT count(*) FROM pg_tables WHERE schemaname LIKE 'pg_temp%'") as cursor:
        return int(cursor.fetchone()[0])


OPTIONS: list[dict[str, Any]] = [
    {},
    # Accounts, sessions, repeat purchases, a breakdown and the `any` ordering take other SQL.
    {
        "by": "account",
        "session_gap": "3d",
        "after_conversion": "continue",
        "breakdown": ["persona"],
        "ordering": "any",
    },
    {"ordering": "strict", "conversion_window": "2d", "collapse_repeats": False},
]


@pytest.mark.parametrize("options", OPTIONS, ids=["default", "accounts", "strict"])
def test_every_table_equals_duckdbs(database: str, tmp_path: Path, options: dict[str, Any]) -> None:
    # Journeys, facts, funnels, paths, correlation and every attribution model run as SQL on
    # PostgreSQL; a generated event log must give DuckDB's answer, table by table.
    generate(2000, tmp_path, seed=11)
    events = _with_accounts_and_personas(pq.read_table(tmp_path / "events.parquet"))
    pq.write_table(events, tmp_path / "b2b.parquet")
    journey_map = bench_map()
    on_duckdb = ibis.duckdb.connect()
    expected = analyze(
        journey_map,
        on_duckdb.read_parquet(str(tmp_path / "b2b.parquet"), table_name="e"),
        **options,
    )
    postgres = ibis.postgres.connect(database=database, **SERVER)
    try:
        postgres.create_table("events", events)
        before = _temporary_tables(postgres)  # ibis keeps the uploaded Arrow table as one
        with analyze(journey_map, postgres.table("events"), **options) as found:
            assert found.summary["persons"] == 2000
            assert found.summary["journeys"] == expected.summary["journeys"]
            assert found.summary["conversions"] == expected.summary["conversions"] > 0
            assert sorted(found.tables) == sorted(expected.tables)
            for name, table in expected.tables.items():
                mine, theirs = found.tables[name].to_pylist(), table.to_pylist()
                assert len(mine) == len(theirs), name
                for row, other in zip(mine, theirs, strict=True):
                    differing = [k for k in other if not _same(row.get(k), other[k])]
                    assert not differing, (name, row, other)
            assert _temporary_tables(postgres) > before  # the journeys, kept for attribution
        assert _temporary_tables(postgres) == before  # closing the analysis dropped its own
    finally:
        postgres.disconnect()


BANK = MappingRules.model_validate(
    {
        "columns": {"person_from_row": True, "timestamp_constant": "2008-05-01"},
        "touchpoints": [{"touchpoint": "phone-call", "phase": "contact"}],
        "conversion": [{"field": "y", "equals": "yes"}],
        "keep": ["job"],
    }
)


@pytest.mark.slow
def test_import_into_postgres_quarantines_and_is_idempotent(database: str, datasets: Path) -> None:
    path = datasets / "uci-bank-marketing" / "bank-full.csv"
    url = "postgres://{user}@{host}:{port}/".format(**SERVER) + database
    with Workspace(url) as workspace:
        report = import_events(workspace, path, BANK)
        assert (report.rows_read, report.rows_imported) == (45_212, 45_211)
        assert report.quarantined == {"exact duplicate": 1}
        again = import_events(workspace, path, BANK)
        assert again.rows_imported == 0  # the same file twice doubles nothing
        events = workspace.events()
        assert events.count().to_pyarrow().as_py() == 45_211
        assert events.conversion.sum().to_pyarrow().as_py() == 5_289
        raw = workspace.quarantine().to_pyarrow().to_pylist()
        assert [json.loads(r["raw"])["y"] for r in raw] == ["yes"]


def test_path_data_on_postgresql_credit_as_on_duckdb(database: str) -> None:
    # from_paths splits and unnests in SQL; a path table on the server gives DuckDB's credit.
    frame = pd.DataFrame(
        {
            "path": ["search-ads > blogs > checkout", "blogs", "print > search-ads", "x >  > y"],
            "total_conversions": [2, 1, 0, 1],
            "total_null": [1, 3, 2, 0],
            "total_conversion_value": [10.0, 5.0, 0.0, 1.0],
        }
    )
    journey_map = bench_map()
    postgres = ibis.postgres.connect(database=database, **SERVER)
    try:
        postgres.create_table("paths", frame)
        for level in ("touchpoint", "channel", "phase"):
            with from_paths(postgres.table("paths"), journey_map) as on_server:
                assert (on_server.rows, on_server.journeys) == (4, 9)
                assert on_server.skipped == {"empty path": 1}
                found = compare_models(on_server, journey_map, level=level).to_pylist()
            with from_paths(frame, journey_map) as local:
                expected = compare_models(local, journey_map, level=level).to_pylist()
            assert len(found) == len(expected) > 0
            for row, other in zip(found, expected, strict=True):
                assert all(_same(row[k], other[k]) for k in other), (row, other)
    finally:
        postgres.disconnect()


def _kept_typed(events: pa.Table) -> pa.Table:
    """The ``extra`` JSON a Parquet import keeps: a number, a boolean and a text per event."""
    number = pc.cast(pc.utf8_slice_codeunits(events["person_id"], 1), pa.int64()).to_pylist()
    extra = [
        json.dumps({"tier": n % 3, "vip": n % 2 == 0, "region": "north" if n % 4 else "south"})
        for n in number
    ]
    return events.append_column("extra", pa.array(extra, pa.string()))


def test_breakdown_by_kept_columns_on_postgresql_as_on_duckdb(
    database: str, tmp_path: Path
) -> None:
    # Ibis's JSON unwrapping compiled to invalid SQL on PostgreSQL, and read numbers and
    # booleans as null on DuckDB: a breakdown by a kept number came out as one "(none)".
    generate(300, tmp_path, seed=5)
    events = _kept_typed(pq.read_table(tmp_path / "events.parquet"))
    options = {"breakdown": ["tier", "vip", "region"], "ordering": "any"}
    expected = analyze(bench_map(), ibis.memtable(events), attribution=False, **options)
    funnel = expected.tables["phase_funnel"].to_pylist()
    # Each breakdown's values as text (None: the rows of the other breakdowns and the total).
    assert {row["tier"] for row in funnel} == {"0", "1", "2", None}
    assert {row["vip"] for row in funnel} == {"true", "false", None}
    assert {row["region"] for row in funnel} == {"north", "south", None}
    postgres = ibis.postgres.connect(database=database, **SERVER)
    try:
        postgres.create_table("events", events)
        with analyze(bench_map(), postgres.table("events"), attribution=False, **options) as found:
            for name in ("phase_funnel", "touchpoint_funnel", "correlation"):
                mine = found.tables[name].to_pylist()
                theirs = expected.tables[name].to_pylist()
                assert len(mine) == len(theirs), name
                for row, other in zip(mine, theirs, strict=True):
                    assert all(_same(row.get(k), other[k]) for k in other), (name, row, other)
        # A misspelt key is named with a suggestion and the keys there are, as on DuckDB
        # (PostgreSQL could only say whether the one name asked for was there).
        with pytest.raises(UsageError) as caught:
            analyze(bench_map(), postgres.table("events"), attribution=False, breakdown=["regoin"])
        assert "did you mean 'region'?" in str(caught.value)
        assert "keys of the extra JSON: region, tier, vip" in str(caught.value)
    finally:
        postgres.disconnect()
