from __future__ import annotations

import re
from html import unescape
from typing import Any

import pyarrow as pa

from journeymap.i18n import format_percent
from journeymap.model import JourneyMap
from journeymap.render import render_report_html
from journeymap.render.charts import model_name

Pair = tuple[dict[str, pa.Table], dict[str, Any]]


def _models(pair: Pair) -> list[str]:
    """The names the chart shows for the pair's attribution models."""
    return sorted({model_name(m) for m in pair[0]["attribution"].column("model").to_pylist()})


def _attribution_chart(html: str) -> str:
    start = html.index('id="chart-attribution"')
    return html[start : html.index("</figure>", start)]


CELL = re.compile(
    r'<path aria-label="model: ([^;]+); touchpoint: ([^;]+); Share of conversions: [^"]+"'
    r'[^>]*fill="rgb\((\d+), (\d+), (\d+)\)"'
)
LABEL = re.compile(
    r'<text aria-label="model: ([^;]+); touchpoint: ([^;]+); label: [^"]+"[^>]*>([^<]*)'
)


def test_attribution_heatmap_has_a_labelled_cell_per_model_and_touchpoint(
    example_map: JourneyMap, every_model_attribution: Pair
) -> None:
    # 13 models x 24 touchpoints as grouped bars gave each bar about 3 px; a cell holds its
    # number at any count.
    html = render_report_html(example_map, every_model_attribution)
    chart = _attribution_chart(html)
    models = _models(every_model_attribution)
    touchpoints = {tp.name for tp in example_map.touchpoints}
    cells = {(m, t): (int(r), int(g), int(b)) for m, t, r, g, b in CELL.findall(chart)}
    assert {m for m, _ in cells} == set(models) and len(models) == 13
    assert {t for _, t in cells} == touchpoints and len(cells) == 13 * len(touchpoints)
    labels = {(m, t): unescape(text) for m, t, text in LABEL.findall(chart)}
    assert set(labels) == set(cells)
    shares = {
        (model_name(r["model"]), names[r["key"]]): r["share"]
        for r in every_model_attribution[0]["attribution"].to_pylist()
        for names in [{tp.id: tp.name for tp in example_map.touchpoints}]
    }
    for cell, share in shares.items():
        assert labels[cell] == format_percent(share), (cell, labels[cell])
    # A larger share is a darker cell.
    ordered = sorted(cells, key=shares.__getitem__)
    assert sum(cells[ordered[0]]) > sum(cells[ordered[-1]])
    for model in models:
        assert f">{model}</text>" in chart  # the column labels
    # Participation does not add up to 100 %: the caption says so.
    assert 'class="note">Participation: the share of conversions a touchpoint took part in' in html


def test_attribution_heatmap_of_13_models_stays_within_a_page_height(
    example_map: JourneyMap, every_model_attribution: Pair
) -> None:
    chart = _attribution_chart(render_report_html(example_map, every_model_attribution))
    height = float(re.search(r'<svg [^>]*height="([\d.]+)"', chart).group(1))  # type: ignore[union-attr]
    assert height < 1000  # an A3 landscape page less margins is about 1,030 px


def test_small_and_zero_credits_read_apart_and_zero_is_white() -> None:
    from journeymap.render.charts import chart_specs, render_chart_svg
    from journeymap.render.measured import measured_from

    shares = {"a": 0.4, "b": 0.004, "c": 0.0004, "d": 0.0}
    rows = [
        {"model": "linear", "level": "touchpoint", "key": k, "conversions": v, "share": v}
        for k, v in shares.items()
    ]
    measured = measured_from(({"attribution": pa.Table.from_pylist(rows)}, {}))
    assert measured is not None
    chart = render_chart_svg(chart_specs(measured, {})["attribution"])
    labels = {t: unescape(text) for _, t, text in LABEL.findall(chart)}
    assert labels == {"a": "40%", "b": "0.4%", "c": "< 0.1%", "d": "0%"}
    fills = {t: rgb for _, t, *rgb in CELL.findall(chart)}
    assert fills["d"] == ["255", "255", "255"] and fills["a"] != fills["d"]
    assert "Participation" not in chart  # no participation, no note


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
