"""One band of the map's phase columns for a print page: its header row and its lanes.

A map wider than a page is cut into bands of whole phase columns
(:func:`~journeymap.render.map_pages.map_print_pages`); each band repeats the lane labels,
keeps the cards of its columns, the part of the emotion curve above them and the legend of
the cards' bars, wrapped anew to the band's width.
"""

from __future__ import annotations

import copy
import itertools
import xml.etree.ElementTree as ET

from journeymap.render._map_parts import (
    _G,
    _RECT,
    _TEXT,
    _TSPAN,
    _classes,
    _Lane,
    _MapParts,
    _Placed,
    _Row,
)
from journeymap.render.layout import (
    CHAR_WIDTH_EM,
    FONT_SIZE,
    GUTTER,
    LINE_HEIGHT,
    PADDING,
    wrap_text,
)


def _clip_polyline(points: str, low: float, high: float) -> str:
    """The part of a left-to-right polyline between ``low`` and ``high`` (x)."""
    pairs: list[tuple[float, float]] = []
    for point in points.split():
        x, y = point.split(",")
        pairs.append((float(x), float(y)))
    kept: list[tuple[float, float]] = []
    for (x1, y1), (x2, y2) in itertools.pairwise(pairs):
        for edge in (low, high):
            if min(x1, x2) < edge < max(x1, x2):
                kept.append((edge, y1 + (y2 - y1) * (edge - x1) / (x2 - x1)))
        if low <= x2 <= high:
            kept.append((x2, y2))
    if pairs and low <= pairs[0][0] <= high:
        kept.insert(0, pairs[0])
    kept.sort(key=lambda point: point[0])
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in kept)


def _x_of(group: ET.Element) -> float | None:
    """Where a drawn group of the emotion lane stands: the x of its first shape."""
    for element in group.iter():
        if element.tag == _RECT:
            return float(element.get("x", "0"))
        if element.tag == "circle":
            return float(element.get("cx", "0"))
        if element.tag == "line":
            return float(element.get("x1", "0"))
        if element.tag == "path":
            return float(element.get("d", "M0,0")[1:].split(",")[0])
    return None


def _emotion_parts(
    emotion: ET.Element, label_right: float, low: float, high: float, dx: float, top: float
) -> list[_Placed]:
    """The emotion lane within one band: curves and grid clipped to it, the legend kept.

    A point, a touchpoint's diamond and a label (with the line to its point) go to the band
    of the phase column they stand in.
    """
    fixed = ET.Element(_G, emotion.attrib)
    moved = ET.Element(_G, emotion.attrib)
    for child in emotion:
        tag = child.tag
        if tag == "line":
            x1 = max(float(child.get("x1", "0")), low)
            x2 = min(float(child.get("x2", "0")), high)
            if x1 < x2:
                line = copy.deepcopy(child)
                line.set("x1", f"{x1:.1f}")
                line.set("x2", f"{x2:.1f}")
                moved.append(line)
        elif tag == "polyline":
            points = _clip_polyline(child.get("points", ""), low, high)
            if points:
                curve = copy.deepcopy(child)
                curve.set("points", points)
                moved.append(curve)
        elif tag == "circle":
            if low <= float(child.get("cx", "0")) <= high:
                moved.append(child)
        elif tag == _G and "jm-legend" not in _classes(child):
            x = _x_of(child)
            if x is not None and low <= x <= high:
                moved.append(child)
        else:  # axis ticks and legend entries: left of the columns, on every band
            anchor = child if tag == _TEXT else child.find(_RECT)
            if anchor is not None and float(anchor.get("x", "0")) < label_right:
                fixed.append(child)
    return [_Placed(fixed, 0.0, top), _Placed(moved, dx, top)]


def _legend_row(legend: ET.Element, height: float, width: float) -> _Row:
    """The legend of the cards' bars, its sentence wrapped anew to the page's width."""
    legend = copy.deepcopy(legend)
    legend.attrib.pop("transform", None)
    children = list(legend)
    sentence = children[0] if children and children[0].tag == _TEXT else None
    if sentence is None or not len(sentence):
        return _Row(height, [_Placed(legend, 0.0, 0.0)])
    spans = list(sentence)
    x, first_y = spans[0].get("x", "0"), float(spans[0].get("y", "0"))
    step = float(spans[1].get("y", "0")) - first_y if len(spans) > 1 else LINE_HEIGHT
    text = " ".join(span.text or "" for span in spans)
    font = float(sentence.get("font-size", "11"))
    lines = wrap_text(text, width - 2 * float(x), font)
    for span in spans:
        sentence.remove(span)
    for index, line in enumerate(lines):
        span = ET.SubElement(sentence, _TSPAN, {"x": x, "y": f"{first_y + index * step:.1f}"})
        span.text = line
        span.tail = " "
    shift = (len(lines) - len(spans)) * step
    for child in children[1:]:
        for key in ("y", "y1", "y2"):
            if child.get(key) is not None:
                child.set(key, f"{float(child.get(key, '0')) + shift:.1f}")
    return _Row(height + shift, [_Placed(legend, 0.0, 0.0)])


def _legend_width(legend: ET.Element) -> float:
    """How far right the legend's swatches and their labels reach."""
    right = 0.0
    for element in legend.iter():
        x = float(element.get("x", "0"))
        if element.tag == _RECT:
            right = max(right, x + float(element.get("width", "0")))
        elif element.tag == _TEXT and element.get("x") is not None:
            size = float(element.get("font-size", str(FONT_SIZE)))
            right = max(right, x + len("".join(element.itertext())) * size * CHAR_WIDTH_EM)
    return right + GUTTER


def _band_lanes(parts: _MapParts, band: range, width: float) -> tuple[_Row, list[_Lane]]:
    """The header row and the lanes of one band of phase columns."""
    lefts = parts.header_lefts
    label_right = lefts[0]
    dx = label_right - lefts[band.start]
    low = lefts[band.start]
    high = low + width - label_right
    headers = [parts.headers[i] for i in band]
    header = _Row(
        max(card.height for card in headers),
        [_Placed(card.element, dx, card.top) for card in headers],
    )
    lanes = []
    for label, columns in parts.lanes:
        lines = len(label.element.findall(f"{_TEXT}/{_TSPAN}"))
        lane = _Lane(
            label.top, label, lines * LINE_HEIGHT + 2 * PADDING, [columns[i] for i in band], dx
        )
        if label.element.get("data-lane") == "emotion" and parts.emotion is not None:
            drawing = _emotion_parts(parts.emotion, label_right, low, high, dx, label.top)
            lane.fixed = _Row(label.height, [_Placed(label.element, 0.0, label.top), *drawing])
        lanes.append(lane)
    if parts.legend is not None:
        row = _legend_row(parts.legend, parts.height - parts.legend_top, width)
        lanes.append(_Lane(0.0, None, 0.0, [], 0.0, fixed=row))
    return header, lanes
