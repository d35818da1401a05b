"""Heuristic credits on small explicit paths, and the properties every model keeps."""

from __future__ import annotations

import pytest
from attribution_journeys import journeys_table, map_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.attribution import MODELS, attribute
from journeymap.errors import UsageError

PHASES = {"ad": "awareness", "demo": "consideration", "call": "decision", "web": "awareness"}
ONE = [(["ad", "web", "demo", "web", "call"], True, 100.0)]


def credit(model: str, paths: list = ONE, **params: object) -> dict[str, float]:
    result = attribute(journeys_table(paths, phases=PHASES), model=model, **params)
    return {r["key"]: r["conversions"] for r in result.table.to_pylist()}


def test_first_last_and_linear() -> None:
    assert credit("first_touch") == pytest.approx({"ad": 1, "web": 0, "demo": 0, "call": 0})
    assert credit("last_touch")["call"] == pytest.approx(1)
    assert credit("linear") == pytest.approx({"ad": 0.2, "web": 0.4, "demo": 0.2, "call": 0.2})


def test_last_non_direct_skips_the_direct_touchpoints_setting() -> None:
    assert credit("last_non_direct", direct_touchpoints=("call", "web"))["demo"] == 1
    assert credit("last_non_direct", direct_touchpoints=("ad", "web", "demo", "call"))[
        "call"
    ] == pytest.approx(1)


def test_position_shapes() -> None:
    assert credit("position_based") == pytest.approx(
        {"ad": 0.4, "web": 0.2 * 2 / 3, "demo": 0.2 / 3, "call": 0.4}
    )
    assert credit("j_shaped")["call"] == pytest.approx(0.6)
    assert credit("inverse_j")["ad"] == pytest.approx(0.6)
    assert credit("position_based", u_weights=(0.5, 0.0, 0.5))["web"] == pytest.approx(0)


def test_w_shaped_and_full_path_use_the_lead_and_decision_phases() -> None:
    assert credit("w_shaped") == pytest.approx({"ad": 0.3, "demo": 0.3, "call": 0.3, "web": 0.1})
    assert credit("full_path") == pytest.approx(
        {"ad": 0.225, "demo": 0.225, "call": 0.45, "web": 0.1}
    )


GERMAN = {"ad": "bewusstsein", "demo": "erwaegung", "call": "entscheidung", "web": "bewusstsein"}


def test_w_shaped_on_a_map_with_its_own_phase_names_uses_its_second_and_third_phase() -> None:
    """The defaults (consideration, decision) would find no touch and spread their shares."""
    journeys = journeys_table(ONE, phases=GERMAN)
    german = map_of(GERMAN)
    result = attribute(journeys, german, model="w_shaped")
    assert result.params["lead_phases"] == ("erwaegung",)
    assert result.params["decision_phases"] == ("entscheidung",)
    got = {r["key"]: r["conversions"] for r in result.table.to_pylist()}
    assert got == pytest.approx({"ad": 0.3, "demo": 0.3, "call": 0.3, "web": 0.1})
    # Named explicitly, they must be the map's.
    with pytest.raises(UsageError, match=r"lead phases 'erwägung' .*did you mean 'erwaegung'"):
        attribute(journeys, german, model="full_path", lead_phases=["erwägung"])


def test_time_decay_halves_credit_every_half_life() -> None:
    got = credit("time_decay", paths=[(["a", "b"], True, 1.0)], half_life="1d")
    assert got == pytest.approx({"a": 1 / 3, "b": 2 / 3})
    # "0d" and "none" parse as no duration; they used to fall back to 7 days in silence.
    for wrong in ("0d", "none"):
        with pytest.raises(UsageError, match="half-life must be positive"):
            credit("time_decay", paths=[(["a", "b"], True, 1.0)], half_life=wrong)


