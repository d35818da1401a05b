"""Sankey diagram of observed paths, drawn as our own SVG (Vega-Lite has no Sankey mark).

Columns are path steps, each titled ("Step 1", ...; the last, where every journey has ended,
"Outcome"); a node is a touchpoint (or ``Other``, ``(converted)``, ``(dropped)``) at a step;
its height is proportional to the journeys through it. Links are filled bands between
consecutive columns. The three nodes that are not touchpoints are labelled in the report's
language; the table keeps their ids.

Labels are laid out like the map (``render/layout.py``: the same width estimate of DejaVu
Sans and the same word wrapping): a node's label wraps within the gap to the next column and
stays inside the node's slot, its height plus half the gap above and below, so labels never
overlap each other or the next column. A label too long for its slot is shortened at a word
boundary (``Recommendations (word… (480)``); a node whose slot cannot hold one line has no
label of its own, and a run of such nodes shares one ("4 more (43)") when their slots can.
Every node's tooltip (``<title>``) names it in full with its journeys. Every count, in labels
and tooltips, is written the report language's way (``Antrag eingereicht (13.087)`` in
German, ``(13,087)`` in English).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from journeymap.i18n import N_, format_integer, gettext, ngettext
from journeymap.model.path_nodes import CONVERTED, DROPPED, OTHER
from journeymap.render.layout import CHAR_WIDTH_EM, wrap_text

__all__ = ["render_sankey_svg"]

NODE_WIDTH = 12.0
COLUMN_GAP = 170.0
NODE_GAP = 8.0
HEIGHT = 540.0
MARGIN = 20.0
HEADER_HEIGHT = 22.0
HEADER_FONT_SIZE = 11.0
FONT_SIZE = 10.0
LINE_HEIGHT = 12.0
# Where a label's baseline sits in its line: DejaVu Sans reaches 0.93 em above it and
# 0.24 em below, so at 10 px its glyphs stay inside the line's 12 px.
BASELINE = 9.5
# Between the labels of neighbouring nodes, so that two labels do not read as one.
LABEL_GAP = 2.0
LABEL_PAD = 4.0
# A label may not come closer than this to the next column's nodes.
LABEL_CLEARANCE = 8.0
LABEL_WIDTH = COLUMN_GAP - LABEL_PAD - LABEL_CLEARANCE
# The touchpoints' colours leave out red and green, which mark the outcomes: a Danish reader
# took the best-converting channel, drawn in the red of "(dropped)", for the drop-off.
PALETTE = ("#4e79a7", "#f28e2b", "#b07aa1", "#edc948", "#76b7b2", "#9c755f")
CONVERTED_COLOUR = "#2ca02c"
DROPPED_COLOUR = "#d62728"
# The labels of the nodes that are not touchpoints (the ids are the engine's).
NODE_LABELS = {
    CONVERTED: N_("(converted)"),
    DROPPED: N_("(dropped)"),
    OTHER: N_("Other"),
}
OUTCOMES = {CONVERTED, DROPPED}

Node = tuple[int, str]


@dataclass(frozen=True)
class _Label:
    """A label's wrapped lines and its box (left, top; the width follows from the lines)."""

    lines: tuple[str, ...]
    x: float
    y: float

    def svg(self, title: str | None = None) -> str:
        width = max(len(line) for line in self.lines) * CHAR_WIDTH_EM * FONT_SIZE
        # A light backdrop keeps the text legible over the links it crosses.
        parts = [
            '<g class="jm-sankey-label">',
            f"<title>{escape(title)}</title>" if title else "",
            f'<rect x="{self.x - 2:.1f}" y="{self.y:.1f}" width="{width + 4:.1f}" '
            f'height="{len(self.lines) * LINE_HEIGHT:.1f}" rx="2" fill="#ffffff" '
            'fill-opacity="0.75"/>',
            f'<text x="{self.x:.1f}" y="{self.y + BASELINE:.1f}" font-size="{FONT_SIZE:.0f}">',
        ]
        for index, line in enumerate(self.lines):
            baseline = self.y + BASELINE + index * LINE_HEIGHT
            parts.append(f'<tspan x="{self.x:.1f}" y="{baseline:.1f}">{escape(line)}</tspan>')
        parts.append("</text></g>")
        return "".join(parts)


