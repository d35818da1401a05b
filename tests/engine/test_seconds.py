"""Seconds since 1970: every year, fractions kept, the same with or without a time zone."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from journeymap.engine._tables import seconds

UTC = dt.UTC
MOMENTS = [
    dt.datetime(1900, 1, 1, 0, 0, 0, 123456, tzinfo=UTC),
    dt.datetime(1970, 1, 1, tzinfo=UTC),
    dt.datetime(2040, 6, 1, 12, 0, 0, 500000, tzinfo=UTC),
]


@pytest.mark.parametrize("zoned", [True, False], ids=["with-zone", "without-zone"])
def test_seconds_of_any_year_keep_their_fraction(zoned: bool) -> None:
    moments = [m if zoned else m.replace(tzinfo=None) for m in MOMENTS]
    t = ibis.memtable({"ts": [*moments, None]})
    found = t.select(s=seconds(t.ts)).to_pyarrow().column("s").to_pylist()
    assert found == [m.replace(tzinfo=UTC).timestamp() for m in moments] + [None]
    assert found[0] == -2208988799.876544 and found[2] == 2222164800.5


def test_on_duckdb_the_engine_reads_the_epoch_without_a_time_zone_cast() -> None:
    # Ibis's epoch_seconds casts a zoned time to a zoneless one first, through the
    # time-zone library: eight times the cost of DuckDB's own epoch, for every event.
    t = ibis.memtable({"ts": MOMENTS})
    sql = str(ibis.to_sql(t.select(s=seconds(t.ts)), dialect="duckdb"))
    assert 'EPOCH("t0"."ts")' in sql
    assert "AS TIMESTAMP" not in sql


def test_other_backends_keep_the_portable_epoch() -> None:
    t = ibis.table({"ts": "timestamp('UTC')"}, name="events")  # bound to no backend
    sql = str(ibis.to_sql(t.select(s=seconds(t.ts)), dialect="postgres"))
    assert "EXTRACT" in sql.upper() and "EPOCH" in sql.upper()
