"""The map on print pages: the drawn map cut into A3 landscape pages at a legible scale.

In the PDF the map cannot be one picture: at A3 its texts would shrink to 4-5 pt. It is
drawn at a fixed, legible scale instead (its smallest text at ``MIN_TEXT_PT``) and cut into
A3 landscape pages (:func:`map_print_pages`): by phase columns when the map is wider than the
page, by lanes when it is taller. Every page repeats the phase headers and the lane labels; a
lane taller than a page continues on the next one, each card whole on exactly one page.
"""

from __future__ import annotations

import copy
import itertools
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

from journeymap.errors import RenderError
from journeymap.render.layout import (
    CHAR_WIDTH_EM,
    FONT_SIZE,
    GUTTER,
    LINE_HEIGHT,
    PADDING,
    wrap_text,
)

__all__ = ["FIRST_CAPTION_PT", "heading_room_pt", "map_print_pages"]

# The content box of the report's pages: A3 landscape less the 12 mm margins of report.css.
PAGE_WIDTH_PT = (420 - 2 * 12) * 72 / 25.4
PAGE_HEIGHT_PT = (297 - 2 * 12) * 72 / 25.4
# Room above a map page's drawing: the section heading and the note on the first page, a
# one-line caption on the others (report.css sets their sizes; both with room to spare).
FIRST_CAPTION_PT = 56.0
CAPTION_PT = 20.0
# The report's heading (report.css): the title at 22 px bold, the description at 16 px in
# lines of at most 60 em, with its margins. DejaVu's line is about 1.17 times its font size.
TITLE_PX = 22.0
TITLE_BOLD_WIDTH = 1.15
"""Bold DejaVu is about this much wider than the regular face ``wrap_text`` measures."""
DESCRIPTION_PX = 16.0
LINE_FACTOR = 1.2
MIN_TEXT_PT = 7.0
"""The smallest text of the map (badges, axis ticks) on paper; the card texts come out larger."""
MAX_BODY_PT = 10.5
"""A map narrower than the page is enlarged to its width, until its card texts reach this."""
SQUEEZE = 0.9
"""How far a page's drawing may shrink so that the map's last lanes stay on it (the smallest
text then 6.3 pt): the emotion curve on a page of its own, cut off from the lanes it sums up,
read worse than slightly smaller text."""
PT_PER_CSS_PX = 0.75

SVG = "http://www.w3.org/2000/svg"
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


def _bands(parts: _MapParts, smallest_scale: float) -> list[range]:
    """Phase columns per band: as many as fit the page at ``smallest_scale``, evenly spread."""
    lefts = parts.header_lefts
    column = _rect(parts.headers[0].element)[2] + GUTTER

    def width(count: int) -> float:
        return lefts[0] + count * column

    fitting = 1
    while fitting < len(lefts) and width(fitting + 1) * smallest_scale <= PAGE_WIDTH_PT:
        fitting += 1
    count = math.ceil(len(lefts) / fitting)
    size, extra = divmod(len(lefts), count)
    bands, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        bands.append(range(start, end))
        start = end
    return bands


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


def _paginate(
    header: _Row, lanes: list[_Lane], budgets: Iterator[float]
) -> list[tuple[list[_Row], float]]:
    """Rows per page: lanes whole where they fit, a lane taller than a page cut between cards."""
    pages: list[list[_Row]] = [[]]
    budget = next(budgets)
    limits = [budget]
    used = header.height + GUTTER

    def new_page() -> None:
        nonlocal budget, used
        pages.append([])
        budget = next(budgets)
        limits.append(budget)
        used = header.height + GUTTER

    def whole(lane: _Lane) -> _Row:
        return lane.fixed or lane.row(lane.columns, [lane.top] * len(lane.columns))

    for index, lane in enumerate(lanes):
        pending = [list(cards) for cards in lane.columns]
        origins = [lane.top] * len(pending)
        while True:
            row = lane.fixed if lane.fixed is not None else lane.row(pending, origins)
            if used + row.height + GUTTER <= budget:
                pages[-1].append(row)
                used += row.height + GUTTER
                break
            rest = [row, *(whole(later) for later in lanes[index + 1 :])]
            if used + sum(r.height + GUTTER for r in rest) <= budget / SQUEEZE:
                # The rest of the band nearly fits: the page shrinks a little (_page_svg) to
                # keep it, rather than put its last lanes on a page of their own.
                pages[-1].extend(rest)
                return _pages(pages, limits)
            whole_page = budget - header.height - 2 * GUTTER
            if lane.fixed is not None or row.height <= whole_page:
                if pages[-1]:
                    new_page()
                    continue
                pages[-1].append(row)  # taller than a page: _page_svg scales it down
                used += row.height + GUTTER
                break
            room = budget - used - GUTTER
            taken = [
                [card for card in cards if card.bottom - origin <= room]
                for cards, origin in zip(pending, origins, strict=True)
            ]
            if not any(taken):
                if pages[-1]:
                    new_page()
                    continue
                taken = [cards[:1] for cards in pending]  # a card taller than a page
            pages[-1].append(lane.row(taken, origins))
            pending = [cards[len(done) :] for cards, done in zip(pending, taken, strict=True)]
            origins = [
                cards[0].top if cards else origin
                for cards, origin in zip(pending, origins, strict=True)
            ]
            new_page()
    return _pages(pages, limits)


