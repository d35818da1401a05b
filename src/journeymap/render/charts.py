"""Charts of an analysis as Vega-Lite specs, rendered offline to SVG by vl-convert.

The specs are plain Vega-Lite JSON dicts (what altair would produce), so the same spec serves
the static SVG/PNG/PDF (vl-convert, no browser, no network) and an interactive view (vega-embed).
Outside English, each spec carries the language's number locale (``config.locale``: decimal
sign, thousands separator, ``15 %``), and the reader sees model and direction names, not ids.

Vega writes an ARIA label for every mark into the SVG ("Phase: Awareness; Reached: 2,999"),
made of each encoded field's title and its formatted value: every field therefore has a
translated title (shown on no axis where the axis needs none) and a number format, else a
Danish report read "ci_high: 25568,7129192". Vega's own phrases around the axes and legends
("Y-axis titled ...") and its role names ("rect mark") are worded again in the SVG
(:mod:`journeymap.render._aria`): vl-convert has no locale for them.

The spec's frame, number formats and locale are in :mod:`journeymap.render._chart_spec`, the
attribution heatmap in :mod:`journeymap.render._attribution_chart`.
"""

from __future__ import annotations

import re
from typing import Any

from journeymap.attribution._names import model_name
from journeymap.errors import MissingDependencyError, RenderError
from journeymap.i18n import N_, format_percent, format_share, gettext
from journeymap.render._aria import translate_aria
from journeymap.render._attribution_chart import _attribution
from journeymap.render._chart_spec import COUNT_FORMAT, RATIO_FORMAT, TIME_FORMAT, _spec
from journeymap.render.measured import Measured

__all__ = ["chart_specs", "model_name", "render_chart_svg", "render_charts_svg"]

DIRECTIONS = {
    "positive": N_("positive"),
    "negative": N_("negative"),
    "none": N_("no clear direction"),
}


def _direction(direction: str, language: str) -> str:
    return gettext(DIRECTIONS[direction], language) if direction in DIRECTIONS else direction


def _funnel(measured: Measured, names: dict[str, str], language: str) -> dict[str, Any] | None:
    rows = [r for r in measured.rows("phase_funnel") if not r.get("breakdown")]
    if not rows:
        return None
    data = [
        {
            "phase": names.get(str(r["phase"]), str(r.get("phase_name") or r["phase"])),
            "step": int(r["step"]),
            "reached": int(r["reached"] or 0),
            "dropoff": _dropoff_label(r, language),
        }
        for r in rows
    ]
    reached = {
        "field": "reached",
        "type": "quantitative",
        "title": gettext(N_("Reached"), language),
        "format": COUNT_FORMAT,
    }
    x = {
        "field": "phase",
        "type": "ordinal",
        "sort": {"field": "step"},
        "title": gettext(N_("Phase"), language),
        "axis": {"title": None},
    }
    # Without it a reader took "0%" over a phase whose next bar is much lower for an error:
    # journeys that converted and went no further are not drop-offs.
    title = {
        "text": gettext(N_("Funnel with drop-off"), language),
        "subtitle": gettext(
            N_(
                "Above each bar: of the journeys that reached the phase, the share that got "
                "no further in the funnel and did not convert; a journey that converted is no "
                "drop-off."
            ),
            language,
        ),
    }
    return _spec(
        title,
        data,
        {
            "layer": [
                {
                    "mark": {"type": "bar", "color": "#4e79a7"},
                    "encoding": {"x": x, "y": reached},
                },
                {
                    "mark": {"type": "text", "dy": -8, "color": "#d62728"},
                    "encoding": {
                        "x": x,
                        "y": reached,
                        "text": {"field": "dropoff", "title": gettext(N_("Drop-off"), language)},
                    },
                },
            ]
        },
        language,
        COUNT_FORMAT,
    )