def test_custom_weights_and_participation() -> None:
    # 3/4, then 1/4 for every later touch: 3 / (3 + 1 + 1 + 1 + 1)
    assert credit("custom", custom_weights=[0.75, 0.25])["ad"] == pytest.approx(3 / 7)
    with pytest.raises(UsageError, match="custom_weights"):
        credit("custom")
    assert credit("participation") == pytest.approx({"ad": 1, "web": 1, "demo": 1, "call": 1})


def test_lookback_drops_old_touches_and_repeat_conversions_count() -> None:
    assert credit("first_touch", lookback="2d")["demo"] == pytest.approx(1)
    table = journeys_table([(["a", "b"], True, 5.0)])
    repeat = table.mutate(conversion=True, value=5.0)
    rows = attribute(repeat, model="linear").table.to_pylist()
    assert {r["key"]: r["conversions"] for r in rows} == {"a": 1.0, "b": 1.0}


def test_levels_channel_phase_persona() -> None:
    from journeymap.model import JourneyMap, Phase, Touchpoint

    jm = JourneyMap(
        id="m",
        name="M",
        phases=[Phase(id="awareness", name="A", order=1)],
        touchpoints=[Touchpoint(id="ad", name="Ad", channel="paid", phases=["awareness"])],
    )
    table = journeys_table(ONE, phases=PHASES)
    by_channel = attribute(table, jm, model="linear", level="channel").table.to_pylist()
    assert {r["key"]: r["conversions"] for r in by_channel} == pytest.approx(
        {"paid": 0.2, "(unmapped)": 0.8}
    )
    by_phase = attribute(table, jm, model="linear", level="phase").table.to_pylist()
    assert {r["key"]: r["share"] for r in by_phase}["awareness"] == pytest.approx(0.6)
    assert attribute(table, model="last_touch", level="persona").table["key"].to_pylist() == [
        "user"
    ]
    with pytest.raises(UsageError, match="unknown attribution level"):
        attribute(table, model="linear", level="nope")


def test_account_level_credits_members_across_journeys() -> None:
    table = journeys_table([(["ad"], False, 0.0), (["web"], False, 0.0), (["call"], True, 9.0)])
    rows = attribute(table, model="linear", level="account").table.to_pylist()
    # a0 = persons p0 and p2: the conversion of p2 is shared with p0's earlier touch.
    assert {r["key"]: r["conversions"] for r in rows} == {"p2": 0.5, "p0": 0.5, "p1": 0.0}


paths_strategy = st.lists(
    st.tuples(
        st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=5),
        st.booleans(),
        st.floats(min_value=0, max_value=100, allow_nan=False),
    ),
    min_size=1,
    max_size=6,
).filter(lambda ps: any(c for _, c, _ in ps))

SUMMING = [m for m in MODELS if m not in {"participation", "custom"}]


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(paths=paths_strategy, seed=st.integers(0, 1000))
def test_every_model_sums_to_totals_and_ignores_row_order(paths: list, seed: int) -> None:
    table = journeys_table(paths)
    shuffled = table.order_by(((table.step * 7919 + seed) % 13, table.journey_id))
    total_c = sum(1 for _, c, _ in paths if c)
    total_v = sum(v for _, c, v in paths if c)
    for model in SUMMING:
        rows = attribute(table, model=model).table.to_pylist()
        assert sum(r["conversions"] for r in rows) == pytest.approx(total_c, abs=1e-9)
        assert sum(r["value"] for r in rows) == pytest.approx(total_v, abs=1e-6)
        assert "e" not in {r["key"] for r in rows}
        again = attribute(shuffled, model=model).table.to_pylist()
        assert {r["key"]: r["conversions"] for r in again} == pytest.approx(
            {r["key"]: r["conversions"] for r in rows}
        )


@pytest.mark.slow
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(touch=st.sampled_from(["a", "b"]), n=st.integers(1, 4))
def test_single_touch_journeys_give_all_credit_to_that_touchpoint(touch: str, n: int) -> None:
    paths = [([touch], True, 2.0)] * n + [(["c", "d"], False, 0.0)]
    for model in SUMMING:
        rows = {
            r["key"]: r for r in attribute(journeys_table(paths), model=model).table.to_pylist()
        }
        assert rows[touch]["conversions"] == pytest.approx(n)
        assert rows[touch]["value"] == pytest.approx(2.0 * n)
        assert rows["c"]["conversions"] == pytest.approx(0.0)


