"""The comparison report's chart: the biggest changes in the touchpoints' conversion rates.

One row per touchpoint both analyses have, taken in the comparison's order (significant
changes first, the largest first), drawn as a point at the change in percentage points with
its 95 % interval as a line through it; a line at 0 shows which side each falls on.
Significant changes are blue, the others grey (Okabe-Ito: no red against green), and the
legend says which is which in words. Rendered offline by vl-convert like the report's charts
(:func:`~journeymap.render.charts.render_chart_svg`), so screen readers hear each point's
figures and the axes' phrases in the report's language (:mod:`journeymap.render._aria`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from journeymap.i18n import N_, gettext
from journeymap.render._chart_spec import _spec
from journeymap.render._comparison_cells import points

__all__ = ["CHART_ROWS", "changes_chart", "chart_alt_text", "with_alt_text"]

CHART_ROWS = 12
"""The touchpoints the chart shows at most; the table below it has them all."""
CHANGE_FORMAT = "+,.1f"
POINTS_FORMAT = ",.1f"
ROW_HEIGHT = 24
SIGNIFICANT, NOT_SIGNIFICANT = N_("significant"), N_("not significant")


def changes_chart(
    rows: list[dict[str, Any]], names: Mapping[str, str], language: str
) -> dict[str, Any] | None:
    """The Vega-Lite spec of the chart (None: no touchpoint both analyses have)."""
    both = [
        row for row in rows if row["status"] == "both" and row["conversion_rate_change"] is not None
    ][:CHART_ROWS]
    if not both:
        return None
    words = (gettext(SIGNIFICANT, language), gettext(NOT_SIGNIFICANT, language))
    data: list[dict[str, Any]] = []
    for row in both:
        change = float(row["conversion_rate_change"])
        low, high = (row[f"conversion_rate_ci_{end}"] for end in ("low", "high"))
        data.append(
            {
                "touchpoint": names.get(str(row["touchpoint"]), str(row["touchpoint"])),
                "change": 100 * change,
                "low": 100 * (change if low is None else float(low)),
                "high": 100 * (change if high is None else float(high)),
                "test": words[0] if row["conversion_rate_significant"] else words[1],
            }
        )
    # The rises on top, the falls below: the order is given as a list (a layer's "-x" sort
    # sorts nothing when its marks encode different x fields).
    order = [d["touchpoint"] for d in sorted(data, key=lambda d: (-d["change"], d["touchpoint"]))]
    y = {
        "field": "touchpoint",
        "type": "nominal",
        "sort": list(dict.fromkeys(order)),
        "title": gettext(N_("Touchpoint"), language),
        "axis": {"title": None, "labelLimit": 260},
    }
    axis = {"title": gettext(N_("Change in conversion rate (percentage points)"), language)}
    title = {
        "text": gettext(N_("Biggest changes in the touchpoints' conversion rates"), language),
        "subtitle": gettext(
            N_(
                "Each point is the change in percentage points, the line through it its 95% "
                "interval; blue: significant (the interval leaves out 0), grey: it may be "
                "chance."
            ),
            language,
        ),
    }
    body = {
        "height": {"step": ROW_HEIGHT},
        "layer": [
            {
                # Where no change is: which side of it a point lies on is what matters.
                "mark": {"type": "rule", "color": "#555555", "aria": False},
                "encoding": {"x": {"datum": 0}},
            },
            {
                "mark": {"type": "rule", "strokeWidth": 2},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "low",
                        "type": "quantitative",
                        "title": gettext(N_("Lower limit (pp)"), language),
                        "format": POINTS_FORMAT,
                        "axis": axis,
                    },
                    "x2": {"field": "high", "title": gettext(N_("Upper limit (pp)"), language)},
                    "color": _colour(words, language),
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 80},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "change",
                        "type": "quantitative",
                        "title": gettext(N_("Change (pp)"), language),
                        "format": CHANGE_FORMAT,
                        "axis": axis,
                    },
                    "color": _colour(words, language),
                },
            },
        ],
    }
    return _spec(title, data, body, language, POINTS_FORMAT)


def _colour(words: tuple[str, str], language: str) -> dict[str, Any]:
    return {
        "field": "test",
        "type": "nominal",
        "title": gettext(N_("95% interval"), language),
        "scale": {"domain": list(words), "range": ["#0072b2", "#999999"]},
    }


def chart_alt_text(spec: dict[str, Any], language: str) -> str:
    """The chart in a sentence for a screen reader: its title, then each touchpoint's change.

    ``Biggest changes ...: Checkout +10.0 pp (significant); Buy 0.0 pp (not significant)``,
    from the top of the chart down.
    """
    title = spec["title"]["text"] if isinstance(spec["title"], dict) else str(spec["title"])
    rows = {d["touchpoint"]: d for d in spec["data"]["values"]}
    order = spec["layer"][1]["encoding"]["y"]["sort"]
    parts = [
        f"{name} {points(rows[name]['change'] / 100, language)} ({rows[name]['test']})"
        for name in order
    ]
    return f"{title}: " + "; ".join(parts)


_ROOT = re.compile(r"<svg\b")


def with_alt_text(svg: str, text: str) -> str:
    """``svg`` named by ``text`` (an image with an accessible name, as an ``<img alt>``)."""
    label = html.escape(text, quote=True)
    return _ROOT.sub(f'<svg role="img" aria-label="{label}"', svg, count=1)
