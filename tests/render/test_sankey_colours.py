"""The Sankey keeps red and green for its outcomes.

In the bank's Sankey the mobile phone channel, the best converting, was drawn in the red of
"(dropped)", and the landline in the green of "(converted)".
"""

from __future__ import annotations

import colorsys
import re

from journeymap.model.path_nodes import CONVERTED, DROPPED
from journeymap.render.sankey import render_sankey_svg


def _hue(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)[0] * 360


def test_no_touchpoint_takes_an_outcomes_colour() -> None:
    touchpoints = [f"channel-{i}" for i in range(14)]
    rows = [
        {"step": 1, "source": tp, "target": CONVERTED if i % 2 else DROPPED, "journeys": 10 + i}
        for i, tp in enumerate(touchpoints)
    ]
    svg = render_sankey_svg(rows)
    nodes = dict(
        re.findall(r'<g class="jm-sankey-node" data-ref="([^"]+)"[^>]*>.*?fill="(#\w{6})"', svg)
    )
    assert set(touchpoints) <= set(nodes)
    outcome = {nodes[CONVERTED], nodes[DROPPED]}
    assert len(outcome) == 2
    for touchpoint in touchpoints:
        colour = nodes[touchpoint]
        assert colour not in outcome
        hue = _hue(colour)
        assert not (hue < 20 or hue > 340), f"{touchpoint} is red ({colour})"
        assert not 80 < hue < 160, f"{touchpoint} is green ({colour})"
