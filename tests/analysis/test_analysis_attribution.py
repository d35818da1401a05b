"""analyze() adds attribution tables once journeymap.attribution provides its API."""

from __future__ import annotations

import pyarrow as pa
import pytest

from journeymap.analysis import analyze
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
