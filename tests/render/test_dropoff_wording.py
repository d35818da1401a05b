"""The funnel's drop-off and the exit touchpoints are worded so that they cannot be misread.

The user test: the report said "9,277 journeys end in phase Consideration" (the phase funnel)
next to "10,390 journeys stop after Product pages" (the last touchpoint of every journey that
did not convert), and Product pages is a Consideration touchpoint: read as a contradiction.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pyarrow as pa

from journeymap.analysis import Analysis
from journeymap.cli.analyze_cmd import print_summary
from journeymap.cli.app import console
from journeymap.model import JourneyMap
from journeymap.render import render_report_html
from journeymap.render.map_svg import render_map_svg

SVG = "{http://www.w3.org/2000/svg}"
Pair = tuple[dict[str, pa.Table], dict[str, Any]]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_summary_names_each_count_for_what_it_is(
    user_test_map: JourneyMap, user_test_measured: Pair
) -> None:
    html = render_report_html(user_test_map, user_test_measured)
    funnel = re.search(r'<ol class="dropoffs">(.*?)</ol>', html, re.S)
    exits = re.search(r'<ol class="exits">(.*?)</ol>', html, re.S)
    assert funnel is not None and exits is not None
    assert (
        _text(funnel.group(1))
        .strip()
        .startswith(
            "9,277 journeys get no further than Consideration in the funnel "
            "(84% of those that reached it)"
        )
    )
    assert (
        _text(exits.group(1))
        .strip()
        .startswith("10,390 journeys that did not convert last touched Product pages (97% of them)")
    )
    text = _text(html)
    assert "In the phase funnel" in text
    assert "Exit touchpoints of the journeys that did not convert" in text
    assert "Two different counts" in text and "They need not add up." in text


def test_the_map_lane_and_the_bars_say_which_drop_off_they_show(
    user_test_map: JourneyMap, user_test_measured: Pair
) -> None:
    root = ET.fromstring(render_map_svg(user_test_map, user_test_measured))
    [label] = [
        g
        for g in root.iter(f"{SVG}g")
        if "jm-label" in g.get("class", "").split() and g.get("data-lane") == "dropoff"
    ]
    assert " ".join("".join(t.itertext()) for t in label.iter(f"{SVG}tspan")) == (
        "Drop-off in the funnel"
    )
    titles = {t.text for t in root.iter(f"{SVG}title")}
    assert (
        "9,277 of the 11,041 journeys that reached Consideration got no further in the funnel "
        "and did not convert (84%)"
    ) in titles
    assert (
        "90% of the 11,500 journeys that touched it did not convert and touched it last "
        "(exit touchpoint)"
    ) in titles


def test_analyze_says_which_drop_off_each_table_counts(example_analysis: Analysis) -> None:
    saved = console._width
    console.width = 200
    try:
        with console.capture() as captured:
            print_summary(example_analysis)
    finally:
        console._width = saved
    text = re.sub(r"\s+", " ", captured.get())
    assert (
        "Drop-off: of the journeys that reached the phase (the furthest they reached in the "
        "map's order), the share that got no further and did not convert."
    ) in text
    assert "Journeys that did not convert, by the touchpoint they touched last (exit " in text
    assert "Not the funnel's drop-off." in text
    assert "Last phase" not in text
