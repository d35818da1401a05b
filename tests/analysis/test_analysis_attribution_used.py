"""The removal effects beside the credits come from the same model, and the summary says
which parameters that model actually ran with (settings and defaults filled in)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from journeymap.analysis import analyze
from journeymap.cli.app import app
from journeymap.mapfile import save_map
from journeymap.model import JourneyMap

ORDER_2 = {
    "JOURNEYMAP_ATTRIBUTION_MARKOV_ORDER": "2",
    "JOURNEYMAP_ATTRIBUTION_LOOKBACK": "14d",
    "JOURNEYMAP_ATTRIBUTION_HALF_LIFE": "2d",
}


@pytest.fixture
def analyze_shop(
    shop_map: JourneyMap,
    shop_events: pa.Table,
    tmp_path: Path,
    fill_workspace: Callable[[Path, pa.Table], Path],
) -> list[str]:
    db = fill_workspace(tmp_path / "ws.duckdb", shop_events.drop_columns(["country"]))
    save_map(shop_map, tmp_path / "shop.yaml")
    arguments = ["analyze", "--map", str(tmp_path / "shop.yaml"), "--db", str(db)]
    return [*arguments, "--out", str(tmp_path / "out")]


def written(out: Path) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The summary of analysis.json and the rows of markov_removal_effects.parquet."""
    summary = json.loads((out / "analysis.json").read_text(encoding="utf-8"))["summary"]
    return summary, pq.read_table(out / "markov_removal_effects.parquet").to_pylist()


def test_removal_effects_are_those_of_the_settings_order_and_lookback(
    analyze_shop: list[str],
    tmp_path: Path,
    shop_map: JourneyMap,
    shop_events: pa.Table,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = CliRunner().invoke(app, analyze_shop, env=ORDER_2)
    assert result.exit_code == 0, result.output
    summary, effects = written(tmp_path / "out")
    # Both collapse variants of the order-2 chain, the one the credits used first.
    assert [(r["order"], r["collapse_repeats"]) for r in effects[:1]] == [(2, True)]
    assert {(r["order"], r["collapse_repeats"]) for r in effects} == {(2, True), (2, False)}
    for name, value in ORDER_2.items():
        monkeypatch.setenv(name, value)
    with analyze(shop_map, shop_events) as analysis:
        for collapse in (True, False):
            chain = analysis.attribution(
                model="markov", order=2, lookback="14d", collapse_repeats=collapse
            )
            rows = chain.table.to_pylist()
            expected = {r["key"]: r["removal_effect"] for r in rows}
            got = {
                r["touchpoint"]: r["removal_effect"]
                for r in effects
                if r["collapse_repeats"] is collapse
            }
            assert got == pytest.approx(expected)
    used = summary["attribution_used"]
    assert used == {
        "lookback": "14d",
        "conversion_touch": True,
        "half_life": "2d",
        "u_weights": [0.4, 0.2, 0.4],
        "direct_touchpoints": ["direct"],
        "custom_weights": None,
        "lead_phases": ["consideration"],
        "decision_phases": ["purchase"],  # the shop map has no "decision": its third phase
        "order": 2,
        "collapse_repeats": True,
        "shapley_cap": 15,
        "shapley_method": "auto",
        "worth": "conversions",
        "samples": 2000,
        "seed": 0,
        "by_account": False,
    }
    assert summary["attribution_parameters"] == {}  # nothing was given explicitly


def test_at_order_one_one_collapse_variant_is_kept(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    """At order 1 a repeat is a self-loop, which never changes where a journey ends."""
    with analyze(shop_map, shop_events) as analysis:
        effects = analysis.table("markov_removal_effects").to_pylist()
        assert {(r["order"], r["collapse_repeats"]) for r in effects} == {(1, True)}
        used = analysis.summary["attribution_used"]
        assert (used["order"], used["lookback"], used["half_life"]) == (1, None, "7d")
    with analyze(shop_map, shop_events, attribution={"collapse_repeats": False}) as analysis:
        effects = analysis.table("markov_removal_effects").to_pylist()
        assert {(r["order"], r["collapse_repeats"]) for r in effects} == {(1, False)}


def test_the_parameters_used_can_be_given_back(shop_map: JourneyMap, shop_events: pa.Table) -> None:
    given = {"order": 2, "u_weights": "0.3,0.4,0.3", "custom_weights": [0.5, 0.5]}
    with analyze(shop_map, shop_events, attribution=given) as first:
        used = first.summary["attribution_used"]
        credits = first.table("attribution")
    assert used["u_weights"] == [0.3, 0.4, 0.3] and used["custom_weights"] == [0.5, 0.5]
    with analyze(shop_map, shop_events, attribution=used) as again:
        assert again.summary["attribution_used"] == used
        assert again.table("attribution").equals(credits)


def test_analyze_takes_the_model_options_of_attribute(
    analyze_shop: list[str], tmp_path: Path
) -> None:
    options = [
        "--order",
        "2",
        "--no-collapse",
        "--lookback",
        "14d",
        "--half-life",
        "2d",
        "--u-weights",
        "0.3,0.4,0.3",
        "--custom-weights",
        "0.6,0.4",
        "--direct",
        "ad",
        "--lead-phases",
        "consideration",
        "--decision-phases",
        "purchase",
    ]
    result = CliRunner().invoke(app, [*analyze_shop, *options])
    assert result.exit_code == 0, result.output
    summary, effects = written(tmp_path / "out")
    used = summary["attribution_used"]
    assert (used["order"], used["collapse_repeats"], used["lookback"]) == (2, False, "14d")
    assert (used["half_life"], used["u_weights"], used["custom_weights"]) == (
        "2d",
        [0.3, 0.4, 0.3],
        [0.6, 0.4],
    )
    assert used["direct_touchpoints"] == ["ad"]
    assert effects[0]["order"] == 2 and effects[0]["collapse_repeats"] is False
    models = set(pq.read_table(tmp_path / "out" / "attribution.parquet")["model"].to_pylist())
    assert "custom" in models  # its weights given, the custom model runs too
    # A mistake is said as the command line writes the option.
    wrong = CliRunner().invoke(app, [*analyze_shop, "--u-weights", "0.5,0.5,0.5"])
    assert wrong.exit_code == 2
    assert "sum to 1.5, not 1" in wrong.output
    assert "--u-weights 0.3334,0.3333,0.3333" in wrong.output
    typo = CliRunner().invoke(app, [*analyze_shop, "--lead-phases", "consideraton"])
    assert typo.exit_code == 2 and "did you mean 'consideration'" in typo.output


def test_shapley_samples_are_checked_before_the_work(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    from journeymap.errors import UsageError

    with pytest.raises(UsageError, match="Shapley sampling needs at least 2 samples"):
        analyze(shop_map, shop_events, attribution={"shapley_method": "sampling", "samples": 0})
