"""The odds-ratio chart says what it measures and greys out what has no direction.

A Danish reader took "Sammenhæng med frafald" (drop-off correlation) with "positiv" for a link
with dropping off, and every point was blue or orange, even an interval from 0.3 to 12.
"""

from __future__ import annotations

import pyarrow as pa

from journeymap.render.charts import chart_specs, render_chart_svg
from journeymap.render.measured import measured_from


def _svg(language: str) -> str:
    rows = [
        {
            "touchpoint": "a",
            "odds_ratio": 2.5,
            "ci_low": 1.6,
            "ci_high": 3.9,
            "direction": "positive",
        },
        {
            "touchpoint": "b",
            "odds_ratio": 0.4,
            "ci_low": 0.2,
            "ci_high": 0.7,
            "direction": "negative",
        },
        {"touchpoint": "c", "odds_ratio": 1.9, "ci_low": 0.3, "ci_high": 12.0, "direction": "none"},
    ]
    measured = measured_from(({"correlation": pa.Table.from_pylist(rows)}, {}))
    names = {"a": "Search ads", "b": "Blog", "c": "Print"}
    spec = chart_specs(measured, names, language)["correlation"]
    return render_chart_svg(spec, language)


def test_points_without_a_clear_direction_are_grey_and_named_so() -> None:
    svg = _svg("en")
    assert "no clear direction" in svg
    assert "#999999" in svg and "#0072b2" in svg and "#d55e00" in svg


def test_the_chart_is_titled_by_converting_in_danish() -> None:
    svg = _svg("da")
    assert "ingen klar retning" in svg
    assert "frafald" not in svg.lower()
