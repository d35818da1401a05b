"""An analysis counted off the journeys' arrays gives the tables the engine's path gives.

On the embedded DuckDB, journeys per person without breakdown columns are read once as
arrays and every table is counted in NumPy (``analysis._local_steps``); elsewhere the
journeys are stored and asked in Ibis. Both must say the same, table by table and in the
summary: each analysis below runs twice, the second time with the arrays refused.
"""

from __future__ import annotations

import math
from typing import Any

import ibis
import pyarrow as pa
import pytest

from engine_queries import queries_run
from journeymap.analysis import analyze, run
from local_events import local_map, random_events

OPTIONS: list[dict[str, Any]] = [
    {},
    {"after_conversion": "continue"},
    {"session_gap": "3d"},
    {"conversion_window": "5d", "ordering": "strict"},
    {"conversion_window": "5d", "ordering": "any"},
    {"conversion_window": None, "collapse_repeats": False, "top_paths": 3, "top_variants": 3},
]


def _same(a: Any, b: Any, where: str) -> None:
    """Equal, floats to 1e-9 of their size (the engine's float sums may differ in order)."""
    if isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), where
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            _same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), where
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{index}]")
    else:
        assert a == b, where


def _same_tables(local: dict[str, pa.Table], engine: dict[str, pa.Table]) -> None:
    assert local.keys() == engine.keys()
    for name in engine:
        assert local[name].schema == engine[name].schema, name
        _same(local[name].to_pylist(), engine[name].to_pylist(), name)


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(map(str, o.values())))
@pytest.mark.parametrize("seed", [11, 12])
def test_the_local_count_is_the_engines(
    options: dict[str, Any], seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = random_events(seed, persons=300)
    with queries_run() as queries:
        local = analyze(local_map(), events, attribution=False, **options)
    assert not any(" OVER " in query.upper() for query in queries)  # no window pass: local
    monkeypatch.setattr(run, "local_journeys", lambda *_args: None)
    engine = analyze(local_map(), events, attribution=False, **options)
    _same_tables(local.tables, engine.tables)
    _same(local.summary, engine.summary, "summary")
    assert local.summary["journeys"] >= 300  # one or more journeys a person
    assert local.tables["phase_funnel"].column("reached").to_pylist()[0] > 0


@pytest.mark.parametrize("options", OPTIONS[3:5], ids=["strict", "any"])
def test_times_with_a_zone_count_alike(
    options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Imported events have times with a zone, whose seconds the engine rounds otherwise.
    events = random_events(15, persons=300)
    events = events.mutate(ts=events.ts.cast("timestamp('UTC')"))
    local = analyze(local_map(), events, attribution=False, **options)
    monkeypatch.setattr(run, "local_journeys", lambda *_args: None)
    engine = analyze(local_map(), events, attribution=False, **options)
    _same_tables(local.tables, engine.tables)
    _same(local.summary, engine.summary, "summary")


def test_attribution_after_a_local_count_reads_the_same_journeys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = random_events(13, persons=200)
    local = analyze(local_map(), events)
    monkeypatch.setattr(run, "local_journeys", lambda *_args: None)
    engine = analyze(local_map(), events)
    _same(
        local.tables["attribution"].to_pylist(),
        engine.tables["attribution"].to_pylist(),
        "attribution",
    )
    markov = local.attribution(model="markov").table.to_pylist()
    assert markov == engine.attribution(model="markov").table.to_pylist()


@pytest.mark.parametrize(
    "options", [{"breakdown": ["persona"]}, {"by": "account"}], ids=["breakdown", "account"]
)
def test_what_the_arrays_do_not_hold_is_asked_of_the_engine(options: dict[str, Any]) -> None:
    events = random_events(14, persons=50).mutate(account_id=ibis.literal("a"))
    with queries_run() as queries:
        analysis = analyze(local_map(), events, attribution=False, **options)
    assert any(" OVER " in query.upper() for query in queries)  # the window pass
    assert analysis.summary["journeys"] > 0
    assert analysis.tables["phase_funnel"].column("reached").to_pylist()[0] > 0


def test_the_analysis_markov_chains_count_off_its_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    """The analysis hands its attribution the coded events its metrics counted off: the
    Markov chains are counted off them, and equal the chains of the stored journeys."""
    from journeymap.attribution import _markov_chain, attribute

    asked: list[str] = []
    counted = _markov_chain.neighbour_transitions
    monkeypatch.setattr(
        _markov_chain,
        "neighbour_transitions",
        lambda *args: asked.append("neighbours") or counted(*args),
    )
    events = random_events(31, persons=400)
    # No outcome touchpoint: the chains then read the journeys whole (else their segments).
    plain = local_map()
    plain = plain.model_copy(
        update={"touchpoints": [t.model_copy(update={"outcome": False}) for t in plain.touchpoints]}
    )
    with analyze(plain, events) as analysis:
        effects = {
            row["touchpoint"]: row["removal_effect"]
            for row in analysis.tables["markov_removal_effects"].to_pylist()
        }
        credits = {
            (row["level"], row["key"]): row["conversions"]
            for row in analysis.tables["attribution"].to_pylist()
            if row["model"] == "markov"
        }
        assert asked == []  # no grouping of the stored journeys' neighbours
        stored = analysis.stored_journeys()
        for level in ("touchpoint", "channel", "phase"):
            alone = attribute(stored, plain, model="markov", level=level)
            for row in alone.table.to_pylist():
                _same(credits[(level, row["key"])], row["conversions"], f"{level} {row['key']}")
                if level == "touchpoint":
                    _same(effects[row["key"]], row["removal_effect"], row["key"])
    assert len(effects) >= 3
    assert sum(effects.values()) > 0