def _colour(name: str, names: list[str]) -> str:
    if name == CONVERTED:
        return CONVERTED_COLOUR
    if name == DROPPED:
        return DROPPED_COLOUR
    if name == OTHER:
        return "#999999"
    return PALETTE[names.index(name) % len(PALETTE)] if name in names else "#999999"


def _fit(name: str, count: int, max_lines: int, language: str) -> tuple[str, ...]:
    """``name (count)`` in at most ``max_lines`` lines, the name shortened at a word if need be.

    Returns no lines when not even the first word and the count fit.
    """
    if max_lines < 1:
        return ()
    figure = f"({format_integer(count, language)})"
    lines = wrap_text(f"{name} {figure}", LABEL_WIDTH, FONT_SIZE)
    words = name.split()
    while len(lines) > max_lines and len(words) > 1:
        words.pop()
        lines = wrap_text(f"{' '.join(words)}… {figure}", LABEL_WIDTH, FONT_SIZE)
    return tuple(lines) if len(lines) <= max_lines else ()


def _place(lines: tuple[str, ...], x: float, centre: float, top: float, bottom: float) -> _Label:
    """The label centred on ``centre`` and moved inside its slot ``top``..``bottom``."""
    height = len(lines) * LINE_HEIGHT
    return _Label(lines, x, min(max(centre - height / 2, top), bottom - height))


