"""The drop-off figures' colours and small shares do not mislead.

The user test: the map's drop-off lane ran green to red with no legend, painted a phase nobody
reached bright green "0 (0%)", and 23 of 11,064 journeys (0.2 %) read "0%" in the lane, the
funnel chart and the summary, where they ranked among the biggest drop-offs. The odds-ratio
chart told its directions apart by green and red only.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pyarrow as pa
import pytest

from journeymap.model import JourneyMap
from journeymap.render.charts import chart_specs, render_chart_svg
from journeymap.render.map_svg import ended_here_colour, render_map_svg
from journeymap.render.measured import measured_from
from journeymap.render.report import written_summary

SVG = "{http://www.w3.org/2000/svg}"
Pair = tuple[dict[str, pa.Table], dict[str, Any]]


def _dropoff_boxes(svg: str) -> dict[str, tuple[str, str, str]]:
    """Phase column's left edge order -> (text, fill, tooltip) of the drop-off lane's boxes."""
    root = ET.fromstring(svg)
    boxes = []
    for g in root.iter(f"{SVG}g"):
        if "jm-item" in g.get("class", "").split() and g.get("data-lane") == "dropoff":
            rect = g.find(f"{SVG}rect")
            title = g.find(f"{SVG}title")
            assert rect is not None and title is not None
            text = " ".join("".join(t.itertext()) for t in g.iter(f"{SVG}tspan"))
            boxes.append((float(rect.get("x", "")), text, rect.get("fill", ""), title.text or ""))
    phases = ["awareness", "consideration", "purchase", "loyalty"]
    return {
        phase: (text, fill, tip)
        for phase, (_, text, fill, tip) in zip(phases, sorted(boxes), strict=True)
    }


def _greenish(colour: str) -> bool:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return green > red + 20 and green > blue


def test_a_phase_nobody_reached_is_grey_without_a_rate(
    user_test_map: JourneyMap, user_test_measured: Pair
) -> None:
    text, fill, tip = _dropoff_boxes(render_map_svg(user_test_map, user_test_measured))["loyalty"]
    assert text == "–"
    assert fill == "#e4e4e4"
    assert tip == "No journey reached Loyalty in the funnel: there is no drop-off rate"


def test_the_lane_uses_the_bars_colour_blind_safe_scale_and_small_shares_show(
    user_test_map: JourneyMap, user_test_measured: Pair
) -> None:
    boxes = _dropoff_boxes(render_map_svg(user_test_map, user_test_measured))
    assert boxes["awareness"][0] == "23 (0.2%)"
    assert boxes["consideration"][0] == "9,277 (84%)"
    assert boxes["awareness"][1] == ended_here_colour(23 / 11064)
    assert boxes["consideration"][1] == ended_here_colour(9277 / 11041)
    assert [fill for _, fill, _ in boxes.values() if _greenish(fill)] == []


def test_a_legend_explains_the_lane_and_its_grey(
    user_test_map: JourneyMap, user_test_measured: Pair
) -> None:
    root = ET.fromstring(render_map_svg(user_test_map, user_test_measured))
    [legend] = [g for g in root.iter(f"{SVG}g") if g.get("class") == "jm-ended-legend"]
    words = " ".join(" ".join(t.itertext()) for t in legend.iter(f"{SVG}text"))
    words = re.sub(r"\s+", " ", words)
    assert "Drop-off in the funnel: of the journeys that reached the phase" in words
    assert "grey: no journey reached the phase" in words
    assert "– not reached" in words
    assert [r.get("fill") for r in legend.iter(f"{SVG}rect") if r.get("class") == "jm-not-reached"]


def test_the_funnel_chart_shows_a_small_drop_off_and_no_rate_where_nobody_came(
    user_test_map: JourneyMap, user_test_measured: Pair
) -> None:
    measured = measured_from(user_test_measured)
    assert measured is not None
    svg = render_chart_svg(chart_specs(measured, {}, "en")["funnel"])
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "-0.2%" in labels and "-84%" in labels and "–" in labels
    assert "0%" not in labels


def test_the_summary_writes_small_shares_and_does_not_rank_them_among_the_biggest(
    user_test_map: JourneyMap, user_test_measured: Pair
) -> None:
    measured = measured_from(user_test_measured)
    assert measured is not None
    lines = written_summary(user_test_map, measured)["dropoffs"]
    assert [line.split(" get")[0] for line in lines] == ["9,277 journeys", "500 journeys"]
    assert not any("Awareness" in line for line in lines)
    # Alone, the small drop-off is named, with its share written as "0.2%", not "0%".
    tables, summary = user_test_measured
    rows = tables["phase_funnel"].to_pylist()
    for row in rows[1:]:
        row["dropped"], row["dropoff_rate"] = 0, 0.0
    only_small = measured_from(({**tables, "phase_funnel": pa.Table.from_pylist(rows)}, summary))
    assert only_small is not None
    assert written_summary(user_test_map, only_small)["dropoffs"] == [
        "23 journeys get no further than Awareness in the funnel (0.2% of those that reached it)"
    ]


@pytest.mark.parametrize("language", ["en", "da", "de"])
def test_odds_ratio_directions_are_blue_and_orange(
    user_test_map: JourneyMap, user_test_measured: Pair, language: str
) -> None:
    measured = measured_from(user_test_measured)
    assert measured is not None
    svg = render_chart_svg(chart_specs(measured, {}, language)["correlation"]).lower()
    assert "#0072b2" in svg and "#d55e00" in svg
    assert "#2ca02c" not in svg and "#d62728" not in svg


def test_the_danish_odds_ratio_axis_reads_oddsratio(user_test_measured: Pair) -> None:
    measured = measured_from(user_test_measured)
    assert measured is not None
    svg = render_chart_svg(chart_specs(measured, {}, "da")["correlation"])
    assert "Oddsratio for konvertering" in svg
    assert "Odds ratio" not in svg