def _pages(pages: list[list[_Row]], limits: list[float]) -> list[tuple[list[_Row], float]]:
    return [(rows, limit) for rows, limit in zip(pages, limits, strict=True) if rows]


def _page_svg(root: ET.Element, rows: list[_Row], width: float, scale: float, limit: float) -> str:
    """One page of the map at ``scale`` pt per map px, less if it would not fit the page.

    Only a lane taller than a page (``limit`` px) or a phase column wider than it is shrunk.
    """
    height = sum(row.height + GUTTER for row in rows)
    fit = min(1.0, limit / height, PAGE_WIDTH_PT / (width * scale))
    css = scale * fit / PT_PER_CSS_PX
    page = ET.Element(
        "svg",
        {
            "xmlns": SVG,
            "class": "jm-map jm-map-page",
            "width": f"{width * css:.1f}",
            "height": f"{height * css:.1f}",
            "viewBox": f"0 0 {width:.1f} {height:.1f}",
            "font-family": root.get("font-family", "sans-serif"),
        },
    )
    ET.SubElement(
        page, _RECT, {"width": f"{width:.1f}", "height": f"{height:.1f}", "fill": "#fafbfc"}
    )
    top = 0.0
    for row in rows:
        for placed in row.placed:
            group = ET.SubElement(
                page, _G, {"transform": f"translate({placed.dx:.1f} {top - placed.origin:.1f})"}
            )
            group.append(placed.element)
        top += row.height + GUTTER
    return ET.tostring(page, encoding="unicode")


def heading_room_pt(title: str, description: str) -> float:
    """The height the report's heading (title and description) takes on its page, in pt.

    When the map opens the report (no measured figures before it) it starts on the heading's
    page, below it; its first page has this much less room. Generous rather than tight: a
    drawing that does not fit would go to the next page whole and leave the first one empty.
    """
    page_px = PAGE_WIDTH_PT / PT_PER_CSS_PX
    title_lines = wrap_text(" ".join(title.split()), page_px, TITLE_PX * TITLE_BOLD_WIDTH)
    height = len(title_lines) * TITLE_PX * LINE_FACTOR + 4  # the title's bottom margin
    if description.strip():
        width = min(page_px, 60 * DESCRIPTION_PX)
        lines = wrap_text(" ".join(description.split()), width, DESCRIPTION_PX)
        height += len(lines) * DESCRIPTION_PX * LINE_FACTOR + 2 * DESCRIPTION_PX  # its margins
    return height * PT_PER_CSS_PX


def map_print_pages(svg: str, first_caption_pt: float = FIRST_CAPTION_PT) -> list[str]:
    """Cut a map SVG of :func:`render_map_svg` into legible A3 landscape pages.

    The map is drawn at the scale that puts its smallest text at ``MIN_TEXT_PT`` (larger when
    the map is narrower than the page, up to ``MAX_BODY_PT`` for the card texts). A map wider
    than the page is split into bands of whole phase columns, each with the lane labels; a
    band taller than the page continues on further pages, each repeating the phase headers.
    Lanes stay whole where they fit on a page; a taller lane is cut between cards. When the
    rest of a band misses its page by a little (``SQUEEZE``), the page shrinks to keep it:
    the emotion lane is not left alone on a page, away from the lanes it belongs to.

    Args:
        svg: The map as :func:`render_map_svg` draws it.
        first_caption_pt: The room above the first page's drawing (the section heading and
            note; more when the report's own heading shares the page, :func:`heading_room_pt`).

    Returns:
        One SVG per page, each sized in CSS px to its place on the page (the map without
        phases comes back as it was).
    """
    parts = _take_apart(svg)
    if parts is None:
        return [svg]
    smallest_scale = MIN_TEXT_PT / parts.smallest_font
    bands = _bands(parts, smallest_scale)
    column = _rect(parts.headers[0].element)[2] + GUTTER
    widths = [parts.header_lefts[0] + len(band) * column for band in bands]
    if parts.legend is not None:
        needed = _legend_width(parts.legend)
        widths = [max(width, needed) for width in widths]
    scale = min(PAGE_WIDTH_PT / max(widths), MAX_BODY_PT / FONT_SIZE)
    scale = max(scale, smallest_scale)

    def budgets() -> Iterator[float]:
        yield (PAGE_HEIGHT_PT - first_caption_pt) / scale
        while True:
            yield (PAGE_HEIGHT_PT - CAPTION_PT) / scale

    pages = []
    heights = budgets()
    for band, width in zip(bands, widths, strict=True):
        header, lanes = _band_lanes(parts, band, width)
        for rows, limit in _paginate(header, lanes, heights):
            pages.append(_page_svg(parts.root, [header, *rows], width, scale, limit))
    return pages
