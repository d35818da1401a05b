"""Outcome touchpoints (``outcome: true``) take no credit in any model, at any level.

BPIC 2012's Markov model credited its declined and approved states; a CRM's "won" and
"lost" are no touches either. Taking the outcomes out must amount to the same journeys
without their outcome touches, the conversion moved onto the touch before an outcome
conversion; a conversion whose only touch is the outcome keeps its own (as
``conversion_touch=False`` keeps a conversion with nothing before it), so every conversion is
still credited.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from attribution_journeys import journeys_table

from journeymap.attribution import MODELS, attribute, compare_models, from_paths
from journeymap.attribution._aggregate import prepare
from journeymap.model import JourneyMap, Phase, Touchpoint

PHASES = {
    "ad": "awareness",
    "mail": "awareness",
    "web": "consideration",
    "demo": "consideration",
    "approved": "decision",
    "registered": "decision",
    "declined": "decision",
}
CHANNELS = {"ad": "paid", "mail": "owned", "web": "owned", "demo": "sales"}
OUTCOMES = {"approved", "registered", "declined"}
# The last touch of a converting journey is its conversion event.
PATHS = [
    (["ad", "web", "approved"], True, 100.0),
    (["mail", "registered", "demo", "approved"], True, 40.0),
    (["approved"], True, 20.0),  # only the outcome: keeps its own touch
    (["ad", "web", "declined"], False, 0.0),
    (["demo", "declined", "mail"], False, 0.0),
    (["declined"], False, 0.0),  # no touch at all: left out
]
# The same journeys as they must be credited: outcomes out, the conversion on the touch
# before an outcome conversion.
EXPECTED_PATHS = [
    (["ad", "web"], True, 100.0),
    (["mail", "demo"], True, 40.0),
    (["approved"], True, 20.0),
    (["ad", "web"], False, 0.0),
    (["demo", "mail"], False, 0.0),
]
TIMELESS = [m for m in MODELS if m != "time_decay"]  # ages move with the conversion
CUSTOM = (0.5, 0.3, 0.2)


def _map(declared: bool = True) -> JourneyMap:
    phases = list(dict.fromkeys(PHASES.values()))
    return JourneyMap(
        id="loans",
        name="Loans",
        phases=[Phase(id=p, name=p, order=i) for i, p in enumerate(phases, start=1)],
        touchpoints=[
            Touchpoint(
                id=t,
                name=t,
                channel=CHANNELS.get(t, "decision"),
                phases=[p],
                outcome=declared and t in OUTCOMES,
            )
            for t, p in PHASES.items()
        ],
    )


def _credits(table: pa.Table) -> dict[tuple[str, str], tuple[float, float]]:
    return {(r["model"], r["key"]): (r["conversions"], r["value"]) for r in table.to_pylist()}


@pytest.mark.parametrize("level", ["touchpoint", "channel", "phase", "persona"])
def test_every_model_credits_the_journeys_without_their_outcomes(level: str) -> None:
    found = _credits(
        compare_models(
            journeys_table(PATHS, phases=PHASES),
            _map(),
            level=level,
            models=TIMELESS,
            custom_weights=CUSTOM,
        )
    )
    expected = _credits(
        compare_models(
            journeys_table(EXPECTED_PATHS, phases=PHASES),
            _map(),
            level=level,
            models=TIMELESS,
            custom_weights=CUSTOM,
        )
    )
    for key, (conversions, value) in expected.items():
        assert found.get(key, (0.0, 0.0)) == pytest.approx((conversions, value), abs=1e-9), key
    assert {key for key, credit in found.items() if credit[0]} == {
        key for key, credit in expected.items() if credit[0]
    }


def test_outcomes_take_no_credit_and_every_conversion_is_still_credited() -> None:
    table = compare_models(
        journeys_table(PATHS, phases=PHASES), _map(), models=list(MODELS), custom_weights=CUSTOM
    )
    for model in MODELS:
        rows = {r["key"]: r for r in table.to_pylist() if r["model"] == model}
        assert "declined" not in rows and "registered" not in rows, model
        # The conversion that is nothing but the approval keeps its own credit: 1 of 3 (Markov
        # shares by removal effects, which tell the approval from the others' paths).
        if model != "markov":
            assert rows["approved"]["conversions"] == pytest.approx(1.0), model
        if model != "participation":  # every key that took part gets 1: no sum to keep
            assert sum(r["conversions"] for r in rows.values()) == pytest.approx(3), model
            assert sum(r["value"] for r in rows.values()) == pytest.approx(160), model
    # Undeclared, the approval is the last touch of every converting journey.
    plain = attribute(journeys_table(PATHS, phases=PHASES), _map(False), model="last_touch")
    assert {r["key"]: r["conversions"] for r in plain.table.to_pylist()}["approved"] == 3


def test_markov_leaves_the_outcomes_out_of_its_chain() -> None:
    result = attribute(journeys_table(PATHS, phases=PHASES), _map(), model="markov")
    assert set(result.extras["markov"].removal_effects) == {"ad", "web", "mail", "demo", "approved"}
    for lookback in (None, "30d"):
        for conversion_touch in (True, False):
            found = attribute(
                journeys_table(PATHS, phases=PHASES),
                _map(),
                model="markov",
                lookback=lookback,
                conversion_touch=conversion_touch,
            )
            keys = {r["key"] for r in found.table.to_pylist()}
            assert not keys & {"declined", "registered"}
            assert sum(r["conversions"] for r in found.table.to_pylist()) == pytest.approx(3)


def test_the_segments_count_the_conversions_that_kept_their_outcome() -> None:
    segments = prepare(journeys_table(PATHS, phases=PHASES), outcomes=tuple(OUTCOMES))
    assert (segments.conversions, segments.value, segments.outcome_alone) == (3, 160, 1)
    rows = segments.table.to_pandas().sort_values(["_g", "i"])
    lengths = rows.groupby("_g")["n"].first().to_dict()
    assert lengths == {"j0": 2, "j1": 2, "j2": 1, "j3": 2, "j4": 2}  # j5, the decline, is gone
    assert rows.groupby("_g")["i"].apply(list).to_dict()["j1"] == [1, 2]


def test_path_data_leave_the_outcomes_out_too() -> None:
    paths = pa.table(
        {
            "path": ["ad > approved", "mail > ad > approved", "approved", "ad > declined"],
            "total_conversions": [3, 2, 1, 0],
            "total_null": [0, 0, 0, 4],
        }
    )
    with from_paths(paths) as data:
        found = compare_models(data, _map(), models=["linear", "last_touch", "markov", "shapley"])
    credit = _credits(found)
    assert credit[("last_touch", "ad")][0] == pytest.approx(5)
    assert credit[("last_touch", "approved")][0] == pytest.approx(1)
    assert credit[("linear", "mail")][0] == pytest.approx(1)
    assert not [key for key in credit if key[1] == "declined"]
    for model in ("linear", "last_touch", "markov", "shapley"):
        total = sum(c for (m, _k), (c, _v) in credit.items() if m == model)
        assert total == pytest.approx(6), model
