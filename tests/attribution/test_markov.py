"""Markov attribution equals an independent dense numpy solution to 1e-9."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import ibis
import numpy as np
import pytest
from attribution_journeys import events_of, journeys_table, map_of

from engine_queries import queries_run
from journeymap.attribution import attribute
from journeymap.attribution._aggregate import SEP
from journeymap.attribution._levels import _level_key, _touchpoint_key
from journeymap.attribution._transitions import (
    neighbour_rows,
    neighbour_transitions,
    touch_rows,
    transition_counts,
)
from journeymap.engine._tables import drop_temporary, materialize
from journeymap.engine.journeys import JourneyOptions, build_journeys, materialize_journeys

PATHS = [
    (["search", "email", "direct"], True, 120.0),
    (["search", "email"], False, 0.0),
    (["social", "social", "search"], True, 80.0),
    (["email"], True, 40.0),
    (["social", "direct"], False, 0.0),
    (["search", "direct", "email", "search"], True, 60.0),
    (["direct"], False, 0.0),
]


def _states(path: list[str], order: int, collapse: bool) -> list[tuple[str, ...]]:
    if collapse:
        path = [p for k, p in enumerate(path) if k == 0 or path[k - 1] != p]
    return [tuple(path[max(0, i - order + 1) : i + 1]) for i in range(len(path))]


def dense_removal_effects(
    order: int, collapse: bool, paths: list = PATHS, value: bool = False
) -> dict[str, float]:
    """Textbook absorbing chain: N = (I - Q)^-1, B = N R, removal by redirecting to null.

    With ``value`` each transition into conversion weighs its conversion's value: B is the
    expected value, and the removal effects are the value's.
    """
    counts: Counter[tuple[object, object]] = Counter()
    worth: Counter[object] = Counter()
    for path, converted, amount in paths:
        chain: list[object] = ["START", *_states(path, order, collapse)]
        chain.append("CONV" if converted else "NULL")
        counts.update(itertools.pairwise(chain))
        if converted:
            worth[chain[-2]] += amount
    transient = sorted({a for a, _ in counts}, key=str)
    idx = {s: k for k, s in enumerate(transient)}
    q = np.zeros((len(transient), len(transient)))
    r = np.zeros(len(transient))
    for (a, b), c in counts.items():
        total = sum(v for (x, _), v in counts.items() if x == a)
        if b == "CONV":
            r[idx[a]] += (worth[a] if value else c) / total
        elif b != "NULL":
            q[idx[a], idx[b]] += c / total

    def p_convert(removed: str | None) -> float:
        qq, rr = q.copy(), r.copy()
        for s, k in idx.items():
            if removed is not None and isinstance(s, tuple) and removed in s:
                qq[:, k] = 0.0
                qq[k, :] = 0.0
                rr[k] = 0.0
        n = np.linalg.inv(np.eye(len(transient)) - qq)
        return float((n @ rr)[idx["START"]])

    base = p_convert(None)
    channels = sorted({c for p, _, _ in paths for c in p})
    return {c: 1 - p_convert(c) / base for c in channels}


@pytest.mark.parametrize("order", [1, 2, 3, 4])
@pytest.mark.parametrize("collapse", [True, False])
def test_markov_matches_dense_numpy(order: int, collapse: bool) -> None:
    result = attribute(
        journeys_table(PATHS), model="markov", order=order, collapse_repeats=collapse
    )
    expected = dense_removal_effects(order, collapse)
    rows = {r["key"]: r for r in result.table.to_pylist()}
    total_effect = sum(expected.values())
    for channel, effect in expected.items():
        assert rows[channel]["removal_effect"] == pytest.approx(effect, abs=1e-9)
        assert rows[channel]["conversions"] == pytest.approx(4 * effect / total_effect, abs=1e-9)
    # Value from the chain whose conversions weigh their value (120, 80, 40, 60).
    by_value = dense_removal_effects(order, collapse, value=True)
    total_value_effect = sum(by_value.values())
    for channel, effect in by_value.items():
        assert rows[channel]["value"] == pytest.approx(300 * effect / total_value_effect, abs=1e-9)


SEGMENTED = [
    # One journey holding three conversion segments; repeats run into and across conversions.
    (["search", "email", "email"], True, 50.0),
    (["email", "email", "social"], True, 30.0),
    (["social", "search"], False, 0.0),
    (["direct", "direct"], True, 10.0),
]


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("collapse", [True, False])
@pytest.mark.parametrize("lookback", [None, "3650d"])
def test_conversions_inside_a_journey_close_their_segment(
    order: int, collapse: bool, lookback: str | None
) -> None:
    """Repeat purchases ("continue" journeys): every conversion ends one segment.

    A lookback that leaves every touch in reads prepared segments instead of the touches:
    collapsing repeats at order 2 and 3 there merged a journey's segments into one (BPIC
    with --after-conversion continue --lookback 30d --order 2: credits differed between
    DuckDB and PostgreSQL, and between runs).
    """
    whole = journeys_table([([t for p, _, _ in SEGMENTED[:3] for t in p], False, 0.0)])
    ends = [2, 5]  # the conversions at the end of the first two segments
    table = journeys_table(SEGMENTED[3:]).union(
        whole.mutate(
            journey_id=ibis.literal("j9"),
            conversion=(whole.step - 1).isin(ends),
            value=ibis.cases(((whole.step - 1) == 2, 50.0), ((whole.step - 1) == 5, 30.0)),
        )
    )
    result = attribute(
        table, model="markov", order=order, collapse_repeats=collapse, lookback=lookback
    )
    expected = dense_removal_effects(order, collapse, SEGMENTED)
    rows = {r["key"]: r for r in result.table.to_pylist()}
    by_value = dense_removal_effects(order, collapse, SEGMENTED, value=True)
    total_value_effect = sum(by_value.values())
    for channel, effect in expected.items():
        assert rows[channel]["removal_effect"] == pytest.approx(effect, abs=1e-9)
        assert rows[channel]["value"] == pytest.approx(
            90 * by_value[channel] / total_value_effect, abs=1e-9
        )
    assert sum(r["conversions"] for r in rows.values()) == pytest.approx(3)


def test_large_chains_use_the_iterative_solver_and_stay_exact(monkeypatch) -> None:
    """Above DIRECT_MAX_STATES the Krylov solver runs; it must equal the dense inverse."""
    from journeymap.attribution import markov

    rng = np.random.default_rng(7)
    keys = ["ads", "blog", "mail", "shop", "call", "fair"]
    paths = [
        (list(rng.choice(keys, size=int(rng.integers(1, 7)))), bool(rng.random() < 0.3), 10.0)
        for _ in range(400)
    ]
    import scipy.sparse.linalg

    calls = []
    original = scipy.sparse.linalg.bicgstab

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(markov, "DIRECT_MAX_STATES", 20)
    monkeypatch.setattr(scipy.sparse.linalg, "bicgstab", spy)  # markov loads it when it solves
    result = attribute(journeys_table(paths), model="markov", order=3, collapse_repeats=False)
    expected = dense_removal_effects(3, False, paths)
    effects = {r["key"]: r["removal_effect"] for r in result.table.to_pylist()}
    assert len(calls) == len(keys) + 1
    for key, effect in expected.items():
        assert effects[key] == pytest.approx(effect, abs=1e-9)


def test_markov_transition_matrix_rows_sum_to_one() -> None:
    result = attribute(journeys_table(PATHS), model="markov")
    matrix = result.extras["markov"].transition_matrix.to_pandas()
    sums = matrix.groupby("from")["probability"].sum()
    assert np.allclose(sums.to_numpy(), 1.0)
    assert set(matrix["to"]) >= {"(conversion)", "(null)"}


def test_markov_order_out_of_range_is_a_usage_error() -> None:
    from journeymap.errors import UsageError

    with pytest.raises(UsageError, match="1 to 4"):
        attribute(journeys_table(PATHS), model="markov", order=5)


@pytest.mark.parametrize("collapse", [True, False])
@pytest.mark.parametrize("level", ["touchpoint", "channel"])
def test_first_order_from_the_neighbour_columns_equals_the_window_pass(
    collapse: bool, level: str
) -> None:
    # Built journeys know each event's previous touchpoint, so order 1 needs no window pass;
    # the counts must be the window pass's, and the removal effects the dense solution's.
    journey_map = map_of(dict.fromkeys(("search", "email", "direct", "social"), "all"))
    journeys = build_journeys(events_of(PATHS), journey_map, JourneyOptions())
    key = _level_key(journey_map, level, list(journeys.columns))
    read = neighbour_transitions(journeys, key, collapse)
    rows, group, order_by = touch_rows(journeys, key)
    assert read is not None
    assert read == transition_counts(rows, group, order_by, 1, collapse)
    result = attribute(
        journeys, journey_map, model="markov", level=level, order=1, collapse_repeats=collapse
    )
    effects = {r["key"]: r["removal_effect"] for r in result.table.to_pylist()}
    expected = dense_removal_effects(1, collapse)
    assert effects == pytest.approx(expected, abs=1e-9)


def test_neighbour_columns_leave_conversions_inside_journeys_to_the_window_pass() -> None:
    journey_map = map_of({"search": "all", "email": "all"})
    journeys = build_journeys(
        events_of([(["search", "email", "search", "email"], False, 0.0)]).mutate(
            conversion=ibis._.touchpoint == "email"
        ),
        journey_map,
        JourneyOptions(after_conversion="continue"),
    )
    assert neighbour_transitions(journeys, lambda t: t.touchpoint, True) is None
    result = attribute(journeys, journey_map, model="markov", order=1)
    assert sum(r["conversions"] for r in result.table.to_pylist()) == pytest.approx(2)


@pytest.mark.parametrize("own_phase", [False, True])
def test_phase_level_reads_the_neighbours_when_the_phases_are_the_maps(own_phase: bool) -> None:
    # On materialized journeys whose phases are the map's, the phase of the previous event
    # is the map's phase of the previous touchpoint: no window pass, the same credits.
    journey_map = map_of({"search": "find", "social": "find", "email": "buy", "direct": "buy"})
    raw = events_of(PATHS)
    if own_phase:  # one event says its own phase
        raw = raw.mutate(
            phase=ibis.ifelse((raw.person_id == "p0") & (raw.touchpoint == "email"), "find", None)
        )
    lazy = build_journeys(raw, journey_map, JourneyOptions())
    journeys = materialize(lazy)
    try:
        key = _touchpoint_key(journeys, journey_map, "phase")
        assert (key is None) is own_phase
        read = attribute(journeys, journey_map, model="markov", level="phase").table
        windowed = attribute(lazy, journey_map, model="markov", level="phase").table
    finally:
        drop_temporary(journeys)
    mine = {r["key"]: r["removal_effect"] for r in read.to_pylist()}
    theirs = {r["key"]: r["removal_effect"] for r in windowed.to_pylist()}
    assert mine == pytest.approx(theirs, abs=1e-12)
    assert set(mine) == {"find", "buy"}


@pytest.mark.parametrize("order", [1, 2, 3])
def test_chains_that_fall_apart_solve_each_part_and_stay_exact(order: int) -> None:
    """Keys meeting only inside their group (an account's members) give a chain of parts.

    Each removal solves only the parts holding its key; the effects must still equal the
    dense inverse of the whole chain, also where a key's states lie in several parts.
    """
    rng = np.random.default_rng(11)
    groups = [["a1", "a2", "a3"], ["b1", "b2"], ["c1"], ["d1", "d2", "d3", "d4"]]
    paths = [
        (list(rng.choice(group, size=int(rng.integers(1, 5)))), bool(rng.random() < 0.4), 5.0)
        for group in groups
        for _ in range(30)
    ]
    paths.append((["a1", "a2"], True, 5.0))  # with order 2, a2's states in two parts
    result = attribute(journeys_table(paths), model="markov", order=order)
    expected = dense_removal_effects(order, True, paths)
    effects = {r["key"]: r["removal_effect"] for r in result.table.to_pylist()}
    assert set(effects) == set(expected)
    for key, effect in expected.items():
        assert effects[key] == pytest.approx(effect, abs=1e-9)
    assert sum(r["conversions"] for r in result.table.to_pylist()) == pytest.approx(
        sum(1 for _, converted, _ in paths if converted)
    )


def test_value_follows_where_it_was_earned() -> None:
    """A path worth 1,000 and one worth 1: Markov split the value 50/50 (conversion shares
    times the total), as if both had earned the same. Now each keeps what it led to."""
    paths = [(["a"], True, 1000.0), (["b"], True, 1.0), (["a"], False, 0.0), (["b"], False, 0.0)]
    rows = {r["key"]: r for r in attribute(journeys_table(paths), model="markov").table.to_pylist()}
    assert rows["a"]["conversions"] == pytest.approx(1.0) == rows["b"]["conversions"]
    assert rows["a"]["value"] == pytest.approx(1000.0, abs=1e-9)
    assert rows["b"]["value"] == pytest.approx(1.0, abs=1e-9)


def test_a_removal_effect_below_zero_is_rounding_and_kept_at_zero(monkeypatch) -> None:
    """Removing states only loses conversions; the solvers' rounding stored -2.2e-16 (an
    Olist analysis with --lookback 30d --order 2), and a share of -1.4e-16."""
    from journeymap.attribution import markov

    original = markov._removals

    def rounded(*args, **kwargs):
        found = original(*args, **kwargs)
        return {
            key: value * (1 + 1e-15) if key == "direct" else value for key, value in found.items()
        }

    monkeypatch.setattr(markov, "_removals", rounded)
    paths = [(["search"], True, 1.0), (["direct"], False, 0.0), (["search", "mail"], True, 1.0)]
    rows = {r["key"]: r for r in attribute(journeys_table(paths), model="markov").table.to_pylist()}
    assert rows["direct"]["removal_effect"] >= 0.0 and rows["direct"]["conversions"] >= 0.0


# Each buy closes a journey: p0 has three, the later two starting past its first step.
REPEAT_PATHS = [
    (["search", "buy", "email", "search", "buy", "social", "email"], False, None),
    (["email", "social", "buy"], False, None),
    (["social", "search"], False, None),
    (["search", "search", "email", "buy", "email"], False, None),
]


@pytest.mark.parametrize("order", [1, 3])
def test_journeys_after_a_conversion_need_no_renumbering_for_the_chain(order: int) -> None:
    # The transitions read a journey's order and neighbours, not its steps' numbers: on
    # journeys built from the events, no query joins the conversions to number them.
    journey_map = map_of(dict.fromkeys(("search", "email", "social", "buy"), "all"))
    buy = ibis._.touchpoint == "buy"
    raw = events_of(REPEAT_PATHS).mutate(
        conversion=buy, value=ibis.ifelse(buy, 10.0, ibis.null("float64"))
    )
    journeys = build_journeys(raw, journey_map, JourneyOptions())
    with queries_run() as queries:
        lazy = attribute(journeys, journey_map, model="markov", order=order)
    assert queries and not any("JOIN" in query.upper() for query in queries)
    # No window pass sorts the events: each person's events are collected as coded integers
    # and put in order locally (engine._coded_journeys), at every order.
    passes = {p for query in queries for p in re.findall(r"PARTITION BY (.+?) ORDER BY", query)}
    assert not passes
    assert any('"_k"' in query for query in queries)
    stored = materialize_journeys(journeys)  # steps numbered from 1 in every journey
    try:
        whole = attribute(stored, journey_map, model="markov", order=order)
    finally:
        drop_temporary(stored)
    assert lazy.table.to_pylist() == whole.table.to_pylist()
    assert sum(r["conversions"] for r in lazy.table.to_pylist()) == pytest.approx(4)


@pytest.mark.parametrize("stored", [False, True], ids=["lazy", "stored"])
@pytest.mark.parametrize("order", [2, 3, 4])
def test_repeats_read_off_the_neighbours_equal_the_window_pass(order: int, stored: bool) -> None:
    # Collapsing repeats at order 2 and above marks them from the journeys' neighbour
    # columns instead of a window pass of its own: the same transition counts.
    journey_map = map_of(dict.fromkeys(("search", "email", "social", "buy"), "all"))
    buy = ibis._.touchpoint == "buy"
    raw = events_of(REPEAT_PATHS).mutate(
        conversion=buy, value=ibis.ifelse(buy, 10.0, ibis.null("float64"))
    )
    journeys = build_journeys(raw, journey_map, JourneyOptions())
    table = materialize_journeys(journeys) if stored else journeys
    try:
        key = _level_key(journey_map, "touchpoint", list(table.columns))
        marked = neighbour_rows(table, key)
        assert marked is not None
        found = transition_counts(*marked, order, True)
        assert found == transition_counts(*touch_rows(table, key), order, True)
        # search > search is collapsed: no state repeats its last key.
        assert not any(r["to"].endswith(f"search{SEP}search") for r in found)
    finally:
        if stored:
            drop_temporary(table)


def test_conversions_inside_journeys_leave_the_repeats_to_the_window_pass() -> None:
    journey_map = map_of({"search": "all", "email": "all"})
    raw = events_of([(["search", "email", "search", "email"], False, 0.0)])
    journeys = build_journeys(
        raw.mutate(conversion=ibis._.touchpoint == "email"),
        journey_map,
        JourneyOptions(after_conversion="continue"),
    )
    assert neighbour_rows(journeys, lambda t: t.touchpoint) is None
    stored = materialize_journeys(journeys)
    try:
        assert neighbour_rows(stored, lambda t: t.touchpoint) is None
    finally:
        drop_temporary(stored)


def test_a_small_chain_is_solved_without_loading_scipy() -> None:
    # SciPy takes a sixth of a second to load; a chain of up to DENSE_MAX_STATES states is
    # built, split into parts and solved with NumPy alone.
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from journeymap.attribution.markov import markov_from_counts\n"
        "counts = [\n"
        "    {'from': '(start)', 'to': 'ad', 'count': 3, 'value': 0.0},\n"
        "    {'from': 'ad', 'to': '(conversion)', 'count': 2, 'value': 20.0},\n"
        "    {'from': 'ad', 'to': '(null)', 'count': 1, 'value': 0.0},\n"
        "]\n"
        "result = markov_from_counts(counts, 2.0, 20.0)\n"
        "assert result.removal_effects == {'ad': 1.0}, result.removal_effects\n"
        "print('scipy' in sys.modules)\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "False"


@pytest.mark.parametrize("seed", range(5))
def test_the_parts_of_a_dense_chain_are_numbered_as_scipy_numbers_them(seed: int) -> None:
    import scipy.sparse as sp

    from journeymap.attribution.markov import _parts

    rng = np.random.default_rng(seed)
    dense = (rng.random((40, 40)) < 0.03) * rng.random((40, 40))
    assert _parts(dense).tolist() == _parts(sp.csr_matrix(dense)).tolist()
    assert len(set(_parts(dense).tolist())) > 1  # the graph falls apart
