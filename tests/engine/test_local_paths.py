"""Paths, Sankey edges and variants counted locally, held to their Ibis twins."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from engine_events import events
from journeymap.engine import _local_paths, paths, variants
from journeymap.engine._local_journeys import LocalJourneys, local_journeys
from journeymap.engine._local_paths import (
    local_paths,
    local_sankey,
    local_variants,
    local_variants_total,
)
from journeymap.engine.journeys import (
    JourneyOptions,
    build_journeys,
    journey_facts,
    phase_lookup,
)
from local_events import OPTIONS, journeys_of, local_map, option_id


def _ibis(journeys: Any, journey_map: Any, options: JourneyOptions) -> dict[str, Any]:
    """The Ibis tables, called as the analysis calls them, and the summary's total."""
    facts = journey_facts(journeys, [], sequences=True, phase_of=phase_lookup(journey_map))
    counts = paths.path_counts(journeys, options.collapse_repeats, facts)
    grouped = paths.group_sequences(journeys, facts.select(_tps=facts.touchpoints), "_tps", [])
    return {
        "paths": paths.paths(journeys, options, counts),
        "sankey": paths.sankey(journeys, options, counts=counts),
        "sankey3": paths.sankey(journeys, options, 3, nodes=4, counts=counts),
        "variants": variants.variants(journeys, options.top_variants, facts),
        "variants_total": int(grouped.count().to_pyarrow().as_py() or 0),
    }


def _local(local: LocalJourneys, options: JourneyOptions) -> dict[str, Any]:
    """The local twins of :func:`_ibis`."""
    return {
        "paths": local_paths(local, options),
        "sankey": local_sankey(local, options),
        "sankey3": local_sankey(local, options, 3, nodes=4),
        "variants": local_variants(local, options.top_variants),
        "variants_total": local_variants_total(local),
    }


def _assert_same(local: dict[str, Any], expected: dict[str, Any]) -> None:
    """Every table of the same schema and rows, in order (shares are computed alike)."""
    assert local.keys() == expected.keys()
    for name, want in expected.items():
        got = local[name]
        if isinstance(want, pa.Table):
            assert got.schema == want.schema, name
            assert got.to_pylist() == want.to_pylist(), name
        else:
            assert got == want, name


def _small(options: JourneyOptions) -> JourneyOptions:
    """Few paths and variants listed: the ``Other`` bucket and ties by text matter."""
    return dataclasses.replace(options, top_paths=3, top_variants=3)


@pytest.mark.parametrize("options", OPTIONS, ids=option_id)
@pytest.mark.parametrize("seed", [1, 2])
def test_local_paths_are_the_ibis_paths(options: JourneyOptions, seed: int) -> None:
    options = _small(options)
    journey_map, journeys, local = journeys_of(seed, options)
    expected = _ibis(journeys, journey_map, options)
    assert any(row["path"] == "Other" for row in expected["paths"].to_pylist())
    _assert_same(_local(local, options), expected)


@pytest.mark.parametrize("collapse", [True, False])
def test_long_paths_are_hashed_and_grouped_alike(collapse: bool) -> None:
    # Journeys of up to 60 events: their paths are too long to be numbers of their own.
    options = dataclasses.replace(_small(JourneyOptions(collapse_repeats=collapse)), top_paths=40)
    options = dataclasses.replace(options, after_conversion="continue", top_variants=40)
    journey_map, journeys, local = journeys_of(4, options, persons=80, most=60)
    assert len(_local_paths._paths(local, collapse).coded[1])  # some long paths
    _assert_same(_local(local, options), _ibis(journeys, journey_map, options))


def test_paths_sharing_a_hash_are_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    # A hash of the length alone: every long path of a length collides; the exact grouping
    # must still count each path on its own.
    options = dataclasses.replace(
        JourneyOptions(after_conversion="continue", collapse_repeats=False), top_variants=40
    )
    journey_map, journeys, local = journeys_of(5, options, persons=80, most=60)
    exact = _local_paths._exact_ids
    calls: list[int] = []

    def counted(found: Any) -> tuple[np.ndarray, np.ndarray]:
        calls.append(len(found.lengths))
        return exact(found)

    monkeypatch.setattr(_local_paths, "_hash", lambda found: found.lengths.astype(np.uint64))
    monkeypatch.setattr(_local_paths, "_exact_ids", counted)
    _assert_same(_local(local, options), _ibis(journeys, journey_map, options))
    assert calls


def _hand_made(rows: list[tuple[Any, ...]], options: JourneyOptions) -> LocalJourneys:
    local = local_journeys(build_journeys(events(rows), local_map(), options), options)
    assert local is not None
    return local


