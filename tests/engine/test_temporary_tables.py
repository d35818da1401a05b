"""An analysis leaves no temporary tables behind once closed."""

from __future__ import annotations

import ibis
import pytest
from engine_events import events

from journeymap.analysis import analyze
from journeymap.errors import AnalysisError
from journeymap.model import JourneyMap

ROWS = [("p1", 0, "ad"), ("p1", 1, "reviews"), ("p1", 2, "buy", True), ("p2", 0, "ad")]


def _temporary_tables(con: ibis.BaseBackend) -> int:
    row = con.raw_sql("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()
    return int(row[0])


def test_close_drops_the_journeys_and_the_attribution_segments(shop_map: JourneyMap) -> None:
    con = ibis.get_backend(events(ROWS))  # the default backend, shared with other tests
    before = _temporary_tables(con)
    analysis = analyze(shop_map, events(ROWS), attribution=False)
    # Only the journeys stay (for attribution); the facts and paths of the metrics are gone.
    assert _temporary_tables(con) == before + 1
    assert analysis.summary["conversions"] == 1
    with analysis:
        shares = analysis.attribution(model="last_touch").table.to_pylist()
        assert {r["key"]: r["conversions"] for r in shares}["buy"] == 1.0
    assert _temporary_tables(con) == before
    assert analysis.table("phase_funnel").num_rows == 3  # the results stay
    with pytest.raises(AnalysisError, match="closed"):
        analysis.attribution(model="last_touch")
