"""Touchpoint funnel steps that are "any of" several touchpoints (``a|b``, or a list).

The real check is BPI Challenge 2012 (van Dongen, 2012; 4TU.ResearchData): a loan
application is accepted or declined, one step ``A_ACCEPTED|A_DECLINED``; the expected counts
are walked here in plain Python over the raw XES, independent of the engine.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis
import pytest

from bpic_log import Case, log_path, raw_cases
from engine_events import events, one_phase_map
from journeymap.analysis import analyze
from journeymap.engine.funnel import funnel_counts, funnel_levels, touchpoint_funnel
from journeymap.engine.journeys import JourneyOptions, build_journeys
from journeymap.errors import UsageError
from journeymap.model import JourneyMap

DAY = 24.0

# p1: ad, reviews, checkout              p2: blog, reviews, checkout
# p3: reviews, blog, checkout            p4: blog, then checkout (no reviews)
# p5: blog, ad, reviews (two first-step alternatives in a row)
ROWS: list[tuple[Any, ...]] = [
    ("p1", 0, "ad"),
    ("p1", 1, "reviews"),
    ("p1", 2, "checkout"),
    ("p2", 0, "blog"),
    ("p2", 1, "reviews"),
    ("p2", 2, "checkout"),
    ("p3", 0, "reviews"),
    ("p3", 1, "blog"),
    ("p3", 2, "checkout"),
    ("p4", 0, "blog"),
    ("p4", 1, "checkout"),
    ("p5", 0, "blog"),
    ("p5", 1, "ad"),
    ("p5", 2, "reviews"),
]


def _funnel(journey_map: JourneyMap, steps: list[Any], **options: Any) -> list[dict[str, Any]]:
    opts = JourneyOptions(funnel_touchpoints=steps, **options)
    journeys = build_journeys(events(ROWS), journey_map, opts)
    return touchpoint_funnel(journeys, journey_map, opts).to_pylist()


@pytest.mark.parametrize(
    ("ordering", "reached"),
    [
        # ordered: ad or blog, then reviews (p1, p2, p5; p3's blog comes after its reviews),
        # then checkout (p1, p2).
        ("ordered", [5, 3, 2]),
        # any: all three in the window, in any order: p1, p2, p3.
        ("any", [5, 4, 3]),
        # strict: back to back; p5's blog then ad is a repeat of step 1, and keeps the chain.
        ("strict", [5, 3, 2]),
    ],
)
def test_a_step_is_reached_by_any_of_its_touchpoints(
    shop_map: JourneyMap, ordering: str, reached: list[int]
) -> None:
    rows = _funnel(shop_map, ["ad|blog", "reviews", "checkout"], ordering=ordering)
    assert [r["reached"] for r in rows] == reached
    assert [r["touchpoint"] for r in rows] == ["ad|blog", "reviews", "checkout"]
    assert [r["touchpoint_name"] for r in rows] == ["Ad or Blog", "Reviews", "Checkout"]
    assert [r["phase"] for r in rows] == ["awareness", "consideration", "purchase"]


def test_without_the_alternative_the_step_counts_fewer(shop_map: JourneyMap) -> None:
    # The same funnel with the single touchpoint ad: only p1 and p5 start it.
    rows = _funnel(shop_map, ["ad", "reviews", "checkout"])
    assert [r["reached"] for r in rows] == [2, 2, 1]


def test_alternatives_as_a_python_list_count_the_same(shop_map: JourneyMap) -> None:
    as_list = _funnel(shop_map, [["ad", "blog"], "reviews", "checkout"])
    as_text = _funnel(shop_map, ["ad | blog", "reviews", "checkout"])
    assert [r["reached"] for r in as_list] == [r["reached"] for r in as_text] == [5, 3, 2]
    assert as_list[0]["touchpoint"] == "ad|blog"


def test_the_step_is_named_in_the_map_language(shop_map: JourneyMap) -> None:
    danish = shop_map.model_copy(update={"language": "da"})
    rows = _funnel(danish, ["ad|blog|reviews", "checkout|buy"])
    assert [r["touchpoint_name"] for r in rows] == ["Ad, Blog eller Reviews", "Checkout eller Buy"]
    german = shop_map.model_copy(update={"language": "de"})
    assert _funnel(german, ["ad|blog"])[0]["touchpoint_name"] == "Ad oder Blog"


def test_a_step_s_phase_is_the_earliest_of_its_touchpoints(shop_map: JourneyMap) -> None:
    rows = _funnel(shop_map, ["checkout|reviews"])
    assert rows[0]["phase"] == "consideration"


def test_the_steps_come_from_the_settings_too(
    shop_map: JourneyMap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNEYMAP_FUNNEL_TOUCHPOINTS", "ad|blog, reviews")
    opts = JourneyOptions.from_settings()
    journeys = build_journeys(events(ROWS), shop_map, opts)
    rows = touchpoint_funnel(journeys, shop_map, opts).to_pylist()
    assert [(r["touchpoint"], r["reached"]) for r in rows] == [("ad|blog", 5), ("reviews", 3)]


@pytest.mark.parametrize("ordering", ["ordered", "strict", "any"])
@pytest.mark.parametrize("window", ["1d", None])
def test_alternatives_count_the_same_by_sequence_and_by_the_exact_window_funnel(
    shop_map: JourneyMap, ordering: str, window: str | None
) -> None:
    # Journeys inside the window are counted from their step sequences (numpy), longer ones
    # by the window-funnel in the engine: both must read an alternative as its step.
    rng = random.Random(3)
    rows: list[tuple[Any, ...]] = []
    for person in range(300):
        hours = 0.0
        for _ in range(rng.randint(1, 8)):
            hours += rng.choice([0.5, 2.0, 7.0, 20.0])
            rows.append((f"p{person}", hours, rng.choice(["ad", "blog", "reviews", "checkout"])))
    opts = JourneyOptions(ordering=ordering, conversion_window=window)
    journeys = build_journeys(events(rows), shop_map, opts)
    steps: list[str | tuple[str, ...]] = [("ad", "blog"), "reviews", "checkout"]
    fast = funnel_counts(journeys, "touchpoint", steps, opts).to_pylist()
    got = Counter()
    for row in fast:
        got[row["level"]] += row["journeys"]
    exact = Counter(row["level"] for row in funnel_levels(journeys, "touchpoint", steps, opts)
                    .to_pyarrow().to_pylist())  # fmt: skip
    exact[0] += 300 - sum(exact.values())
    assert +got == +exact
    assert len(+exact) >= 3


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (
            ["ad|reveiws", "checkout"],
            "'reveiws' in the funnel step 'ad|reveiws' is not a touchpoint of the map; did you "
            "mean 'reviews'?",
        ),
        (["ad|", "checkout"], "the funnel step 'ad|' has an empty alternative"),
        (
            ["ad|blog", "reviews|blog"],
            "the touchpoint 'blog' is in funnel steps 1 and 2; a touchpoint can be one step only",
        ),
        # A touchpoint twice read the funnel as 0 from step 1 on (the later step won).
        (["ad", "reviews", "ad"], "the touchpoint 'ad' is in funnel steps 1 and 3"),
        ([["ad", 3]], "the funnel step ['ad', 3] is no touchpoint id"),
    ],
)
def test_a_wrong_step_is_said(shop_map: JourneyMap, steps: list[Any], message: str) -> None:
    with pytest.raises(UsageError) as raised:
        _funnel(shop_map, steps)
    assert message in str(raised.value)


# ---- BPI Challenge 2012: accepted or declined -----------------------------------------------

ACTIVITIES = [
    "A_SUBMITTED",
    "A_PARTLYSUBMITTED",
    "A_PREACCEPTED",
    "A_ACCEPTED",
    "A_DECLINED",
    "A_CANCELLED",
    "A_APPROVED",
]
STEPS = ["A_SUBMITTED", "A_PARTLYSUBMITTED", "A_PREACCEPTED", "A_ACCEPTED|A_DECLINED"]
LOAN_MAP = one_phase_map(
    ACTIVITIES, ids=("bpic2012", "application"), names=("Loan application", "Application")
)


def _numbers(case: Case, steps: Sequence[str]) -> list[int]:
    """The case's events as step numbers (0: no step), each alternative its step's number."""
    number = {name: k for k, step in enumerate(steps, 1) for name in step.split("|")}
    return [number.get(name, 0) for _, name in case]


def _ordered(numbers: list[int]) -> int:
    level = 0
    for k in numbers:
        if k == level + 1:
            level = k
    return level


def _any(numbers: list[int], count: int) -> int:
    present = set(numbers)
    return max((k for k in range(count + 1) if set(range(1, k + 1)) <= present), default=0)


def _strict(numbers: list[int]) -> int:
    level, chain_start, previous = 0, 0, None
    for k in numbers:
        if previous is None or not (k > 0 and k in (previous, previous + 1)):
            chain_start = k
        if chain_start == 1 and k > 0:
            level = max(level, k)
        previous = k
    return level


@pytest.fixture(scope="module")
def loans(bpic2012_events: ibis.Table, datasets: Path) -> tuple[ibis.Table, list[Case]]:
    """The log imported once per session (every COMPLETE event has a touchpoint, so keeping
    unmatched rows changes nothing) and, independently, the raw cases."""
    return bpic2012_events, raw_cases(log_path(datasets))


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated")
@pytest.mark.parametrize("ordering", ["ordered", "any", "strict"])
def test_accepted_or_declined_matches_the_raw_log(
    loans: tuple[ibis.Table, list[Case]], ordering: str
) -> None:
    found, cases = loans
    walk = {
        "ordered": _ordered,
        "any": lambda numbers: _any(numbers, len(STEPS)),
        "strict": _strict,
    }[ordering]
    levels = [walk(_numbers(case, STEPS)) for case in cases]
    expected = [sum(level >= k for level in levels) for k in range(1, len(STEPS) + 1)]
    analysis = analyze(
        LOAN_MAP,
        found,
        ordering=ordering,
        conversion_window=None,
        after_conversion="continue",
        attribution=False,
        funnel_touchpoints=STEPS,
    )
    funnel = analysis.table("touchpoint_funnel").to_pylist()
    assert [row["reached"] for row in funnel] == expected
    assert funnel[3]["touchpoint_name"] == "A_ACCEPTED or A_DECLINED"
    assert expected[0] == 13_087  # every application is submitted
    # Declined applications reach the last step too: more than the accepted alone.
    accepted = sum(walk(_numbers(case, [*STEPS[:3], "A_ACCEPTED"])) == 4 for case in cases)
    assert expected[3] > accepted > 0