# (person, hour, touchpoint, conversion, account, persona)
HAND_MADE = [
    ("p1", 1, "search", False, None, "buyer"),
    ("p1", 2, "email", False, None, "buyer"),
    ("p1", 3, "shop", True, None, "buyer"),
    ("p2", 1, "search", False, None, "user"),
    ("p2", 2, "email", False, None, "user"),
    ("p3", 1, "search", False, None, "buyer"),
    ("p3", 2, "search", False, None, "buyer"),
    ("p3", 3, "email", False, None, "buyer"),
    ("p4", 1, "email", False, None, None),
    ("p4", 2, "shop", True, None, None),
    ("p5", 1, None, False, None, "user"),  # a missing touchpoint, then social
    ("p5", 2, "social", False, None, "user"),
    ("p6", 1, "search", False, None, "buyer"),
    ("p6", 2, "email", False, None, "buyer"),
]


def test_hand_made_paths() -> None:
    options = JourneyOptions(top_paths=2)
    table = local_paths(_hand_made(HAND_MADE, options), options)
    rows = [(r["kind"], r["rank"], r["path"], r["journeys"]) for r in table.to_pylist()]
    assert rows == [
        ("all", 1, "search > email", 3),  # p2, p3 (search twice, collapsed) and p6
        ("all", 2, "email > shop", 1),  # ties by text: before "search > email > shop"
        ("all", 3, "Other", 2),
        ("converted", 1, "email > shop", 1),
        ("converted", 2, "search > email > shop", 1),
        ("dropped", 1, "search > email", 3),
        ("dropped", 2, None, 1),  # p5: a missing touchpoint first, and none after it
    ]
    assert table["share"].to_pylist()[:3] == [0.5, 1 / 6, 2 / 6]


def test_hand_made_sankey() -> None:
    options = JourneyOptions(sankey_steps=3)
    table = local_sankey(_hand_made(HAND_MADE, options), options)
    assert [tuple(r.values()) for r in table.to_pylist()] == [
        (1, "search", "email", 4),
        (1, "email", "shop", 1),
        (2, "email", "(dropped)", 3),
        (2, "email", "shop", 1),
        (2, "shop", "(converted)", 1),
        (3, "shop", "(converted)", 1),
    ]  # p5's missing path is in none


def test_hand_made_variants() -> None:
    local = _hand_made(HAND_MADE, JourneyOptions())
    table = local_variants(local, 4)
    assert [tuple(r.values()) for r in table.to_pylist()] == [
        ("search > email", 2, 2, 0, 0.0, "buyer, user"),
        ("email > shop", 2, 1, 1, 1.0, ""),
        ("search > email > shop", 3, 1, 1, 1.0, "buyer"),
        ("search > search > email", 3, 1, 0, 0.0, "buyer"),
    ]  # "social" (p5, the missing touchpoint skipped) is fifth
    assert local_variants_total(local) == 5


@pytest.mark.parametrize("collapse", [True, False])
def test_touchpoints_text_cannot_join(collapse: bool) -> None:
    # An empty touchpoint: the twins group the arrays, missing touchpoints kept; names that
    # read as the separator or as "Other" are grouped by their text.
    rows = [
        ("p1", 1, "", False),
        ("p1", 2, "x", False),
        ("p2", 1, "x", False),
        ("p2", 2, None, False),
        ("p2", 3, "y", True),
        ("p3", 1, None, False),
        ("p3", 2, "x", False),
        ("p4", 1, None, False),
        ("p5", 1, "x", False),
        ("p5", 2, "y", False),
        ("p6", 1, "x", False),
        ("p6", 2, "y", True),
        ("p7", 1, "Other", False),
        ("p7", 2, "a > b", False),
        ("p8", 1, "a", False),
        ("p8", 2, "b", False),
    ]
    options = JourneyOptions(collapse_repeats=collapse, top_paths=4, top_variants=10)
    journeys = build_journeys(events(rows), local_map(), options)
    local = local_journeys(journeys, options)
    assert local is not None
    expected = _ibis(journeys, local_map(), options)
    _assert_same(_local(local, options), expected)
    found = {r["variant"]: r["length"] for r in expected["variants"].to_pylist()}
    assert found["x"] == 2  # p3: a missing touchpoint, then x


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_positions_restart_at_each_path_empty_ones_included(seed: int) -> None:
    from journeymap.engine._local_paths import _Paths

    rng = np.random.default_rng(seed)
    for _trial in range(100):
        lengths = rng.integers(0, 5, size=int(rng.integers(1, 30)))  # 0: a path dropped whole
        offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        codes = np.zeros(int(offsets[-1]), dtype=np.int16)
        paths = _Paths((None,), codes, offsets, np.zeros(len(lengths), dtype=bool))
        expected = np.arange(len(codes)) - np.repeat(offsets[:-1], lengths)
        assert paths.position.tolist() == expected.tolist()
