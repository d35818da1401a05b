"""Heuristic models cut only the journeys of people who converted, with the same credits.

The heuristic models credit converting journeys alone; the journeys that did not convert add
nothing but the touchpoints they saw, which stay in the table with 0. ``attribute`` and
``compare_models`` running heuristic models only (no cache passed) therefore cut the
journeys of the converting actors alone (``SegmentCache(heuristics_only=True)``), on DuckDB
locally from the coded journeys (``attribution._coded_segments``). Every test here compares
that with the whole segments (a cache that is not heuristics-only): the same rows and the same
credits, including the zero rows of touchpoints met only on journeys that did not convert.
The local sums are correctly rounded floats, the engine's exact sums of decimals (each value
term rounded to 10 decimals): the credits agree to 1e-12 of their size, or 1e-9.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from engine_queries import queries_run
from journeymap.attribution import SegmentCache, attribute, compare_models
from journeymap.attribution.heuristic import HEURISTICS
from journeymap.engine._tables import drop_temporary, materialize
from journeymap.engine.journeys import JourneyOptions, build_journeys
from journeymap.model import JourneyMap, Phase, Touchpoint

pytestmark = pytest.mark.filterwarnings(
    r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"
)

MODELS = [m for m in HEURISTICS if m != "custom"]
START = pd.Timestamp("2025-03-01", tz="UTC")

# (person, account, hours after START, touchpoint, conversion, value)
ROWS = [
    ("p1", "a1", 0, "ad", False, None),
    ("p1", "a1", 5, "mail", False, None),
    ("p1", "a1", 9, "shop", True, 120.0),
    ("p1", "a1", 30, "ad", False, None),  # after the conversion: a journey that did not
    ("p1", "a1", 31, "fair", False, None),  # convert, of a person who did
    ("p2", "a3", 2, "mail", False, None),
    ("p2", "a3", 3, "radio", False, None),  # radio: only on journeys that did not convert
    ("p3", "a4", 1, "radio", False, None),
    ("p3", "a4", 400, "declined", False, None),  # an outcome, on a journey without conversion
    ("p4", None, 0, "ad", False, None),
    ("p4", None, 1, "shop", True, 80.0),
    ("p4", None, 2, "mail", False, None),
    ("p4", None, 3, "shop", True, 40.0),
    ("p5", "a2", 7, "ad", False, None),
    ("p5", "a2", 300, "mail", False, None),  # a session gap before it
    ("p5", "a2", 301, "shop", True, 60.0),
]


def _map(outcome: bool) -> JourneyMap:
    phases = [
        Phase(id="awareness", name="Awareness", order=1),
        Phase(id="consideration", name="Consideration", order=2),
        Phase(id="decision", name="Decision", order=3),
    ]
    where = {
        "ad": "awareness",
        "radio": "awareness",
        "fair": "awareness",
        "mail": "consideration",
        "shop": "decision",
        "declined": "decision",
    }
    channel = {"ad": "paid", "radio": "paid", "fair": "events", "mail": "owned", "shop": "owned"}
    return JourneyMap(
        id="m",
        name="M",
        phases=phases,
        touchpoints=[
            Touchpoint(
                id=t,
                name=t,
                phases=[p],
                channel=channel.get(t, "other"),
                outcome=outcome and t == "declined",
            )
            for t, p in where.items()
        ],
    )


def _events() -> pa.Table:
    frame = pd.DataFrame(
        [
            {
                "person_id": person,
                "account_id": account,
                "ts": START + pd.Timedelta(hours=hours),
                "touchpoint": touchpoint,
                "phase": None,
                "persona": "buyer",
                "conversion": conversion,
                "value": value,
            }
            for person, account, hours, touchpoint, conversion, value in ROWS
        ]
    )
    return pa.Table.from_pandas(frame, preserve_index=False)


def _sorted(table: pa.Table) -> list[dict[str, object]]:
    rows = table.to_pylist()
    return sorted(rows, key=lambda r: (str(r["model"]), str(r["key"])))


def _same_credits(fast: pa.Table, whole: pa.Table) -> None:
    """The same rows; the same numbers to 1e-12 of their size or 1e-9 (see the module doc)."""
    numbers = ("conversions", "value", "share")
    mine, theirs = _sorted(fast), _sorted(whole)
    assert [{k: v for k, v in r.items() if k not in numbers} for r in mine] == [
        {k: v for k, v in r.items() if k not in numbers} for r in theirs
    ]
    for a, b in zip(mine, theirs, strict=True):
        for name in numbers:
            assert a[name] == pytest.approx(b[name], rel=1e-12, abs=1e-9), (a, name)


def _whole(journeys: object, journey_map: JourneyMap, **params: object) -> pa.Table:
    """The credits from the whole segments: a cache that Markov and Shapley could read too."""
    with SegmentCache(journeys) as cache:  # type: ignore[arg-type]
        return compare_models(journeys, journey_map, cache=cache, **params)  # type: ignore[arg-type]


CUTS = [
    pytest.param({}, id="default"),
    pytest.param({"after_conversion": "continue"}, id="continue-after-conversion"),
    pytest.param({"by": "account"}, id="per-account"),
    pytest.param({"session_gap": "48h"}, id="session-gap"),
]


@pytest.mark.parametrize("cut", CUTS)
@pytest.mark.parametrize("outcome", [False, True], ids=["no-outcome", "declined-outcome"])
@pytest.mark.parametrize("level", ["touchpoint", "channel"])
def test_the_same_credits_and_zero_rows_as_the_whole_segments(
    cut: dict[str, str], outcome: bool, level: str
) -> None:
    import ibis

    journey_map = _map(outcome)
    journeys = build_journeys(ibis.memtable(_events()), journey_map, JourneyOptions(**cut))
    fast = compare_models(journeys, journey_map, level=level, models=MODELS)
    _same_credits(fast, _whole(journeys, journey_map, level=level, models=MODELS))
    keys = {row["key"] for row in fast.to_pylist()}
    if level == "touchpoint":
        # Met only on journeys that did not convert: in the table, with no credit.
        radio = [r for r in fast.to_pylist() if r["key"] == "radio"]
        assert len(radio) == len(MODELS) and all(r["conversions"] == 0 for r in radio)
        # An outcome is no touch: no row; undeclared, it is a touchpoint like the others.
        assert ("declined" in keys) is not outcome
        assert "fair" in keys  # after the conversion, on a journey that did not convert
    else:
        assert {"paid", "owned", "events"} <= keys


@pytest.mark.parametrize("conversion_touch", [True, False])
def test_one_model_without_the_conversion_touch(conversion_touch: bool) -> None:
    import ibis

    journey_map = _map(True)
    journeys = build_journeys(ibis.memtable(_events()), journey_map)
    for model in ("linear", "last_non_direct", "participation", "w_shaped", "time_decay"):
        fast = attribute(journeys, journey_map, model=model, conversion_touch=conversion_touch)
        with SegmentCache(journeys) as cache:
            whole = attribute(
                journeys, journey_map, model=model, conversion_touch=conversion_touch, cache=cache
            )
        assert fast.table.to_pylist() == whole.table.to_pylist(), model
        # Every touchpoint but the outcome, those of journeys that did not convert with 0;
        # without the conversion touch, the shop (only ever a conversion) is no touch.
        expected = {"ad", "mail", "radio", "fair"} | ({"shop"} if conversion_touch else set())
        assert set(fast.table.column("key").to_pylist()) == expected
        if model != "participation":  # which gives every touchpoint that took part 1
            assert sum(fast.table.column("conversions").to_pylist()) == pytest.approx(4.0)


@pytest.mark.parametrize("cut", CUTS)
def test_converting_segments_are_cut_locally_and_stored_nowhere(cut: dict[str, str]) -> None:
    """No segments table is stored: the coded journeys are cut and credited locally.

    The totals and the touchpoints seen (radio and fair only on journeys that did not
    convert) come from the coded events; the credits are the whole segments' all the same.
    """
    import ibis

    from journeymap.engine._tables import is_temporary

    journey_map = _map(False)
    journeys = build_journeys(ibis.memtable(_events()), journey_map, JourneyOptions(**cut))
    with SegmentCache(journeys, heuristics_only=True) as cache:
        fast = compare_models(journeys, journey_map, models=MODELS, cache=cache)
        (segments,) = cache.prepared()
        assert segments.partial
        assert segments.local is not None
        assert not is_temporary(segments.table)
        assert isinstance(segments.touchpoints, frozenset)
        assert segments.conversions == 4
        assert segments.value == 300.0
    _same_credits(fast, _whole(journeys, journey_map, models=MODELS))
    keys = {row["key"] for row in fast.to_pylist()}
    assert keys == {"ad", "mail", "shop", "radio", "fair", "declined"}


def test_every_heuristic_model_is_credited_by_the_same_one_query() -> None:
    """Participation (distinct touchpoints per conversion) adds no query of its own.

    Every query the engine runs is counted: all heuristic models together run as many as one
    model alone (the events counted, to see that their arrays fit in memory; the touchpoints
    and phases met; each converting person's coded events), with the same credits as one
    model at a time.
    """
    import ibis

    journey_map = _map(False)
    journeys = build_journeys(ibis.memtable(_events()), journey_map)
    with queries_run() as queries:
        compare_models(journeys, journey_map, models=["linear"])
    with queries_run() as every:
        together = compare_models(journeys, journey_map, models=MODELS)
    alone = [compare_models(journeys, journey_map, models=[m]) for m in MODELS]
    assert len(every) == len(queries) == 3
    _same_credits(together, pa.concat_tables(alone))


def test_a_stored_journeys_table_keeps_its_converting_journeys() -> None:
    import ibis

    journey_map = _map(False)
    journeys = materialize(build_journeys(ibis.memtable(_events()), journey_map))
    try:
        with SegmentCache(journeys, heuristics_only=True) as cache:
            fast = compare_models(journeys, journey_map, models=MODELS, cache=cache)
            (segments,) = cache.prepared()
            assert segments.partial
            # The converting journeys alone: p1's first, p4's two, p5's (10 touches of 16).
            assert segments.table.count().to_pyarrow().as_py() == 10
        assert _sorted(fast) == _sorted(_whole(journeys, journey_map, models=MODELS))
    finally:
        drop_temporary(journeys)


def test_markov_and_shapley_still_read_every_journey() -> None:
    import ibis

    journey_map = _map(False)
    journeys = build_journeys(ibis.memtable(_events()), journey_map)
    models = ["linear", "shapley", "markov"]
    # Shapley by conversion rate reads the journeys that did not convert.
    with SegmentCache(journeys, heuristics_only=True) as cache:
        mixed = compare_models(journeys, journey_map, models=models, worth="rate", cache=cache)
        # linear's segments are the converting actors', Shapley's and Markov's the whole.
        assert sorted(s.partial for s in cache.prepared()) == [False, True]
    whole = _whole(journeys, journey_map, models=models, worth="rate")
    assert _sorted(mixed) == _sorted(whole)
    # Without a cache, a comparison with Shapley cuts every journey once.
    assert _sorted(compare_models(journeys, journey_map, models=models, worth="rate")) == (
        _sorted(whole)
    )


def test_a_lookback_window_cuts_the_whole_segments() -> None:
    import ibis

    journey_map = _map(False)
    journeys = build_journeys(ibis.memtable(_events()), journey_map)
    with SegmentCache(journeys, heuristics_only=True) as cache:
        fast = compare_models(journeys, journey_map, models=MODELS, lookback="2h", cache=cache)
        assert not any(s.partial for s in cache.prepared())
    assert _sorted(fast) == _sorted(_whole(journeys, journey_map, models=MODELS, lookback="2h"))


@pytest.mark.slow
@pytest.mark.parametrize("after_conversion", ["end", "continue"])
def test_bpic_2012_credits_equal_the_whole_segments(
    bpic2012_events: object, after_conversion: str
) -> None:
    """BPI Challenge 2012: 13,087 loan applications, 2,246 approved (A_APPROVED converts).

    The declined and cancelled applications (10,841) are cut no more; the activities met only
    on them keep their rows with 0.
    """
    journey_map = _bpic_map()
    options = JourneyOptions(after_conversion=after_conversion)
    journeys = build_journeys(bpic2012_events, journey_map, options)  # type: ignore[arg-type]
    with SegmentCache(journeys, heuristics_only=True) as cache:
        fast = compare_models(journeys, journey_map, models=MODELS, cache=cache)
        (segments,) = cache.prepared()
        assert segments.partial
        assert segments.conversions == 2246
    _same_credits(fast, _whole(journeys, journey_map, models=MODELS))
    linear = {r["key"]: r["conversions"] for r in fast.to_pylist() if r["model"] == "linear"}
    assert linear["A_DECLINED"] == 0  # only on applications that were not approved
    assert sum(linear.values()) == pytest.approx(2246)


def _bpic_map() -> JourneyMap:
    steps = ["A_SUBMITTED", "A_PREACCEPTED", "A_ACCEPTED", "O_SENT", "A_APPROVED", "A_DECLINED"]
    return JourneyMap(
        id="bpic",
        name="Loans",
        phases=[Phase(id="apply", name="Apply", order=1)],
        touchpoints=[Touchpoint(id=s, name=s, phases=["apply"]) for s in steps],
    )


def test_remembering_how_journeys_were_built_keeps_no_events_alive() -> None:
    """The events a journeys table was cut from are freed with it (a large DataFrame too)."""
    import gc
    import weakref

    import ibis

    events = ibis.memtable(_events())
    journeys = build_journeys(events, _map(False))
    gone = weakref.ref(events.op())
    assert compare_models(journeys, _map(False), models=["linear"]).num_rows == 6
    del events, journeys
    gc.collect()
    assert gone() is None