def _labels(
    column: list[Node],
    position: dict[Node, tuple[float, float, float]],
    value: dict[Node, int],
    labels: dict[str, str],
    bottom: float,
    language: str,
) -> tuple[dict[Node, _Label], list[tuple[_Label, str]]]:
    """The labels of one column's nodes, and the shared labels of runs of small nodes.

    A node's slot reaches half the node gap above and below it (the last node's down to the
    foot of the drawing) less half the gap between labels, so the slots of a column, and the
    labels inside them, never overlap.
    """
    reach = (NODE_GAP - LABEL_GAP) / 2
    slots: list[tuple[float, float]] = []
    for index, node in enumerate(column):
        _, y, h = position[node]
        slots.append((y - reach, bottom if index == len(column) - 1 else y + h + reach))
    own: dict[Node, _Label] = {}
    for node, (top, end) in zip(column, slots, strict=True):
        x, y, h = position[node]
        room = int((end - top) // LINE_HEIGHT)
        lines = _fit(labels.get(node[1], node[1]), value[node], room, language)
        if lines:
            own[node] = _place(lines, x + NODE_WIDTH + LABEL_PAD, y + h / 2, top, end)
    _label_lone_nodes(column, slots, position, value, labels, own, language)
    shared: list[tuple[_Label, str]] = []
    run: list[int] = []
    for index in [*range(len(column)), len(column)]:  # the sentinel ends the last run
        if index < len(column) and column[index] not in own:
            run.append(index)
            continue
        if len(run) > 1:
            top, end = slots[run[0]][0], slots[run[-1]][1]
            nodes = [column[i] for i in run]
            more = ngettext("{count} more", "{count} more", len(nodes), language)
            count = format_integer(len(nodes), language)
            lines = _fit(more.format(count=count), sum(value[n] for n in nodes), 1, language)
            if lines and end - top >= LINE_HEIGHT:
                x = position[nodes[0]][0] + NODE_WIDTH + LABEL_PAD
                title = "\n".join(
                    f"{labels.get(n[1], n[1])} ({format_integer(value[n], language)})"
                    for n in nodes
                )
                shared.append((_place(lines, x, (top + end) / 2, top, end), title))
        run = []
    return own, shared


def _label_lone_nodes(
    column: list[Node],
    slots: list[tuple[float, float]],
    position: dict[Node, tuple[float, float, float]],
    value: dict[Node, int],
    labels: dict[str, str],
    own: dict[Node, _Label],
    language: str,
) -> None:
    """Label, in ``own``, a small node between two labelled ones in the room they leave.

    A lone node too small for a line has no run to share a label with, so it stood bare
    (the UCI shoppers' ``Other (123)`` between two traffic types). Its neighbours' labels
    move to the far ends of their own slots when that frees a line between them.
    """
    for index, node in enumerate(column):
        before = column[index - 1] if index > 0 else None
        after = column[index + 1] if index + 1 < len(column) else None
        if node in own or any(n is not None and n not in own for n in (before, after)):
            continue
        # As high as the label above can rise, as low as the label below can sink.
        top = slots[index][0]
        if before is not None:
            # Not above the label over it either, should that be a lone node's moved in.
            highest = slots[index - 1][0]
            if index > 1 and column[index - 2] in own:
                over = own[column[index - 2]]
                highest = max(highest, over.y + len(over.lines) * LINE_HEIGHT + LABEL_GAP)
            top = highest + len(own[before].lines) * LINE_HEIGHT + LABEL_GAP
        end = slots[index][1]
        if after is not None:
            end = slots[index + 1][1] - len(own[after].lines) * LINE_HEIGHT - LABEL_GAP
        lines = _fit(
            labels.get(node[1], node[1]), value[node], int((end - top) // LINE_HEIGHT), language
        )
        if not lines:
            continue
        x, y, h = position[node]
        label = _place(lines, x + NODE_WIDTH + LABEL_PAD, y + h / 2, top, end)
        own[node] = label
        label_end = label.y + len(lines) * LINE_HEIGHT
        if before is not None:
            above = own[before]
            height = len(above.lines) * LINE_HEIGHT
            own[before] = replace(above, y=min(above.y, label.y - LABEL_GAP - height))
        if after is not None:
            below = own[after]
            own[after] = replace(below, y=max(below.y, label_end + LABEL_GAP))


def _column_title(step: int, first: int, column: list[Node], language: str) -> str:
    if all(node[1] in OUTCOMES for node in column):
        return gettext(N_("Outcome"), language)
    return gettext(N_("Step {number}"), language).format(number=step - first + 1)


def render_sankey_svg(
    rows: list[dict[str, Any]], labels: dict[str, str] | None = None, language: str = "en"
) -> str:
    """Draw the ``sankey`` table (``step``, ``source``, ``target``, ``journeys``) as SVG.

    Args:
        rows: Rows of the analysis ``sankey`` table.
        labels: Touchpoint id -> display name (ids shown when missing).
        language: Language of the ``(converted)``, ``(dropped)`` and ``Other`` labels, the
            column titles and the tooltips (``en``, ``da``, ``de``), and of the counts in
            labels and tooltips (``13.087`` in Danish and German, ``13,087`` in English).

    Returns:
        An SVG document string (an empty-state SVG when there are no rows).
    """
    labels = {
        **{node: gettext(label, language) for node, label in NODE_LABELS.items()},
        **(labels or {}),
    }
    links = [r for r in rows if int(r.get("journeys") or 0) > 0]
    if not links:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" class="jm-sankey" width="300" height="40">'
            '<text x="10" y="25" font-size="12">–</text></svg>'
        )
    inflow: dict[Node, int] = defaultdict(int)
    outflow: dict[Node, int] = defaultdict(int)
    for r in links:
        step = int(r["step"])
        outflow[(step, str(r["source"]))] += int(r["journeys"])
        inflow[(step + 1, str(r["target"]))] += int(r["journeys"])
    nodes = set(inflow) | set(outflow)
    value = {n: max(inflow.get(n, 0), outflow.get(n, 0)) for n in nodes}
    steps = sorted({n[0] for n in nodes})
    first = steps[0]
    columns: dict[int, list[Node]] = defaultdict(list)
    for n in sorted(nodes, key=lambda n: (-value[n], n[1])):
        columns[n[0]].append(n)
    busiest = max(sum(value[n] for n in col) for col in columns.values())
    most_nodes = max(len(col) for col in columns.values())
    scale = (HEIGHT - 2 * MARGIN - NODE_GAP * most_nodes) / max(busiest, 1)
    names = sorted({n[1] for n in nodes})
    top = MARGIN + HEADER_HEIGHT
    height = HEIGHT + HEADER_HEIGHT
    position: dict[Node, tuple[float, float, float]] = {}
    for step, col in columns.items():
        x = MARGIN + (step - first) * (NODE_WIDTH + COLUMN_GAP)
        y = top
        for n in col:
            h = max(1.0, value[n] * scale)
            position[n] = (x, y, h)
            y += h + NODE_GAP
    # The last column's labels get the room every other column's have.
    width = MARGIN + (len(steps) - 1) * (NODE_WIDTH + COLUMN_GAP) + NODE_WIDTH + COLUMN_GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="jm-sankey" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        "font-family=\"'DejaVu Sans', Verdana, sans-serif\">"
    ]
    out_offset: dict[Node, float] = defaultdict(float)
    in_offset: dict[Node, float] = defaultdict(float)
    for r in sorted(links, key=lambda r: (int(r["step"]), -int(r["journeys"]))):
        step, count = int(r["step"]), int(r["journeys"])
        source, target = (step, str(r["source"])), (step + 1, str(r["target"]))
        sx, sy, _ = position[source]
        tx, ty, _ = position[target]
        band = count * scale
        y0 = sy + out_offset[source]
        y1 = ty + in_offset[target]
        out_offset[source] += band
        in_offset[target] += band
        x0, x1 = sx + NODE_WIDTH, tx
        mid = (x0 + x1) / 2
        title = (
            f"{labels.get(source[1], source[1])} → {labels.get(target[1], target[1])}: "
            f"{format_integer(count, language)}"
        )
        parts.append(
            f'<path class="jm-sankey-link" d="M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} '
            f"{mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f} L{x1:.1f},{y1 + band:.1f} "
            f'C{mid:.1f},{y1 + band:.1f} {mid:.1f},{y0 + band:.1f} {x0:.1f},{y0 + band:.1f} Z" '
            f'fill="{_colour(source[1], names)}" fill-opacity="0.35">'
            f"<title>{escape(title)}</title></path>"
        )
    for step in steps:
        col = columns[step]
        column_title = _column_title(step, first, col, language)
        # One line, with room for an ellipsis should a translation run longer.
        room = NODE_WIDTH + COLUMN_GAP - LABEL_CLEARANCE - CHAR_WIDTH_EM * HEADER_FONT_SIZE
        heading = wrap_text(column_title, room, HEADER_FONT_SIZE)
        parts.append(
            f'<text class="jm-sankey-step" data-step="{step}" x="{position[col[0]][0]:.1f}" '
            f'y="{MARGIN + HEADER_FONT_SIZE:.1f}" font-size="{HEADER_FONT_SIZE:.0f}" '
            f'font-weight="bold" fill="#333333">'
            f"{escape(heading[0] + ('…' if len(heading) > 1 else ''))}</text>"
        )
        own, shared = _labels(col, position, value, labels, height - LABEL_PAD, language)
        for n in col:
            x, y, h = position[n]
            journeys = ngettext("{count} journey", "{count} journeys", value[n], language)
            tooltip = f"{column_title} · {labels.get(n[1], n[1])}: " + journeys.format(
                count=format_integer(value[n], language)
            )
            parts.append(
                f'<g class="jm-sankey-node" data-ref={quoteattr(n[1])} data-step="{step}">'
                f"<title>{escape(tooltip)}</title>"
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_WIDTH:.0f}" height="{h:.1f}" '
                f'fill="{_colour(n[1], names)}"/>'
                f"{own[n].svg() if n in own else ''}</g>"
            )
        parts.extend(label.svg(title) for label, title in shared)
    parts.append("</svg>")
    return "".join(parts)
