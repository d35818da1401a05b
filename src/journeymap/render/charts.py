"""Charts of an analysis as Vega-Lite specs, rendered offline to SVG by vl-convert.

The specs are plain Vega-Lite JSON dicts (what altair would produce), so the same spec serves
the static SVG/PNG/PDF (vl-convert, no browser, no network) and an interactive view (vega-embed).
Outside English, each spec carries the language's number locale (``config.locale``: decimal
sign, thousands separator, ``15 %``), and the reader sees model and direction names, not ids.
"""

from __future__ import annotations

from typing import Any

from journeymap.errors import MissingDependencyError, RenderError
from journeymap.i18n import N_, format_percent, gettext, number_symbols
from journeymap.render.measured import Measured

__all__ = ["chart_specs", "model_name", "render_chart_svg", "render_charts_svg"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
WIDTH = 560
# Vega's 10-colour default gave 13 attribution models only 10 colours (first_touch and shapley
# were both blue). Tableau 20 with its ten saturated hues first, then their light partners, so
# the first ten models get ten different hues and up to twenty models never share a colour.
MODEL_COLOURS = (
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#e45756",
    "#439894",
    "#b79a20",
    "#b279a2",
    "#d67195",
    "#9e765f",
    "#79706e",
    "#9ecae9",
    "#ffbf79",
    "#88d27a",
    "#ff9d98",
    "#83bcb6",
    "#f2cf5b",
    "#d6a5c9",
    "#fcbfd2",
    "#d8b5a5",
    "#bab0ac",
)
# One bar per (touchpoint, model): 24 touchpoints x 13 models at Vega-Lite's 20 px step made
# a 6,000 px tall chart that no page could hold, so the bars share at most this height.
BAR_HEIGHT = 20
MAX_PLOT_HEIGHT = 760
# What a reader sees for each model id; the analysis tables and JSON keep the ids (the way
# `journeymap attribute --model` takes them).
MODEL_NAMES = {
    "first_touch": N_("First touch"),
    "last_touch": N_("Last touch"),
    "last_non_direct": N_("Last non-direct"),
    "linear": N_("Linear"),
    "participation": N_("Participation"),
    "position_based": N_("Position-based (U)"),
    "w_shaped": N_("W-shaped"),
    "full_path": N_("Full path"),
    "j_shaped": N_("J-shaped"),
    "inverse_j": N_("Inverse J"),
    "time_decay": N_("Time decay"),
    "custom": N_("Custom"),
    "markov": N_("Markov chain"),
    "shapley": N_("Shapley value"),
}
DIRECTIONS = {"positive": N_("positive"), "negative": N_("negative")}


def model_name(model: str, language: str = "en") -> str:
    """The name a reader sees for an attribution model id (the id itself when unknown)."""
    return gettext(MODEL_NAMES[model], language) if model in MODEL_NAMES else model


def _direction(direction: str, language: str) -> str:
    return gettext(DIRECTIONS[direction], language) if direction in DIRECTIONS else direction


def _number_locale(language: str) -> dict[str, Any]:
    """Vega's number locale (d3-format) for ``language``, from Babel's CLDR symbols."""
    decimal, thousands = number_symbols(language)
    # The percent sign with the spacing the language puts before it ("15 %" in Danish).
    percent = format_percent(0, language).removeprefix("0")
    return {"decimal": decimal, "thousands": thousands, "grouping": [3], "percent": percent}


def _spec(
    title: str, data: list[dict[str, Any]], body: dict[str, Any], language: str
) -> dict[str, Any]:
    config: dict[str, Any] = {"font": "DejaVu Sans"}
    if language != "en":  # Vega's default locale is English (en-US) already
        config["locale"] = {"number": _number_locale(language)}
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": WIDTH,
        "data": {"values": data},
        "config": config,
        **body,
    }


def _funnel(measured: Measured, names: dict[str, str], language: str) -> dict[str, Any] | None:
    rows = [r for r in measured.rows("phase_funnel") if not r.get("breakdown")]
    if not rows:
        return None
    data = [
        {
            "phase": names.get(str(r["phase"]), str(r.get("phase_name") or r["phase"])),
            "step": int(r["step"]),
            "reached": int(r["reached"] or 0),
            "dropoff": f"-{format_percent(float(r.get('dropoff_rate') or 0), language)}",
        }
        for r in rows
    ]
    reached = gettext(N_("Reached"), language)
    x = {"field": "phase", "type": "ordinal", "sort": {"field": "step"}, "title": None}
    return _spec(
        gettext(N_("Funnel with drop-off"), language),
        data,
        {
            "layer": [
                {
                    "mark": {"type": "bar", "color": "#4e79a7"},
                    "encoding": {
                        "x": x,
                        "y": {"field": "reached", "type": "quantitative", "title": reached},
                    },
                },
                {
                    "mark": {"type": "text", "dy": -8, "color": "#d62728"},
                    "encoding": {
                        "x": x,
                        "y": {"field": "reached", "type": "quantitative"},
                        "text": {"field": "dropoff"},
                    },
                },
            ]
        },
        language,
    )


