"""Sankey diagram of observed paths, drawn as our own SVG (Vega-Lite has no Sankey mark).

Columns are path steps; a node is a touchpoint (or ``Other``, ``(converted)``, ``(dropped)``)
at a step; its height is proportional to the journeys through it. Links are filled bands
between consecutive columns. The three nodes that are not touchpoints are labelled in the
report's language; the table keeps their ids.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from journeymap.i18n import N_, gettext
from journeymap.model.path_nodes import CONVERTED, DROPPED, OTHER

__all__ = ["render_sankey_svg"]

NODE_WIDTH = 12.0
COLUMN_GAP = 150.0
NODE_GAP = 8.0
HEIGHT = 420.0
MARGIN = 20.0
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1")
# The labels of the nodes that are not touchpoints (the ids are the engine's).
NODE_LABELS = {
    CONVERTED: N_("(converted)"),
    DROPPED: N_("(dropped)"),
    OTHER: N_("Other"),
}


def _colour(name: str, names: list[str]) -> str:
    if name == CONVERTED:
        return "#2ca02c"
    if name == DROPPED:
        return "#d62728"
    if name == OTHER:
        return "#999999"
    return PALETTE[names.index(name) % len(PALETTE)] if name in names else "#999999"


def render_sankey_svg(
    rows: list[dict[str, Any]], labels: dict[str, str] | None = None, language: str = "en"
) -> str:
    """Draw the ``sankey`` table (``step``, ``source``, ``target``, ``journeys``) as SVG.

    Args:
        rows: Rows of the analysis ``sankey`` table.
        labels: Touchpoint id -> display name (ids shown when missing).
        language: Language of the ``(converted)``, ``(dropped)`` and ``Other`` labels
            (``en``, ``da``, ``de``); counts are written without grouping in every language.

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
    inflow: dict[tuple[int, str], int] = defaultdict(int)
    outflow: dict[tuple[int, str], int] = defaultdict(int)
    for r in links:
        step = int(r["step"])
        outflow[(step, str(r["source"]))] += int(r["journeys"])
        inflow[(step + 1, str(r["target"]))] += int(r["journeys"])
    nodes = set(inflow) | set(outflow)
    value = {n: max(inflow.get(n, 0), outflow.get(n, 0)) for n in nodes}
    steps = sorted({n[0] for n in nodes})
    first = steps[0]
    columns: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for n in sorted(nodes, key=lambda n: (-value[n], n[1])):
        columns[n[0]].append(n)
    busiest = max(sum(value[n] for n in col) for col in columns.values())
    most_nodes = max(len(col) for col in columns.values())
    scale = (HEIGHT - 2 * MARGIN - NODE_GAP * most_nodes) / max(busiest, 1)
    names = sorted({n[1] for n in nodes})
    position: dict[tuple[int, str], tuple[float, float, float]] = {}
    for step, col in columns.items():
        x = MARGIN + (step - first) * (NODE_WIDTH + COLUMN_GAP)
        y = MARGIN
        for n in col:
            h = max(1.0, value[n] * scale)
            position[n] = (x, y, h)
            y += h + NODE_GAP
    width = MARGIN * 2 + (len(steps) - 1) * (NODE_WIDTH + COLUMN_GAP) + NODE_WIDTH + 110
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="jm-sankey" width="{width:.0f}" '
        f'height="{HEIGHT:.0f}" viewBox="0 0 {width:.0f} {HEIGHT:.0f}" '
        "font-family=\"'DejaVu Sans', Verdana, sans-serif\">"
    ]
    out_offset: dict[tuple[int, str], float] = defaultdict(float)
    in_offset: dict[tuple[int, str], float] = defaultdict(float)
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
        title = f"{labels.get(source[1], source[1])} → {labels.get(target[1], target[1])}: {count}"
        parts.append(
            f'<path class="jm-sankey-link" d="M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} '
            f"{mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f} L{x1:.1f},{y1 + band:.1f} "
            f'C{mid:.1f},{y1 + band:.1f} {mid:.1f},{y0 + band:.1f} {x0:.1f},{y0 + band:.1f} Z" '
            f'fill="{_colour(source[1], names)}" fill-opacity="0.35">'
            f"<title>{escape(title)}</title></path>"
        )
    for n, (x, y, h) in position.items():
        label = labels.get(n[1], n[1])
        short = label if len(label) <= 24 else label[:23] + "…"
        parts.append(
            f'<g class="jm-sankey-node" data-ref={quoteattr(n[1])}>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_WIDTH:.0f}" height="{h:.1f}" '
            f'fill="{_colour(n[1], names)}"/>'
            f'<text x="{x + NODE_WIDTH + 3:.1f}" y="{y + min(h / 2, 12) + 4:.1f}" '
            f'font-size="10">{escape(short)} ({value[n]})</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
