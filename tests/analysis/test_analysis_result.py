"""analyze() end to end, the Analysis conversions and the save/load round trip."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from journeymap.analysis import Analysis, analyze
from journeymap.errors import AnalysisError, MissingDependencyError
from journeymap.model import JourneyMap

CONTRACT_TABLES = {
    "phase_funnel",
    "touchpoint_funnel",
    "touchpoint_stats",
    "dropoff",
    "checkout_abandonment",
    "time_to_convert",
    "time_to_convert_histogram",
    "time_in_phase",
    "time_between_steps",
    "paths",
    "sankey",
    "variants",
    "correlation",
}


def test_analyze_arrow_events(shop_map: JourneyMap, shop_events: pa.Table) -> None:
    analysis = analyze(shop_map, shop_events)
    assert set(analysis.tables) >= CONTRACT_TABLES
    s = analysis.summary
    assert (s["journeys"], s["conversions"], s["events"], s["persons"]) == (4, 2, 11, 4)
    assert s["conversion_rate"] == 0.5
    assert s["value"] == 200.0
    assert s["map_id"] == "shop"
    funnel = analysis.table("phase_funnel").to_pylist()
    assert [r["reached"] for r in funnel] == [4, 2, 1]
    assert s["top_dropoffs"][0]["last_touchpoint"] == "checkout"


def test_analyze_accepts_pandas_and_polars(shop_map: JourneyMap, shop_events: pa.Table) -> None:
    from_pandas = analyze(shop_map, shop_events.to_pandas())
    from_polars = analyze(shop_map, pl.from_arrow(shop_events))
    assert from_pandas.summary["journeys"] == from_polars.summary["journeys"] == 4


def test_per_account_with_breakdown(shop_map: JourneyMap, shop_events: pa.Table) -> None:
    analysis = analyze(shop_map, shop_events, by="account", breakdown=["country"])
    # acme (p1 + p2) converted once; p3 and p4 have no account and stay on their own.
    assert analysis.summary["journeys"] == 3
    funnel = analysis.table("phase_funnel").to_pylist()
    reached = {(r["country"], r["phase"]): r["reached"] for r in funnel}
    assert reached[("DK", "purchase")] == 1
    assert reached[("DE", "consideration")] == 1  # p3: blog, reviews
    assert reached[("DE", "purchase")] == 0  # p4 skipped consideration
    assert "country" in analysis.table("phase_funnel").column_names


def test_unknown_input_and_table_names(shop_map: JourneyMap, shop_events: pa.Table) -> None:
    with pytest.raises(AnalysisError, match="cannot analyze a int"):
        analyze(shop_map, 42)
    analysis = analyze(shop_map, shop_events)
    with pytest.raises(AnalysisError, match="phase_funnel"):
        analysis.table("funnel")


def test_save_load_round_trip(shop_map: JourneyMap, shop_events: pa.Table, tmp_path: Path) -> None:
    analysis = analyze(shop_map, shop_events)
    analysis.save(tmp_path / "out")
    assert (tmp_path / "out" / "analysis.json").is_file()
    for name in analysis.tables:
        assert (tmp_path / "out" / f"{name}.parquet").is_file()
    loaded = Analysis.load(tmp_path / "out")
    assert set(loaded.tables) == set(analysis.tables)
    for name, table in analysis.tables.items():
        assert loaded.table(name).equals(table), name
    assert loaded.summary["journeys"] == analysis.summary["journeys"]
    with pytest.raises(AnalysisError, match="loaded from disk"):
        loaded.attribution(model="linear")


def test_load_missing_folder_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(AnalysisError, match="journeymap analyze"):
        Analysis.load(tmp_path)


def test_conversions(shop_map: JourneyMap, shop_events: pa.Table) -> None:
    analysis = analyze(shop_map, shop_events)
    frame = analysis.to_pandas("dropoff")
    assert isinstance(frame, pd.DataFrame) and frame["journeys"].sum() == 2
    assert analysis.to_polars("paths").height == analysis.table("paths").num_rows
    document = json.loads(analysis.to_json())
    assert document["summary"]["journeys"] == 4
    assert document["tables"]["phase_funnel"][0]["phase"] == "awareness"


def test_polars_missing_raises_with_hint(
    shop_map: JourneyMap, shop_events: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    analysis = analyze(shop_map, shop_events)
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(MissingDependencyError, match=r"journeymap\[polars\]"):
        analysis.to_polars("paths")


def test_html_summary_escapes(shop_map: JourneyMap, shop_events: pa.Table) -> None:
    analysis = analyze(shop_map, shop_events)
    analysis.summary["map_id"] = "<script>x</script>"
    html = analysis._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "phase_funnel" in html


def test_no_events_is_refused_not_analysed_into_zeros(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    """A filter that matched nothing gave funnels of zeros and a 0 % conversion rate."""
    with pytest.raises(AnalysisError, match="the events given hold no rows"):
        analyze(shop_map, shop_events.slice(0, 0))


def test_progress_names_every_step_in_order(shop_map: JourneyMap, shop_events: pa.Table) -> None:
    steps: list[str] = []
    with analyze(shop_map, shop_events, progress=steps.append) as analysis:
        tables = list(analysis.tables)
    metrics = [name for name in tables if name not in {"attribution", "markov_removal_effects"}]
    # Counted off the journeys' arrays: no facts are stored, the shared counts are local.
    assert steps == ["journeys", "shared", *metrics, "summary", "attribution"]
    assert len(metrics) == 14  # with outcomes (journeys per outcome touchpoint)
    steps.clear()
    with analyze(shop_map, shop_events, progress=steps.append, breakdown=["country"]):
        pass  # a breakdown column: the journeys are stored and asked in the engine
    assert steps == ["journeys", "facts", "shared", *metrics, "summary", "attribution"]


def test_analyze_reads_an_arrow_stream(shop_map: JourneyMap, shop_events: pa.Table) -> None:
    """A RecordBatchReader or a DuckDB relation (anything with the Arrow PyCapsule stream)
    was refused as 'cannot analyze a RecordBatchReader'."""
    import duckdb

    expected = analyze(shop_map, shop_events, attribution=False).summary["conversions"]
    reader = pa.RecordBatchReader.from_batches(shop_events.schema, shop_events.to_batches())
    assert analyze(shop_map, reader, attribution=False).summary["conversions"] == expected
    con = duckdb.connect()
    con.register("events", shop_events)
    relation = con.sql("SELECT * FROM events")
    assert analyze(shop_map, relation, attribution=False).summary["conversions"] == expected