def _dropoff_label(row: dict[str, Any], language: str) -> str:
    """A phase's drop-off above its bar: ``-36 %``, ``-0.2 %``, ``0 %`` (not ``-0 %``).

    ``–`` where no journey came: there is no rate, and "0 %" read as "nobody was lost".
    """
    if not int(row.get("reached") or 0):
        return "–"
    share = format_share(float(row.get("dropoff_rate") or 0), language)
    return share if share == format_percent(0, language) or share[0] == "<" else f"-{share}"


# The unit of the time-to-convert axis: the largest that the longest time spans twice.
# Each unit as an axis title and as a word inside "To (days)".
TIME_UNITS = (
    (86400, N_("Days"), N_("days")),
    (3600, N_("Hours"), N_("hours")),
    (60, N_("Minutes"), N_("minutes")),
    (1, N_("Seconds"), N_("seconds")),
)


def _time_to_convert(measured: Measured, language: str) -> dict[str, Any] | None:
    rows = measured.rows("time_to_convert_histogram")
    # Every conversion at its journey's first moment: the data carry no times to show (a
    # constant timestamp, one row per session), and a chart would draw one bar at 0.
    if not any(int(r["journeys"] or 0) for r in rows if float(r["bin_start_seconds"]) > 0):
        return None
    longest = max(float(r["bin_end_seconds"]) for r in rows)
    unit, unit_name, unit_word = next(
        (u, name, word) for u, name, word in TIME_UNITS if longest >= 2 * u or u == 1
    )
    unit_word = gettext(unit_word, language)
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
                    # The bar's start reads "Days: 12.3" to a screen reader; the axis keeps
                    # the unit alone, not merged with the end's title.
                    "title": gettext(unit_name, language),
                    "format": TIME_FORMAT,
                    "axis": {"title": gettext(unit_name, language)},
                },
                "x2": {
                    "field": "to",
                    "title": gettext(N_("To ({unit})"), language).format(unit=unit_word),
                },
                "y2": {"datum": 0},
                "y": {
                    "field": "journeys",
                    "type": "quantitative",
                    "title": gettext(N_("Journeys"), language),
                    "format": COUNT_FORMAT,
                },
            },
        },
        language,
        TIME_FORMAT,
    )


def _correlation(measured: Measured, names: dict[str, str], language: str) -> dict[str, Any] | None:
    rows = [
        r
        for r in measured.rows("correlation")
        if not r.get("breakdown") and r.get("odds_ratio") is not None
    ]
    if not rows:
        return None
    data: list[dict[str, Any]] = [
        {
            "touchpoint": names.get(str(r["touchpoint"]), str(r["touchpoint"])),
            "odds_ratio": float(r["odds_ratio"]),
            "ci_low": float(r["ci_low"] if r.get("ci_low") is not None else r["odds_ratio"]),
            "ci_high": float(r["ci_high"] if r.get("ci_high") is not None else r["odds_ratio"]),
            "direction": _direction(str(r.get("direction") or ""), language),
        }
        for r in rows
    ]
    # The rule and the point share one axis, titled once; their fields are titled for the
    # marks' ARIA labels.
    axis = {"title": gettext(N_("Odds ratio of converting"), language)}
    # Strongest link with converting first. The order is given as a list: "-x" sorts nothing
    # in a layer whose two marks encode different x fields (the touchpoints came out in
    # alphabetical order, "Traffic type 10" before "Traffic type 2").
    ranked = sorted(data, key=lambda d: (-d["odds_ratio"], d["touchpoint"]))
    y = {
        "field": "touchpoint",
        "type": "nominal",
        "sort": list(dict.fromkeys(d["touchpoint"] for d in ranked)),
        "title": gettext(N_("touchpoint"), language),
        "axis": {"title": None},
    }
    log = {"type": "log"}
    # "Drop-off correlation" read in Danish as a link with dropping off ("Sammenhæng med
    # frafald"), while the ratio is one of converting.
    title = {
        "text": gettext(N_("Touchpoints and converting"), language),
        "subtitle": gettext(
            N_(
                "Odds ratio of converting for journeys that met the touchpoint against those "
                "that did not, with its confidence interval; above 1 they converted more "
                "often. Grey: the interval includes 1, no clear direction."
            ),
            language,
        ),
    }
    return _spec(
        title,
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
                            "title": gettext(N_("Lower confidence limit"), language),
                            "format": RATIO_FORMAT,
                            "axis": axis,
                        },
                        "x2": {
                            "field": "ci_high",
                            "title": gettext(N_("Upper confidence limit"), language),
                        },
                    },
                },
                {
                    "mark": {"type": "point", "filled": True, "size": 60},
                    "encoding": {
                        "y": y,
                        "x": {
                            "field": "odds_ratio",
                            "type": "quantitative",
                            "scale": log,
                            "title": gettext(N_("Odds ratio"), language),
                            "format": RATIO_FORMAT,
                            "axis": axis,
                        },
                        "color": {
                            "field": "direction",
                            "type": "nominal",
                            "title": gettext(N_("Direction"), language),
                            "scale": {
                                "domain": [
                                    gettext(DIRECTIONS["positive"], language),
                                    gettext(DIRECTIONS["negative"], language),
                                    gettext(DIRECTIONS["none"], language),
                                ],
                                # Blue and orange (Okabe-Ito): green and red look
                                # alike to red-green colour-blind readers.
                                "range": ["#0072b2", "#d55e00", "#999999"],
                            },
                        },
                    },
                },
            ]
        },
        language,
        RATIO_FORMAT,
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


