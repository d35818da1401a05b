"""The map SVG taken apart for its print pages: phase headers, lanes and their cards.

:func:`_take_apart` reads a map drawn by :func:`~journeymap.render.map_svg.render_map_svg`
into boxes with their place in the drawing; :mod:`journeymap.render._map_bands` cuts them
into bands of phase columns and :mod:`journeymap.render.map_pages` lays those out on pages.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from journeymap.errors import RenderError
from journeymap.render.layout import FONT_SIZE

_G, _RECT, _TEXT, _TSPAN = "g", "rect", "text", "tspan"


@dataclass
class _Card:
    """A drawn box of a lane (or a phase header): where it is in the map SVG, and the group."""

    top: float
    height: float
    element: ET.Element

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass
class _Placed:
    """An element on a page: shifted right by ``dx``, its ``origin`` y at the row's top."""

    element: ET.Element
    dx: float
    origin: float


@dataclass
class _Row:
    height: float
    placed: list[_Placed]


@dataclass
class _Lane:
    """One lane within a band of phase columns, ready to be cut into rows."""

    top: float
    label: _Card | None
    label_height: float
    columns: list[list[_Card]]
    dx: float
    fixed: _Row | None = None
    """A lane drawn as one piece (the emotion curve, the legend): never split."""

    def height(self, columns: list[list[_Card]], origins: list[float]) -> float:
        stacked = [
            cards[-1].bottom - origin
            for cards, origin in zip(columns, origins, strict=True)
            if cards
        ]
        return max([self.label_height, *stacked])

    def row(self, columns: list[list[_Card]], origins: list[float]) -> _Row:
        height = self.height(columns, origins)
        placed = []
        if self.label is not None:
            # The label box spans the row, its text at the top (repeated on a continuation).
            label = copy.deepcopy(self.label.element)
            rect = label.find(_RECT)
            if rect is not None:
                rect.set("height", f"{height:.1f}")
            placed.append(_Placed(label, 0.0, self.label.top))
        for cards, origin in zip(columns, origins, strict=True):
            placed.extend(_Placed(card.element, self.dx, origin) for card in cards)
        return _Row(height, placed)


@dataclass
class _MapParts:
    """The map SVG taken apart: phase headers, lanes with their cards, the drawn extras."""

    root: ET.Element
    headers: list[_Card]
    header_lefts: list[float]
    lanes: list[tuple[_Card, list[list[_Card]]]]
    emotion: ET.Element | None
    legend: ET.Element | None
    legend_top: float
    height: float
    smallest_font: float


def _rect(group: ET.Element) -> tuple[float, float, float, float]:
    """``x, y, width, height`` of a box group's rectangle."""
    rect = group.find(_RECT)
    if rect is None:
        raise RenderError("A box of the map SVG has no rectangle")
    x, y, width, height = (float(rect.get(key, "0")) for key in ("x", "y", "width", "height"))
    return x, y, width, height


def _classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def _take_apart(svg: str) -> _MapParts | None:
    """The parts of a map SVG of :func:`render_map_svg` (``None`` for a map without phases)."""
    root = ET.fromstring(svg)
    for element in root.iter():
        # Plain tag names: the pages are written back with one xmlns on their root.
        element.tag = element.tag.rsplit("}", 1)[-1]
    headers: list[tuple[float, _Card]] = []
    labels: list[_Card] = []
    cards: list[tuple[str, float, _Card]] = []
    emotion = legend = None
    legend_top = float(root.get("height", "0"))
    for child in root:
        classes = _classes(child)
        if "jm-box" in classes:
            x, y, _, height = _rect(child)
            card = _Card(y, height, child)
            if "jm-header" in classes:
                headers.append((x, card))
            elif "jm-label" in classes:
                labels.append(card)
            else:
                cards.append((child.get("data-lane", ""), x, card))
        elif "jm-emotion" in classes:
            emotion = child
        elif "jm-ended-legend" in classes:
            legend = child
            legend_top = float(child.get("transform", "").rstrip(")").split()[-1])
        # The title is the report's own heading; the background is drawn per page.
    if not headers:
        return None
    headers.sort(key=lambda pair: pair[0])
    lefts = [x for x, _ in headers]
    lanes = []
    for label in sorted(labels, key=lambda card: card.top):
        lane = label.element.get("data-lane", "")
        columns: list[list[_Card]] = [[] for _ in lefts]
        for card_lane, x, card in cards:
            if card_lane == lane:
                columns[min(range(len(lefts)), key=lambda i: abs(lefts[i] - x))].append(card)
        lanes.append((label, [sorted(column, key=lambda card: card.top) for column in columns]))
    sizes = [float(e.get("font-size", "inf")) for e in root.iter() if e.get("font-size")]
    return _MapParts(
        root,
        [card for _, card in headers],
        lefts,
        lanes,
        emotion,
        legend,
        legend_top,
        float(root.get("height", "0")),
        min(sizes, default=FONT_SIZE),
    )
