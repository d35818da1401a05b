"""Phase funnel in each ordering mode, with window expiry, strict reset and breakdown."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pyarrow as pa
import pytest

from engine_events import events
from journeymap.engine import funnel as funnel_module
from journeymap.engine.dropoff import checkout_abandonment
from journeymap.engine.funnel import (
    funnel_counts,
    funnel_levels,
    phase_funnel,
    sequence_levels,
    touchpoint_funnel,
)
from journeymap.engine.journeys import JourneyOptions, build_journeys
from journeymap.errors import UsageError
from journeymap.model import JourneyMap, Touchpoint

DAY = 24.0

# p1: awareness, consideration, purchase (+ conversion)         ordered 3, any 3, strict 3
# p2: consideration before awareness, then purchase            ordered 1, any 3, strict 1
# p3: awareness twice, an unmapped event, consideration        ordered 2, any 2, strict 1
# p4: consideration 40 days after awareness (window 30 days)   ordered 1, any 1, strict 1
# p5: awareness, awareness again 40 days later, consideration  ordered 2, any 2, strict 2
#     (the second awareness and the consideration lie in one window: any reaches what ordered
#     reaches; the first occurrences alone, 41 days apart, gave 1)
ROWS: list[tuple[Any, ...]] = [
    ("p1", 0, "ad", False, None, "anna"),
    ("p1", 1, "reviews", False, None, "anna"),
    ("p1", 2, "checkout", False, None, "anna"),
    ("p1", 3, "buy", True, None, "anna"),
    ("p2", 0, "reviews", False, None, "bob"),
    ("p2", 1, "ad", False, None, "bob"),
    ("p2", 2, "checkout", False, None, "bob"),
    ("p3", 0, "ad", False, None, "anna"),
    ("p3", 1, "blog", False, None, "anna"),
    ("p3", 2, "unknown-page", False, None, "anna"),
    ("p3", 3, "reviews", False, None, "anna"),
    ("p4", 0, "ad", False, None, "bob"),
    ("p4", 40 * DAY, "reviews", False, None, "bob"),
    ("p5", 0, "ad", False, None, "bob"),
    ("p5", 40 * DAY, "ad", False, None, "bob"),
    ("p5", 41 * DAY, "reviews", False, None, "bob"),
]


def _funnel(shop_map: JourneyMap, **options: Any) -> list[dict[str, Any]]:
    opts = JourneyOptions(**options)
    journeys = build_journeys(events(ROWS), shop_map, opts)
    return phase_funnel(journeys, shop_map, opts).to_pylist()


@pytest.mark.parametrize(
    ("ordering", "reached"),
    [("ordered", [5, 3, 1]), ("any", [5, 4, 2]), ("strict", [5, 2, 1])],
)
def test_reached_per_ordering_mode(shop_map: JourneyMap, ordering: str, reached: list[int]) -> None:
    rows = _funnel(shop_map, ordering=ordering, conversion_window="30d")
    assert [row["reached"] for row in rows] == reached
    assert [row["phase"] for row in rows] == ["awareness", "consideration", "purchase"]


def test_ordered_counts_moved_on_converted_dropped(shop_map: JourneyMap) -> None:
    rows = _funnel(shop_map, ordering="ordered", conversion_window="30d")
    assert [r["moved_on"] for r in rows] == [3, 1, 0]
    assert [r["converted"] for r in rows] == [1, 1, 1]
    assert [r["dropped"] for r in rows] == [2, 2, 0]
    assert rows[1]["reach_rate"] == pytest.approx(3 / 5)
    assert rows[2]["step_rate"] == pytest.approx(1 / 3)
    assert rows[0]["dropoff_rate"] == pytest.approx(2 / 5)
    assert rows[0]["phase_name"] == "Awareness"


def test_without_window_late_steps_count(shop_map: JourneyMap) -> None:
    rows = _funnel(shop_map, ordering="ordered", conversion_window=None)
    # p4 now reaches consideration 40 days after awareness.
    assert [r["reached"] for r in rows] == [5, 4, 1]


def test_strict_resets_on_another_event(shop_map: JourneyMap) -> None:
    strict = _funnel(shop_map, ordering="strict", conversion_window=None)
    ordered = _funnel(shop_map, ordering="ordered", conversion_window=None)
    # p3's unmapped page between awareness and consideration breaks the strict chain.
    assert strict[1]["reached"] == ordered[1]["reached"] - 1


def test_breakdown_by_persona_and_raw_column(shop_map: JourneyMap) -> None:
    rows = _funnel(shop_map, ordering="ordered", conversion_window="30d", breakdown=["persona"])
    by = {(r["persona"], r["phase"]): r["reached"] for r in rows}
    assert [r["breakdown"] for r in rows[:3]] == [None, None, None]  # the totals come first
    assert {r["breakdown"] for r in rows[3:]} == {"persona"}
    assert by[(None, "awareness")] == 5
    assert by[("anna", "awareness")] == 2
    assert by[("anna", "consideration")] == 2
    assert by[("bob", "consideration")] == 1
    assert by[("bob", "purchase")] == 0


def test_breakdown_by_kept_source_column(shop_map: JourneyMap) -> None:
    table = events(
        [("p1", 0, "ad"), ("p1", 1, "reviews"), ("p2", 0, "ad")],
        country=["DK", "DK", "DE"],
    )
    opts = JourneyOptions(breakdown=["country"])
    rows = phase_funnel(build_journeys(table, shop_map, opts), shop_map, opts).to_pylist()
    by = {(r["country"], r["phase"]): r["reached"] for r in rows}
    assert by[("DK", "consideration")] == 1
    assert by[("DE", "consideration")] == 0
    assert by[(None, "awareness")] == 2


def test_touchpoint_funnel_over_a_given_sequence(shop_map: JourneyMap) -> None:
    opts = JourneyOptions(funnel_touchpoints=["ad", "reviews", "checkout"])
    journeys = build_journeys(events(ROWS), shop_map, opts)
    rows = touchpoint_funnel(journeys, shop_map, opts).to_pylist()
    assert [r["touchpoint"] for r in rows] == ["ad", "reviews", "checkout"]
    assert [r["phase"] for r in rows] == ["awareness", "consideration", "purchase"]
    # ad: all 5; reviews after ad within 30 days: p1, p3, p5; checkout after that: p1.
    assert [r["reached"] for r in rows] == [5, 3, 1]


def _random_rows(seed: int, persons: int) -> list[tuple[Any, ...]]:
    """Journeys of 1-8 random events over 0-3 days, some longer than a one-day window."""
    rng = random.Random(seed)
    pages = ["ad", "blog", "reviews", "checkout", "unknown-page"]
    rows: list[tuple[Any, ...]] = []
    for person in range(persons):
        hours = 0.0
        for _ in range(rng.randint(1, 8)):
            hours += rng.choice([0.5, 2.0, 7.0, 20.0])
            rows.append((f"p{person}", hours, rng.choice(pages)))
    return rows


@pytest.mark.parametrize("ordering", ["ordered", "strict", "any"])
@pytest.mark.parametrize("window", ["1d", None])
def test_levels_by_sequence_equal_the_exact_window_funnel(
    shop_map: JourneyMap, ordering: str, window: str | None
) -> None:
    # Journeys inside the window are counted from their distinct step sequences, the others
    # by the exact window-funnel; both must agree with the exact funnel run on every journey.
    opts = JourneyOptions(ordering=ordering, conversion_window=window)
    journeys = build_journeys(events(_random_rows(7, 300)), shop_map, opts)
    steps = ["ad", "reviews", "checkout"]
    fast = funnel_counts(journeys, "touchpoint", steps, opts).to_pylist()
    got = {(row["level"], row["converted"]): row["journeys"] for row in fast}
    exact = funnel_levels(journeys, "touchpoint", steps, opts).to_pyarrow().to_pylist()
    expected = Counter(row["level"] for row in exact)
    expected[0] += 300 - len(exact)  # journeys without any step have no row in the exact one
    assert {level: n for (level, _), n in got.items()} == {k: v for k, v in expected.items() if v}
    assert sum(got.values()) == 300
    assert len(expected) >= 3  # the random journeys reach several levels


@pytest.mark.parametrize("ordering", ["ordered", "strict"])
def test_sequences_read_in_small_batches_count_the_same(
    shop_map: JourneyMap, ordering: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The distinct sequences stream from the engine in batches; counts summed over batches of
    # seven must equal those of one batch, per level, outcome and breakdown value.
    rows = _random_rows(11, 400)
    table = events(rows, country=["DK" if i % 3 else "DE" for i in range(len(rows))])
    opts = JourneyOptions(ordering=ordering, conversion_window=None, breakdown=["country"])
    journeys = build_journeys(table, shop_map, opts)
    steps = ["ad", "blog", "reviews", "checkout"]

    def counts() -> dict[tuple[Any, ...], int]:
        found = funnel_counts(journeys, "touchpoint", steps, opts).to_pylist()
        return {(r["level"], r["converted"], r["country"]): r["journeys"] for r in found}

    whole = counts()
    batched = funnel_module.record_batches
    sizes: list[int] = []

    def small(expr: Any, rows: int = 0) -> Any:
        for batch in batched(expr, 7):
            sizes.append(batch.num_rows)
            yield batch

    monkeypatch.setattr(funnel_module, "record_batches", small)
    assert counts() == whole
    assert len(sizes) > 10 and max(sizes) == 7
    assert sum(whole.values()) == 400 and len(whole) > 6


def test_any_ordering_with_many_steps(shop_map: JourneyMap) -> None:
    # Sixteen steps, most never met: the first three decide; a funnel this long once built
    # SQL that doubled with every step.
    unmet = [f"step-{i}" for i in range(13)]
    steps = ["ad", "reviews", "checkout", *unmet]
    more = [Touchpoint(id=name, name=name, phases=["purchase"]) for name in unmet]
    longer = shop_map.model_copy(update={"touchpoints": [*shop_map.touchpoints, *more]})
    opts = JourneyOptions(ordering="any", funnel_touchpoints=steps)
    journeys = build_journeys(events(ROWS), longer, opts)
    rows = touchpoint_funnel(journeys, longer, opts).to_pylist()
    # reviews within 30 days of an ad: p1, p2, p3 and p5 (its second ad); checkout as well:
    # p1, p2.
    assert [r["reached"] for r in rows[:4]] == [5, 4, 2, 0]


def test_sequence_levels_per_ordering() -> None:
    sequences = pa.array([[1, 3, 2, 3], [2, 1], [1, 1, 2, 0, 3], [], None, [1, 2, 3]])
    assert sequence_levels(sequences, 3, "ordered").tolist() == [3, 1, 3, 0, 0, 3]
    assert sequence_levels(sequences, 3, "strict").tolist() == [1, 1, 2, 0, 0, 3]


def test_ordered_levels_equal_a_greedy_walk_over_each_sequence() -> None:
    # The vectorised search against the plain definition: walk each sequence, taking step k
    # at its first occurrence after step k - 1 (greedy matching is optimal).
    rng = random.Random(5)
    sequences = [[rng.randint(0, 6) for _ in range(rng.randint(0, 12))] for _ in range(3000)]

    def walk(sequence: list[int]) -> int:
        level = 0
        for value in sequence:
            if value == level + 1:
                level += 1
        return min(level, 5)

    found = sequence_levels(pa.array(sequences, pa.list_(pa.int64())), 5, "ordered")
    assert found.tolist() == [walk(sequence) for sequence in sequences]
    assert {0, 5} <= set(found.tolist())


def test_funnel_steps_and_checkout_come_from_the_settings_too(
    shop_map: JourneyMap, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project file or the environment can fix them for every analysis."""
    monkeypatch.setenv("JOURNEYMAP_FUNNEL_TOUCHPOINTS", "ad, reviews")
    monkeypatch.setenv("JOURNEYMAP_DROPOFF_CHECKOUT", "buy")
    opts = JourneyOptions.from_settings()
    assert (opts.funnel_touchpoints, opts.checkout_touchpoints) == (["ad", "reviews"], ["buy"])
    journeys = build_journeys(events(ROWS), shop_map, opts)
    rows = touchpoint_funnel(journeys, shop_map, opts).to_pylist()
    assert [r["touchpoint"] for r in rows] == ["ad", "reviews"]
    monkeypatch.setenv("JOURNEYMAP_DROPOFF_CHECKOUT", "bye")
    with pytest.raises(UsageError, match="checkout touchpoint 'bye' is not a touchpoint"):
        checkout_abandonment(journeys, shop_map, JourneyOptions.from_settings())
