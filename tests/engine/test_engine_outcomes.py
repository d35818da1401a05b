"""Outcome touchpoints (``outcome: true``) in the measured figures of an analysis.

Found by user testers on BPIC 2012: declined and cancelled applications topped the drop-off
correlation (every declined journey touched "declined"), showed as the drop-off exits, and the
journeys that were rejected counted as "still open" at the data's end. Here six hand-made
journeys say what each figure must read once the map declares its outcomes.
"""

from __future__ import annotations

import pytest

from engine_events import events
from journeymap.analysis import analyze
from journeymap.analysis.notes import measurement_notes
from journeymap.engine import dropoff
from journeymap.engine.journeys import JourneyOptions, build_journeys
from journeymap.model import JourneyMap, Phase, Touchpoint

pytestmark = pytest.mark.filterwarnings(
    r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"
)

OUTCOMES = ["approved", "declined", "cancelled"]

# All within one day: a 30-day window makes every journey that did not convert "recent".
EVENTS = [
    ("p1", 0, "ad"),
    ("p1", 1, "reviews"),
    ("p1", 2, "declined"),
    ("p1", 3, "ad"),  # a work item closed after the decision: not where the journey ended
    ("p2", 0, "ad"),
    ("p2", 1, "approved", True),
    ("p3", 0, "ad"),
    ("p3", 1, "cancelled"),
    ("p4", 0, "declined"),  # the outcome alone: no exit before it
    ("p5", 0, "blog"),  # no outcome: may still be open
    ("p6", 0, "ad"),
    ("p6", 1, "reviews"),
    ("p6", 2, "declined"),
]


def _map(declared: bool = True) -> JourneyMap:
    touches = [("ad", "awareness"), ("blog", "awareness"), ("reviews", "consideration")]
    return JourneyMap(
        id="loans",
        name="Loans",
        phases=[
            Phase(id="awareness", name="Awareness", order=1),
            Phase(id="consideration", name="Consideration", order=2),
            Phase(id="decision", name="Decision", order=3),
        ],
        touchpoints=[
            *(Touchpoint(id=t, name=t.title(), phases=[p]) for t, p in touches),
            *(
                Touchpoint(id=t, name=t.title(), phases=["decision"], outcome=declared)
                for t in OUTCOMES
            ),
        ],
    )


def _analysis(declared: bool = True):  # type: ignore[no-untyped-def]
    return analyze(
        _map(declared),
        events(EVENTS),
        attribution=False,
        conversion_window="30d",
        correlation_min_support=1,
    )


def test_the_exit_is_the_last_touch_before_the_outcome() -> None:
    exits = {
        (row["last_phase"], row["last_touchpoint"]): row["journeys"]
        for row in _analysis().table("dropoff").to_pylist()
    }
    assert exits == {
        ("consideration", "reviews"): 2,  # p1 (not its "ad" after the decline) and p6
        ("awareness", "ad"): 1,  # p3, before it was cancelled
        ("awareness", "blog"): 1,  # p5
        (None, None): 1,  # p4: the decline was its only event
    }
    undeclared = {
        row["last_touchpoint"]: row["journeys"]
        for row in _analysis(declared=False).table("dropoff").to_pylist()
    }
    assert undeclared == {"declined": 2, "ad": 1, "cancelled": 1, "blog": 1}


def test_journeys_are_counted_per_outcome() -> None:
    rows = _analysis().table("outcomes").to_pylist()
    assert [(r["touchpoint"], r["journeys"], r["converted"], r["reached"]) for r in rows] == [
        ("approved", 1, 1, 1),
        ("declined", 3, 0, 3),
        ("cancelled", 1, 0, 1),
        (None, 1, 0, 1),
    ]
    assert [r["share"] for r in rows] == pytest.approx([1 / 6, 3 / 6, 1 / 6, 1 / 6])
    assert _analysis(declared=False).table("outcomes").num_rows == 0


def test_the_first_outcome_is_the_one_a_journey_ended_in() -> None:
    """Approved, then registered in the same journey: ended in "approved", reached both."""
    journey_map = _map().model_copy(deep=True)
    journey_map.touchpoints.append(
        Touchpoint(id="registered", name="Registered", phases=["decision"], outcome=True)
    )
    table = events([("a", 0, "ad"), ("a", 1, "approved"), ("a", 2, "registered"), ("b", 0, "ad")])
    journeys = build_journeys(table, journey_map, JourneyOptions())
    rows = dropoff.outcomes(journeys, ["approved", "registered"]).to_pylist()
    assert [(r["touchpoint"], r["journeys"], r["reached"]) for r in rows] == [
        ("approved", 1, 1),
        ("registered", 0, 1),
        (None, 1, 1),
    ]


def test_outcomes_are_no_drivers_of_the_correlation() -> None:
    found = {row["touchpoint"] for row in _analysis().table("correlation").to_pylist()}
    assert found == {"ad", "reviews", "blog"}
    undeclared = {row["touchpoint"] for row in _analysis(False).table("correlation").to_pylist()}
    assert {"declined", "cancelled"} <= undeclared


def test_a_journey_that_reached_an_outcome_is_not_open() -> None:
    analysis = _analysis()
    found = analysis.summary["open_journeys"]
    assert (found["journeys"], found["ended_in_outcome"]) == (1, 4)  # p5; p1, p3, p4, p6
    assert found["outcomes"] == OUTCOMES
    assert _analysis(declared=False).summary["open_journeys"]["journeys"] == 5
    note = measurement_notes(analysis, _map(), "en")[0]
    assert note.startswith("Note: 1 of 5 journeys that did not convert had events within 30 days")
    assert (
        "Journeys that reached an outcome (approved, declined, cancelled) have ended and are "
        "not counted (4 more within that time)."
    ) in note
    assert "outcome: true" not in note
    danish = measurement_notes(analysis, _map(), "da")[0]
    assert "approved, declined, cancelled" in danish and "(4 " in danish
    # A map that declares no outcome is told how to: every such journey counts as open.
    undeclared = _analysis(declared=False)
    hint = measurement_notes(undeclared, _map(declared=False), "en")[0]
    assert hint.startswith("Note: 5 of 5 journeys that did not convert had events within")
    assert (
        "If some touchpoint ends a journey without a conversion (declined, cancelled, lost), "
        "mark it with outcome: true in the map: journeys that reached it have ended and are "
        "no longer counted here."
    ) in hint
    german = measurement_notes(undeclared, _map(declared=False), "de")[0]
    assert "sind beendet und werden hier nicht mehr mitgezählt." in german


def test_the_outcome_note_suggests_declaring_the_map_touchpoints() -> None:
    """Undeclared, "declined" and "cancelled" read as never converting: mark them outcomes."""
    rows = []
    for number in range(30):
        person = f"q{number}"
        ending = ["approved", "declined", "cancelled"][number % 3]
        rows += [
            (person, 0, "ad"),
            (person, 1, "reviews"),
            (person, 2, ending, ending == "approved"),
        ]
    many = events(rows)

    def notes(declared: bool) -> list[str]:
        analysis = analyze(_map(declared), many, attribution=False, conversion_window="30d")
        return measurement_notes(analysis, _map(declared), "en")

    never = next(note for note in notes(False) if note.startswith("Note: no journey that met"))
    assert never.endswith(
        "If cancelled, declined are outcomes, mark them in the map with outcome: true: the "
        "drop-off, the correlation and the attribution then treat them as end states, not "
        "touches."
    )
    # Declared, they are neither named nor suggested again.
    assert not [note for note in notes(True) if "declined" in note]
