from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from journeymap.model import JourneyMap
from journeymap.render import render_report_html

Pair = tuple[dict[str, pa.Table], dict[str, Any]]


def _models(pair: Pair) -> list[str]:
    return sorted(set(pair[0]["attribution"].column("model").to_pylist()))


def _attribution_chart(html: str) -> str:
    start = html.index('id="chart-attribution"')
    return html[start : html.index("</figure>", start)]


def test_every_attribution_model_has_its_own_colour(
    example_map: JourneyMap, every_model_attribution: Pair
) -> None:
    chart = _attribution_chart(render_report_html(example_map, every_model_attribution))
    fills: dict[str, set[str]] = {}
    for model, fill in re.findall(r'aria-label="[^"]*; model: (\w+)"[^>]*fill="(#\w+)"', chart):
        fills.setdefault(model, set()).add(fill)
    models = _models(every_model_attribution)
    assert len(models) == 13 and sorted(fills) == models
    assert all(len(colours) == 1 for colours in fills.values())
    colour_of = {model: colours.pop() for model, colours in fills.items()}
    assert len(set(colour_of.values())) == len(models), colour_of
    # the legend shows the same colour as the bars, one swatch per model
    legend = re.findall(
        r'role-legend-symbol"[^>]*><path [^>]*fill="(#\w+)"[^<]*/></g>'
        r'<g class="mark-text role-legend-label"[^>]*><text [^>]*>(\w+)</text>',
        chart,
    )
    assert {model: fill for fill, model in legend} == colour_of


def test_attribution_chart_of_13_models_stays_within_a_page_height(
    example_map: JourneyMap, every_model_attribution: Pair
) -> None:
    chart = _attribution_chart(render_report_html(example_map, every_model_attribution))
    height = float(re.search(r'<svg [^>]*height="([\d.]+)"', chart).group(1))  # type: ignore[union-attr]
    assert height < 1000  # an A3 landscape page less margins is about 1,030 px
    for tp in example_map.touchpoints:
        assert f">{tp.name}</text>" in chart
