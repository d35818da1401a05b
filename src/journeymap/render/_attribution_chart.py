"""The attribution chart: a heatmap of touchpoints down, models across, shares in the cells."""

from __future__ import annotations

import math
from typing import Any

from journeymap.attribution._names import MODEL_NAMES, model_name
from journeymap.i18n import N_, format_percent, format_share, gettext
from journeymap.render._chart_spec import SHARE_FORMAT, WIDTH, _spec
from journeymap.render.measured import Measured

# The attribution heatmap's cells: 13 models fit the chart's width, and 24 touchpoints a page.
CELL_WIDTH = 44
CELL_HEIGHT = 22
# A cell's share in 10 px, and a longer one ("< 0,1 %", "> 99,9 %") in 8 px to fit the cell.
CELL_FONT = 10
CELL_SMALL_FONT = 8
CELL_LABEL_CHARS = 5


def _attribution(measured: Measured, names: dict[str, str], language: str) -> dict[str, Any] | None:
    """A heatmap: touchpoints down, models across, each cell the model's share of conversions.

    A grouped bar chart of 13 models x 24 touchpoints gave each bar about 3 px; a cell keeps
    its number legible at any count, and reading across a row compares the models. The
    touchpoints most credited on average come first. Participation counts every touchpoint
    that took part in a conversion, so its column does not add up to 100 %: the colour scale
    ends at the largest share of the other models (participation's cells saturate), and a
    subtitle says what its numbers are.
    """
    rows = [r for r in measured.rows("attribution") if r.get("level") == "touchpoint"]
    if not rows:
        return None
    data: list[dict[str, Any]] = [
        {
            "touchpoint": names.get(str(r["key"]), str(r["key"])),
            "model": model_name(str(r["model"]), language),
            "share": float(r["share"] or 0.0),
        }
        for r in rows
    ]
    ids = {str(r["model"]) for r in rows}
    models = [model_name(m, language) for m in [*MODEL_NAMES, *sorted(ids - set(MODEL_NAMES))]]
    models = [m for m in models if m in {row["model"] for row in data}]
    credited: dict[str, float] = {}
    for row in data:
        credited[row["touchpoint"]] = credited.get(row["touchpoint"], 0.0) + row["share"]
    touchpoints = sorted(credited, key=lambda t: (-credited[t], t))
    summing = [
        row["share"] for row, r in zip(data, rows, strict=True) if r["model"] != "participation"
    ]
    top = max(summing or [row["share"] for row in data]) or 1.0
    share_title = gettext(N_("Share of conversions"), language)
    model_title = gettext(N_("model"), language)
    touchpoint_title = gettext(N_("touchpoint"), language)
    for row in data:
        row["label"] = format_share(row["share"], language)
        # "< 0,1 %" and "> 99,9 %" ran past their cell into the next one and the axis.
        row["small"] = len(row["label"]) > CELL_LABEL_CHARS
        row["dark"] = row["share"] > 0.55 * top
        # A screen reader reads the cell as Vega would word it, but with the share as the
        # cell prints it: Vega's number format read 99.96 % as "100%" and 0.04 % as "0%".
        row["description"] = (
            f"{model_title}: {row['model']}; {touchpoint_title}: {row['touchpoint']}; "
            f"{share_title}: {row['label']}"
        )
    title: dict[str, Any] = {"text": gettext(N_("Attribution compared across models"), language)}
    if "participation" in ids:
        # "100 %" written as the cells write it ("100%" in English, with a no-break space
        # in Danish and German).
        title["subtitle"] = gettext(
            N_(
                "Participation: the share of conversions a touchpoint took part in; "
                "its column does not add up to {all}."
            ),
            language,
        ).format(all=format_percent(1, language))
    x = {
        "field": "model",
        "type": "nominal",
        "sort": models,
        "title": model_title,
        "axis": {"orient": "top", "labelAngle": -40, "labelLimit": 160, "title": None},
    }
    y = {
        "field": "touchpoint",
        "type": "nominal",
        "sort": touchpoints,
        "title": touchpoint_title,
        "axis": {"title": None},
    }
    return _spec(
        title,
        data,
        {
            "width": min(WIDTH, CELL_WIDTH * len(models)),
            "height": CELL_HEIGHT * len(touchpoints),
            "encoding": {"x": x, "y": y},
            "layer": [
                {
                    "mark": {"type": "rect", "stroke": "white"},
                    "encoding": {
                        "description": {"field": "description"},
                        "color": {
                            "field": "share",
                            "type": "quantitative",
                            "title": share_title,
                            "format": SHARE_FORMAT,
                            # White at 0 (Vega's "blues" starts light blue, so a model
                            # that gave nothing looked as if it had).
                            "scale": {
                                "domain": [0, _legend_end(top)],
                                "range": ["#ffffff", "#08519c"],
                                "interpolate": "rgb",
                                "clamp": True,
                            },
                            "legend": {"format": "%"},
                        },
                    },
                },
                {
                    "mark": {"type": "text"},
                    "encoding": {
                        "size": {
                            "condition": {"test": "datum.small", "value": CELL_SMALL_FONT},
                            "value": CELL_FONT,
                        },
                        # The cell's share as printed in it.
                        "text": {"field": "label", "title": gettext(N_("label"), language)},
                        "color": {
                            "condition": {"test": "datum.dark", "value": "white"},
                            "value": "black",
                        },
                    },
                },
            ],
        },
        language,
        SHARE_FORMAT,
    )


def _legend_end(top: float) -> float:
    """The colour scale's end: the largest share rounded up to a whole percent.

    The legend labels its end in whole percents, so a scale ending at 99.96 % read "100%";
    rounded up, the label is the scale's end, and no cell's colour changes visibly.

    Examples:
        >>> [_legend_end(v) for v in (0.4, 0.4321, 0.9996, 1.0)]
        [0.4, 0.44, 1.0, 1.0]
    """
    return min(1.0, math.ceil(round(top * 100, 6)) / 100)
