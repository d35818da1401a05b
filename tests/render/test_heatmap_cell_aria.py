"""A screen reader reads a heatmap cell's share as the cell prints it, never rounded to 0 or all.

Vega worded each cell's ARIA label with the colour field's number format (``.1~%``), so a
share of 99.96 % was read "100%" and one of 0.04 % "0%", while the cell printed "> 99.9%"
and "< 0.1%"; and the colour legend, ending at the largest share, read "values from 0% to
100%" for a scale that ended at 99.96 %.
"""

from __future__ import annotations

import html
import re

import pyarrow as pa
import pytest

from journeymap.render.charts import chart_specs, render_chart_svg
from journeymap.render.measured import measured_from

SHARES = {"a": 0.9996, "b": 0.0004, "c": 0.5, "d": 0.0}


def _heatmap_svg(language: str) -> str:
    rows = [
        {"model": "linear", "level": "touchpoint", "key": key, "conversions": share, "share": share}
        for key, share in SHARES.items()
    ]
    measured = measured_from(({"attribution": pa.Table.from_pylist(rows)}, {}))
    assert measured is not None
    return render_chart_svg(chart_specs(measured, {}, language)["attribution"], language)


@pytest.mark.parametrize(
    ("language", "cell", "expected"),
    [
        (
            "en",
            "model: Linear; touchpoint: {key}; Share of conversions: ",
            {"a": "> 99.9%", "b": "< 0.1%", "c": "50%", "d": "0%"},
        ),
        (
            "da",
            "Model: Lineær; Touchpoint: {key}; Andel af konverteringer: ",
            {"a": "> 99,9\xa0%", "b": "< 0,1\xa0%", "c": "50\xa0%", "d": "0\xa0%"},
        ),
    ],
)
def test_a_cells_share_is_read_as_printed(
    language: str, cell: str, expected: dict[str, str]
) -> None:
    labels = [
        html.unescape(v) for v in re.findall(r'<path aria-label="([^"]*)"', _heatmap_svg(language))
    ]
    read = {}
    for key in SHARES:
        prefix = cell.format(key=key)
        (label,) = [v for v in labels if v.startswith(prefix)]
        read[key] = label.removeprefix(prefix)
    assert read == expected


def test_the_colour_legends_end_label_is_the_scales_end() -> None:
    # The legend labels the scale's end in whole percents: ending at 99.96 %, it read "100%".
    svg = _heatmap_svg("en")
    (legend,) = [html.unescape(v) for v in re.findall(r'aria-label="(Gradient legend[^"]*)"', svg)]
    assert legend.endswith("with values from 0% to 100%")
    for largest, end in ((0.9996, 1.0), (0.4321, 0.44), (0.4, 0.4)):
        rows = [
            {
                "model": "linear",
                "level": "touchpoint",
                "key": "a",
                "conversions": 1,
                "share": largest,
            }
        ]
        measured = measured_from(({"attribution": pa.Table.from_pylist(rows)}, {}))
        assert measured is not None
        spec = chart_specs(measured, {})["attribution"]
        assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == [0, end]
