"""An analysis leaves no temporary tables behind once closed."""

from __future__ import annotations

from pathlib import Path

import ibis
import pytest

from engine_events import events
from journeymap.analysis import analyze
from journeymap.attribution import SegmentCache, compare_models
from journeymap.engine._tables import drop_temporary, is_temporary, materialize
from journeymap.engine.funnel import phase_funnel
from journeymap.engine.journeys import JourneyOptions, build_journeys, journey_facts
from journeymap.engine.paths import sankey
from journeymap.errors import AnalysisError
from journeymap.model import JourneyMap

ROWS = [("p1", 0, "ad"), ("p1", 1, "reviews"), ("p1", 2, "buy", True), ("p2", 0, "ad")]


def _temporary_tables(con: ibis.BaseBackend) -> int:
    # fetchall: DuckDB 2 holds the connection until the result is read to the end.
    rows = con.raw_sql("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchall()
    return int(rows[0][0])


@pytest.mark.parametrize("breakdown", [[], ["persona"]], ids=["local", "stored"])
def test_close_drops_the_journeys_and_the_attribution_segments(
    shop_map: JourneyMap, breakdown: list[str]
) -> None:
    con = ibis.get_backend(events(ROWS))  # the default backend, shared with other tests
    before = _temporary_tables(con)
    analysis = analyze(shop_map, events(ROWS), attribution=False, breakdown=breakdown)
    # Counted off the journeys' arrays, nothing is stored. Stored to be asked in the engine,
    # only the journeys stay (for attribution); the facts and paths of the metrics are gone.
    assert _temporary_tables(con) == before + (1 if breakdown else 0)
    assert analysis.summary["conversions"] == 1
    with analysis:
        shares = analysis.attribution(model="last_touch").table.to_pylist()
        assert {r["key"]: r["conversions"] for r in shares}["buy"] == 1.0
    assert _temporary_tables(con) == before
    assert analysis.table("phase_funnel").num_rows >= 3  # the results stay (with a breakdown, more)
    with pytest.raises(AnalysisError, match="closed"):
        analysis.attribution(model="last_touch")


def test_facts_of_not_null_times_are_materialized(tmp_path: Path) -> None:
    # In a workspace the times are NOT NULL, and ibis types the first conversion time (a
    # filtered min) NOT NULL as well; the temporary table must still take the journeys that
    # never converted, instead of falling back to recomputing the facts on every read.
    con = ibis.duckdb.connect(tmp_path / "w.duckdb")
    con.raw_sql(
        "CREATE TABLE journeys (journey_id VARCHAR NOT NULL, ts TIMESTAMP NOT NULL, "
        "touchpoint VARCHAR NOT NULL, phase VARCHAR, persona VARCHAR, conversion BOOLEAN, "
        "value DOUBLE, step BIGINT NOT NULL)"
    ).fetchall()
    con.raw_sql(
        "INSERT INTO journeys VALUES "
        "('p1#0', TIMESTAMP '2024-01-01', 'ad', NULL, NULL, false, NULL, 1),"
        "('p1#0', TIMESTAMP '2024-01-02', 'buy', NULL, NULL, true, 5.0, 2),"
        "('p2#0', TIMESTAMP '2024-01-01', 'ad', NULL, NULL, false, NULL, 1)"
    ).fetchall()
    expr = journey_facts(con.table("journeys"), sequences=True)
    assert not expr.schema()["conversion_ts"].nullable  # what ibis infers
    facts = materialize(expr)
    assert is_temporary(facts)
    rows = {r["journey_id"]: r for r in facts.to_pyarrow().to_pylist()}
    assert rows["p2#0"]["conversion_ts"] is None
    assert rows["p1#0"]["value"] == 5.0
    assert rows["p1#0"]["touchpoints"] == ["ad", "buy"]


def test_metrics_called_alone_drop_the_tables_they_derive(shop_map: JourneyMap) -> None:
    # Without shared facts or paths, a funnel and the Sankey compute theirs once into a
    # temporary table (read more than once), and drop it when done.
    journeys = build_journeys(events(ROWS), shop_map, JourneyOptions())
    con = ibis.get_backend(events(ROWS))
    before = _temporary_tables(con)
    reached = phase_funnel(journeys, shop_map, JourneyOptions()).column("reached").to_pylist()
    edges = sankey(journeys, JourneyOptions()).to_pylist()
    assert _temporary_tables(con) == before
    assert reached[0] == 2
    assert ("ad", "reviews", 1) in [(e["source"], e["target"], e["journeys"]) for e in edges]


def test_markov_alone_makes_no_segments_table(shop_map: JourneyMap) -> None:
    # Markov reads the journeys; only heuristic models need the conversion segments.
    journeys = materialize(build_journeys(events(ROWS), shop_map, JourneyOptions()))
    con = ibis.get_backend(journeys)
    before = _temporary_tables(con)
    with SegmentCache(journeys) as cache:
        table = compare_models(journeys, shop_map, models=["markov"], cache=cache)
        assert _temporary_tables(con) == before
        compare_models(journeys, shop_map, models=["linear"], cache=cache)
        assert _temporary_tables(con) == before + 1  # the segments, kept by the cache
    drop_temporary(journeys)
    assert {r["key"]: r["conversions"] for r in table.to_pylist()}["ad"] > 0
