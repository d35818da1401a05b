"""Shapley credits: exact enumeration, the dividend closed form, and the seeded estimate."""

from __future__ import annotations

import pytest
from attribution_journeys import journeys_table

from journeymap.attribution import attribute
from journeymap.attribution.shapley import shapley_values

SETS = [
    (frozenset({"a"}), 3.0),
    (frozenset({"a", "b"}), 4.0),
    (frozenset({"b", "c", "d"}), 6.0),
]


def closed_form() -> dict[str, float]:
    # v(S) = sum of worth(T), T ⊆ S has Harsanyi dividends worth(T): phi_i = sum worth(T)/|T|.
    out: dict[str, float] = {}
    for members, worth in SETS:
        for p in members:
            out[p] = out.get(p, 0.0) + worth / len(members)
    return out


def test_exact_enumeration_equals_the_closed_form() -> None:
    values, errors, exact = shapley_values(SETS)
    assert exact
    assert values == pytest.approx(closed_form(), abs=1e-12)
    assert set(errors.values()) == {0.0}


def test_sampling_beyond_the_cap_is_seeded_and_within_its_error() -> None:
    values, errors, exact = shapley_values(SETS, cap=2, samples=4000, seed=7, method="sampling")
    assert not exact
    assert values == shapley_values(SETS, cap=2, samples=4000, seed=7, method="sampling")[0]
    assert sum(values.values()) == pytest.approx(13.0)
    for key, expected in closed_form().items():
        assert abs(values[key] - expected) <= 5 * errors[key] + 1e-9


def test_shapley_attribution_with_rate_worth_sums_to_conversions() -> None:
    table = journeys_table([(["a", "b"], True, 10.0), (["a", "b"], False, 0.0), (["b"], True, 5.0)])
    result = attribute(table, model="shapley", worth="rate")
    rows = {r["key"]: r for r in result.table.to_pylist()}
    # rate({a,b}) = 0.5 split evenly; rate({b}) = 1 to b -> a 0.25, b 1.25 of 1.5, x 2 conv.
    assert rows["a"]["conversions"] == pytest.approx(2 * 0.25 / 1.5)
    assert rows["b"]["conversions"] == pytest.approx(2 * 1.25 / 1.5)
    assert result.extras["exact"] is True


def test_above_the_cap_the_dividend_form_is_exact_and_equals_enumeration() -> None:
    above, errors, exact = shapley_values(SETS, cap=2)
    assert exact
    assert set(errors.values()) == {0.0}
    assert above == pytest.approx(shapley_values(SETS, method="enumerate")[0], abs=1e-12)


@pytest.mark.parametrize("bitmask_keys", [62, 0])
def test_key_sets_are_the_same_as_bitmasks_or_joined_strings(monkeypatch, bitmask_keys) -> None:
    """Many keys fall back from int64 bitmasks to sorted joined strings; same sets either way."""
    from journeymap.attribution import _aggregate

    monkeypatch.setattr(_aggregate, "BITMASK_KEYS", bitmask_keys)
    paths = [
        (["a", "b", "a"], True, 10.0),
        (["b", "a"], False, 0.0),
        (["c"], True, 5.0),
        (["c", "b", "a"], True, 1.0),
        (["b", "a", "b"], True, 2.0),
    ]
    result = attribute(journeys_table(paths), model="shapley", worth="rate")
    rows = {r["key"]: r["conversions"] for r in result.table.to_pylist()}
    # Worths (conversion rate per distinct set, each a dividend): {a,b} 2/3, {c} 1, {a,b,c} 1.
    phi = {"a": 1 / 3 + 1 / 3, "b": 1 / 3 + 1 / 3, "c": 1 + 1 / 3}
    total = sum(phi.values())
    assert rows == pytest.approx({k: 4 * v / total for k, v in phi.items()})
