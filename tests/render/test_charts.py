from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from journeymap.model import JourneyMap
from journeymap.render import render_report_html

Pair = tuple[dict[str, pa.Table], dict[str, Any]]


def _models(pair: Pair) -> list[str]:
    """The names the chart shows for the pair's attribution models."""
    from journeymap.render.charts import model_name

    return sorted({model_name(m) for m in pair[0]["attribution"].column("model").to_pylist()})


def _attribution_chart(html: str) -> str:
    start = html.index('id="chart-attribution"')
    return html[start : html.index("</figure>", start)]


def test_every_attribution_model_has_its_own_colour(
    example_map: JourneyMap, every_model_attribution: Pair
) -> None:
    chart = _attribution_chart(render_report_html(example_map, every_model_attribution))
    fills: dict[str, set[str]] = {}
    for model, fill in re.findall(r'aria-label="[^"]*; model: ([^"]+)"[^>]*fill="(#\w+)"', chart):
        fills.setdefault(model, set()).add(fill)
    models = _models(every_model_attribution)
    assert len(models) == 13 and sorted(fills) == models
    assert all(len(colours) == 1 for colours in fills.values())
    colour_of = {model: colours.pop() for model, colours in fills.items()}
    assert len(set(colour_of.values())) == len(models), colour_of
    # the legend shows the same colour as the bars, one swatch per model
    legend = re.findall(
        r'role-legend-symbol"[^>]*><path [^>]*fill="(#\w+)"[^<]*/></g>'
        r'<g class="mark-text role-legend-label"[^>]*><text [^>]*>([^<]+)</text>',
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


def _histogram_chart(longest_seconds: float, moved: bool = True) -> dict[str, Any] | None:
    """The time-to-convert chart of a four-bin histogram up to ``longest_seconds``."""
    from journeymap.render.charts import chart_specs
    from journeymap.render.measured import measured_from

    width = longest_seconds / 4
    rows = [
        {
            "bin_start_seconds": b * width,
            "bin_end_seconds": (b + 1) * width,
            "journeys": (3 if b == 0 else int(moved)),
        }
        for b in range(4)
    ]
    tables = {"time_to_convert_histogram": pa.Table.from_pylist(rows)}
    measured = measured_from((tables, {}))
    assert measured is not None
    return chart_specs(measured, {}).get("time_to_convert")


def test_time_to_convert_axis_uses_a_unit_the_times_span() -> None:
    # The axis was always in days: conversions within minutes were drawn on 0-0.00012.
    minutes = _histogram_chart(40 * 60)
    assert minutes is not None
    assert minutes["encoding"]["x"]["title"] == "Minutes"
    assert max(d["to"] for d in minutes["data"]["values"]) == 40
    days = _histogram_chart(10 * 86400)
    assert days is not None and days["encoding"]["x"]["title"] == "Days"
    # Every conversion at its journey's first moment (a constant timestamp): no chart.
    assert _histogram_chart(4.0, moved=False) is None
