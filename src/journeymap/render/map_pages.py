"""The map on print pages: the drawn map cut into A3 landscape pages at a legible scale.

In the PDF the map cannot be one picture: at A3 its texts would shrink to 4-5 pt. It is
drawn at a fixed, legible scale instead (its smallest text at ``MIN_TEXT_PT``) and cut into
A3 landscape pages (:func:`map_print_pages`): by phase columns when the map is wider than the
page, by lanes when it is taller. Every page repeats the phase headers and the lane labels; a
lane taller than a page continues on the next one, each card whole on exactly one page.

The map SVG is taken apart in :mod:`journeymap.render._map_parts` and cut into bands of
phase columns in :mod:`journeymap.render._map_bands`; this module lays the bands out on
pages.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from journeymap.render._map_bands import _band_lanes, _legend_width
from journeymap.render._map_parts import _G, _RECT, _Lane, _MapParts, _rect, _Row, _take_apart
from journeymap.render.layout import FONT_SIZE, GUTTER, wrap_text

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
