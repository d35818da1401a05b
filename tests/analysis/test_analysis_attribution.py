"""analyze() adds attribution tables once journeymap.attribution provides its API."""

from __future__ import annotations

import importlib

import pyarrow as pa
import pytest

from journeymap.analysis import analyze
from journeymap.model import JourneyMap


def _attribution_ready() -> bool:
    module = importlib.import_module("journeymap.attribution")
    return hasattr(module, "compare_models") and hasattr(module, "attribute")


@pytest.mark.skipif(not _attribution_ready(), reason="journeymap.attribution is not built yet")
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
