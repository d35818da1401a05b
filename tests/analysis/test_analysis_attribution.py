"""analyze() adds attribution tables once journeymap.attribution provides its API."""

from __future__ import annotations

import pyarrow as pa
import pytest

from journeymap.analysis import analyze
from journeymap.errors import UsageError
from journeymap.model import JourneyMap


def test_attribution_tables_for_every_level(shop_map: JourneyMap, shop_events: pa.Table) -> None:
    analysis = analyze(shop_map, shop_events)
    table = analysis.table("attribution")
    assert {"model", "level", "key", "conversions", "value", "share"} <= set(table.column_names)
    assert set(table.column("level").to_pylist()) == {"touchpoint", "channel", "phase"}
    effects = analysis.table("markov_removal_effects")
    assert set(effects.column_names) == {
        "order",
        "collapse_repeats",
        "touchpoint",
        "removal_effect",
    }
    result = analysis.attribution(model="linear", level="touchpoint")
    credited = sum(result.table.column("conversions").to_pylist())
    assert credited == pytest.approx(analysis.summary["conversions"])
    # Every level and model above read one set of segments, computed once.
    assert len(analysis.segment_cache()._prepared) == 1
    again = analysis.attribution(model="linear", level="touchpoint")
    assert again.table.equals(result.table)
    assert len(analysis.segment_cache()._prepared) == 1
    analysis.attribution(model="first_touch", lookback="1d")
    assert len(analysis.segment_cache()._prepared) == 2


def test_model_parameters_reach_every_attribution_table(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    """Both purchases are ``buy`` events: with them, last touch credits buy for itself."""
    kept = analyze(shop_map, shop_events)
    assert kept.summary["conversion_touchpoints"] == [{"touchpoint": "buy", "conversions": 2}]
    assert kept.summary["attribution_parameters"] == {}

    def last_touch(analysis: object) -> dict[str, float]:
        rows = analysis.table("attribution").to_pylist()  # type: ignore[attr-defined]
        return {
            r["key"]: r["conversions"]
            for r in rows
            if r["model"] == "last_touch" and r["level"] == "touchpoint" and r["conversions"]
        }

    assert last_touch(kept) == {"buy": 2.0}
    left_out = analyze(shop_map, shop_events, attribution={"conversion_touch": "no"})
    assert last_touch(left_out) == {"checkout": 2.0}
    assert left_out.summary["attribution_parameters"] == {"conversion_touch": "false"}
    effects = {
        r["touchpoint"]: r["removal_effect"]
        for r in left_out.table("markov_removal_effects").to_pylist()
        if r["collapse_repeats"]
    }
    assert effects.get("buy", 0.0) == pytest.approx(0.0)
    assert effects["checkout"] == pytest.approx(1.0)


def test_attribution_parameters_are_checked_before_the_work(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    with pytest.raises(UsageError, match=r"'conversion_tuch'; did you mean 'conversion_touch'"):
        analyze(shop_map, shop_events, attribution={"conversion_tuch": False})
    with pytest.raises(UsageError, match="attribution takes True, False or a mapping"):
        analyze(shop_map, shop_events, attribution="markov")


def test_attribution_afterwards_starts_from_the_analysis_parameters(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    analysis = analyze(shop_map, shop_events, attribution={"conversion_touch": False})
    credit = analysis.attribution(model="last_touch").table.to_pylist()
    assert {r["key"]: r["conversions"] for r in credit if r["conversions"]} == {"checkout": 2.0}
    again = analysis.attribution(model="last_touch", conversion_touch=True).table.to_pylist()
    assert {r["key"]: r["conversions"] for r in again if r["conversions"]} == {"buy": 2.0}