def render_chart_svg(spec: dict[str, Any], language: str = "en") -> str:
    """Render one Vega-Lite spec to SVG with vl-convert (offline), read aloud in ``language``."""
    try:
        import vl_convert
    except ImportError as error:  # pragma: no cover - depends on the install
        raise MissingDependencyError("vl-convert-python", "render", "Drawing charts") from error
    try:
        svg = str(vl_convert.vegalite_to_svg(spec))
    except ValueError as error:
        raise RenderError(f"Chart {spec.get('title')!r} could not be drawn: {error}") from error
    return translate_aria(_gradients_in_user_space(svg), language)


# Vega draws a colour legend's bar as a path from the origin filled with a linear gradient in
# the bar's bounding box ("M0,0h16v200h-16Z", x1 0 y1 1 x2 0 y2 0).
_GRADIENT_BAR = re.compile(r'd="M0,0h([\d.]+)v([\d.]+)h-[\d.]+Z"[^>]*?fill="url\(#([\w-]+)\)"')
_GRADIENT = re.compile(
    r'<linearGradient id="([\w-]+)" x1="([\d.]+)" x2="([\d.]+)" y1="([\d.]+)" y2="([\d.]+)">'
)


def _gradients_in_user_space(svg: str) -> str:
    """The legend gradients in the bar's own coordinates instead of its bounding box.

    WeasyPrint paints a bounding-box gradient on a path as a speck at the bar's top, so the
    PDF's attribution legend showed its labels (0% to 100%) beside no colour at all; the
    same gradient in user space is painted in full, and browsers draw both alike.
    """
    bars = {match[3]: (float(match[1]), float(match[2])) for match in _GRADIENT_BAR.finditer(svg)}

    def in_user_space(match: re.Match[str]) -> str:
        gradient = match[1]
        if gradient not in bars:
            return match[0]
        width, height = bars[gradient]
        x1, x2, y1, y2 = (float(match[i]) for i in range(2, 6))
        return (
            f'<linearGradient id="{gradient}" gradientUnits="userSpaceOnUse" '
            f'x1="{x1 * width:g}" x2="{x2 * width:g}" y1="{y1 * height:g}" y2="{y2 * height:g}">'
        )

    return _GRADIENT.sub(in_user_space, svg)


def render_charts_svg(
    measured: Measured, names: dict[str, str], language: str = "en"
) -> dict[str, str]:
    """Every chart of :func:`chart_specs` as SVG markup."""
    return {
        key: render_chart_svg(spec, language)
        for key, spec in chart_specs(measured, names, language).items()
    }
