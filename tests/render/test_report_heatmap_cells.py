"""The attribution heatmap's cells hold their shares: "< 0,1 %" ran into the next cell.

A Danish report's heatmap wrote ``< 0,1 %`` and ``> 99,9 %`` in 10 px, wider than the 44 px
cell: the labels ran into each other and into the axis (``Trafiktype 16 -< 0,1 % < 0,1 %``).
"""

from __future__ import annotations

import html
import re

import pyarrow as pa
import pytest
from PIL import ImageFont

from journeymap.render.charts import chart_specs, render_chart_svg
from journeymap.render.measured import measured_from

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MODELS = ("first_touch", "last_touch", "linear", "markov", "shapley", "time_decay")
SHARES = {"search": 0.9996, "blog": 0.0003, "print": 0.42, "radio": 0.006}
CELL = re.compile(r'<path aria-label="[^"]*"[^>]*d="M[\d.]+,[\d.]+h([\d.]+)v[\d.]+h-[\d.]+Z"')
LABEL = re.compile(
    r'<text aria-label="[^"]*; (?:label|etiket|Beschriftung): ([^"]*)"[^>]*font-size="([\d.]+)px"'
)


@pytest.mark.parametrize("language", ["en", "da", "de"])
def test_every_cells_share_fits_its_cell(language: str) -> None:
    rows = [
        {"model": model, "level": "touchpoint", "key": key, "conversions": 1.0}
        | {"value": None, "share": share}
        for model in MODELS
        for key, share in SHARES.items()
    ]
    measured = measured_from(({"attribution": pa.Table.from_pylist(rows)}, {}))
    svg = render_chart_svg(chart_specs(measured, {}, language)["attribution"], language)
    widths = {float(width) for width in CELL.findall(svg)}
    assert len(widths) == 1, widths
    cell = widths.pop()
    labels = [(html.unescape(text), float(size)) for text, size in LABEL.findall(svg)]
    assert len(labels) == len(MODELS) * len(SHARES)
    texts = {text for text, _ in labels}
    assert any(text.startswith("< ") for text in texts) and any(t.startswith("> ") for t in texts)
    for text, size in labels:
        width = ImageFont.truetype(FONT, round(size * 10)).getlength(text) / 10
        assert width <= cell - 4, (text, size, width, cell)
    # The short shares keep their 10 px.
    assert {size for text, size in labels if len(text) <= 5} == {10.0}