def _attribution(measured: Measured, names: dict[str, str], language: str) -> dict[str, Any] | None:
    rows = [r for r in measured.rows("attribution") if r.get("level") == "touchpoint"]
    if not rows:
        return None
    data = [
        {
            "touchpoint": names.get(str(r["key"]), str(r["key"])),
            "model": model_name(str(r["model"]), language),
            "share": float(r["share"] or 0.0),
        }
        for r in rows
    ]
    share = gettext(N_("Attribution share"), language)
    models = sorted({str(row["model"]) for row in data})
    bars = len(models) * len({row["touchpoint"] for row in data})
    return _spec(
        gettext(N_("Attribution compared across models"), language),
        data,
        {
            "height": min(BAR_HEIGHT * bars, MAX_PLOT_HEIGHT),
            "mark": "bar",
            "encoding": {
                "y": {"field": "touchpoint", "type": "nominal", "title": None},
                "yOffset": {"field": "model"},
                "x": {
                    "field": "share",
                    "type": "quantitative",
                    "title": share,
                    "axis": {"format": "%"},
                },
                "color": {
                    "field": "model",
                    "type": "nominal",
                    "title": gettext(N_("model"), language),
                    "scale": {
                        "domain": models,
                        "range": list(MODEL_COLOURS),
                    },
                },
            },
        },
        language,
    )


# The unit of the time-to-convert axis: the largest that the longest time spans twice.
TIME_UNITS = ((86400, N_("Days")), (3600, N_("Hours")), (60, N_("Minutes")), (1, N_("Seconds")))


def _time_to_convert(measured: Measured, language: str) -> dict[str, Any] | None:
    rows = measured.rows("time_to_convert_histogram")
    # Every conversion at its journey's first moment: the data carry no times to show (a
    # constant timestamp, one row per session), and a chart would draw one bar at 0.
    if not any(int(r["journeys"] or 0) for r in rows if float(r["bin_start_seconds"]) > 0):
        return None
    longest = max(float(r["bin_end_seconds"]) for r in rows)
    unit, unit_name = next((u, name) for u, name in TIME_UNITS if longest >= 2 * u or u == 1)
    data = [
        {
            "from": float(r["bin_start_seconds"]) / unit,
            "to": float(r["bin_end_seconds"]) / unit,
            "journeys": int(r["journeys"] or 0),
        }
        for r in rows
    ]
    return _spec(
        gettext(N_("Time to convert"), language),
        data,
        {
            "mark": {"type": "bar", "color": "#59a14f"},
            "encoding": {
                "x": {
                    "field": "from",
                    "type": "quantitative",
                    "title": gettext(unit_name, language),
                },
                "x2": {"field": "to"},
                "y2": {"datum": 0},
                "y": {
                    "field": "journeys",
                    "type": "quantitative",
                    "title": gettext(N_("Journeys"), language),
                },
            },
        },
        language,
    )


def _correlation(measured: Measured, names: dict[str, str], language: str) -> dict[str, Any] | None:
    rows = [
        r
        for r in measured.rows("correlation")
        if not r.get("breakdown") and r.get("odds_ratio") is not None
    ]
    if not rows:
        return None
    data = [
        {
            "touchpoint": names.get(str(r["touchpoint"]), str(r["touchpoint"])),
            "odds_ratio": float(r["odds_ratio"]),
            "ci_low": float(r["ci_low"] if r.get("ci_low") is not None else r["odds_ratio"]),
            "ci_high": float(r["ci_high"] if r.get("ci_high") is not None else r["odds_ratio"]),
            "direction": _direction(str(r.get("direction") or ""), language),
        }
        for r in rows
    ]
    odds = gettext(N_("Odds ratio of converting"), language)
    y = {"field": "touchpoint", "type": "nominal", "sort": "-x", "title": None}
    log = {"type": "log"}
    return _spec(
        gettext(N_("Drop-off correlation"), language),
        data,
        {
            "layer": [
                {
                    "mark": "rule",
                    "encoding": {
                        "y": y,
                        "x": {
                            "field": "ci_low",
                            "type": "quantitative",
                            "scale": log,
                            "title": odds,
                        },
                        "x2": {"field": "ci_high"},
                    },
                },
                {
                    "mark": {"type": "point", "filled": True, "size": 60},
                    "encoding": {
                        "y": y,
                        "x": {"field": "odds_ratio", "type": "quantitative", "scale": log},
                        "color": {
                            "field": "direction",
                            "type": "nominal",
                            "title": gettext(N_("direction"), language),
                            "scale": {
                                "domain": [
                                    gettext(DIRECTIONS["positive"], language),
                                    gettext(DIRECTIONS["negative"], language),
                                ],
                                "range": ["#2ca02c", "#d62728"],
                            },
                        },
                    },
                },
            ]
        },
        language,
    )


def chart_specs(
    measured: Measured, names: dict[str, str], language: str = "en"
) -> dict[str, dict[str, Any]]:
    """Vega-Lite specs of every chart the analysis has data for.

    Args:
        measured: The normalised analysis.
        names: Map id -> display name (phases and touchpoints).
        language: Label language (``en``, ``da``, ``de``).

    Returns:
        Chart id (``funnel``, ``attribution``, ``time_to_convert``, ``correlation``) -> spec.
    """
    built = {
        "funnel": _funnel(measured, names, language),
        "attribution": _attribution(measured, names, language),
        "time_to_convert": _time_to_convert(measured, language),
        "correlation": _correlation(measured, names, language),
    }
    return {key: spec for key, spec in built.items() if spec is not None}


def render_chart_svg(spec: dict[str, Any]) -> str:
    """Render one Vega-Lite spec to SVG with vl-convert (offline)."""
    try:
        import vl_convert
    except ImportError as error:  # pragma: no cover - depends on the install
        raise MissingDependencyError("vl-convert-python", "render", "Drawing charts") from error
    try:
        return str(vl_convert.vegalite_to_svg(spec))
    except ValueError as error:
        raise RenderError(f"Chart {spec.get('title')!r} could not be drawn: {error}") from error


def render_charts_svg(
    measured: Measured, names: dict[str, str], language: str = "en"
) -> dict[str, str]:
    """Every chart of :func:`chart_specs` as SVG markup."""
    return {
        key: render_chart_svg(spec) for key, spec in chart_specs(measured, names, language).items()
    }