def reference_credit(model: str, paths: list, phases: dict[str, str]) -> dict[str, float]:
    """Each model's definition in plain Python, one conversion at a time."""
    shares = {"position_based": (0.4, 0.2, 0.4), "j_shaped": (0.2, 0.2, 0.6)}
    shares["inverse_j"] = (0.6, 0.2, 0.2)
    out: dict[str, float] = {}
    for touches, converted, _ in paths:
        if not converted:
            continue
        n = len(touches)
        if model in shares:
            first, middle, last = shares[model]
            raw = [first * (i == 0) + last * (i == n - 1) for i in range(n)]
            raw = [r + (middle / (n - 2) if 0 < i < n - 1 else 0) for i, r in enumerate(raw)]
        elif model in {"w_shaped", "full_path"}:
            lead = next((i for i, t in enumerate(touches) if phases[t] == "consideration"), None)
            decision = next((i for i, t in enumerate(touches) if phases[t] == "decision"), None)
            keys = [0, lead, decision] + ([n - 1] if model == "full_path" else [])
            share = 0.3 if model == "w_shaped" else 0.225
            raw = [share * sum(1 for k in keys if k == i) for i in range(n)]
            others = [i for i in range(n) if i not in keys]
            raw = [r + (0.1 / len(others) if i in others else 0) for i, r in enumerate(raw)]
        elif model == "custom":
            raw = [[3.0, 1.0, 0.5][min(i, 2)] for i in range(n)]
        else:  # last non-direct, "web" being direct
            target = max((i for i, t in enumerate(touches) if t != "web"), default=n - 1)
            raw = [float(i == target) for i in range(n)]
        for touch, weight in zip(touches, raw, strict=True):
            out[touch] = out.get(touch, 0.0) + weight / sum(raw)
    return out


@pytest.mark.slow
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    paths=st.lists(
        st.tuples(
            st.lists(st.sampled_from(["ad", "web", "demo", "call"]), min_size=1, max_size=7),
            st.booleans(),
            st.just(1.0),
        ),
        min_size=1,
        max_size=8,
    ).filter(lambda ps: any(c for _, c, _ in ps))
)
def test_positional_models_equal_their_definition(paths: list) -> None:
    from journeymap.attribution import compare_models

    models = ["position_based", "j_shaped", "inverse_j", "w_shaped", "full_path", "custom"]
    models.append("last_non_direct")
    # A direct touchpoint the journeys lack is refused (a misspelling): "web" only with "web".
    direct = {"direct_touchpoints": ["web"]} if any("web" in t for t, _, _ in paths) else {}
    table = compare_models(
        journeys_table(paths, phases=PHASES),
        models=models,
        custom_weights=[3.0 / 4.5, 1.0 / 4.5, 0.5 / 4.5],  # 3, 1, 0.5 summing to 1
        **direct,
    )
    for model in models:
        got = {r["key"]: r["conversions"] for r in table.to_pylist() if r["model"] == model}
        expected = reference_credit(model, paths, PHASES)
        assert {k: v for k, v in got.items() if v} == pytest.approx(
            {k: v for k, v in expected.items() if v}, abs=1e-9
        ), model


def test_keys_with_equal_credit_keep_one_order_whatever_the_last_bits() -> None:
    """The engine sums floats in no fixed order: 0.30000000000000004 against 0.3 flipped
    the order of two keys with the same credit from one run to the next."""
    from journeymap.attribution._result import _table

    rows = {"b": (0.30000000000000004, 1.0), "a": (0.3, 1.0), "c": (0.5, 0.0)}
    assert _table("touchpoint", rows, 1.1, {}).column("key").to_pylist() == ["c", "a", "b"]
