"""The Vega-Lite plumbing every chart shares: the spec's frame, number formats and locale.

Each chart's spec is a plain Vega-Lite JSON dict; :func:`_spec` wraps a chart's body with the
schema, width, data and config. Outside English the config carries the language's number
locale (``config.locale``: decimal sign, thousands separator, ``15 %``), from Babel's CLDR
symbols.
"""

from __future__ import annotations

from typing import Any

from journeymap.i18n import format_percent, number_symbols

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
WIDTH = 560
# d3 number formats (the separators come from the spec's locale): counts grouped, shares
# and ratios to at most one or two decimals ("~" drops trailing zeros).
COUNT_FORMAT = ",d"
SHARE_FORMAT = ".1~%"
RATIO_FORMAT = ",.2~f"
TIME_FORMAT = ",.1~f"


def _number_locale(language: str) -> dict[str, Any]:
    """Vega's number locale (d3-format) for ``language``, from Babel's CLDR symbols."""
    decimal, thousands = number_symbols(language)
    # The percent sign with the spacing the language puts before it ("15 %" in Danish).
    percent = format_percent(0, language).removeprefix("0")
    return {"decimal": decimal, "thousands": thousands, "grouping": [3], "percent": percent}


def _spec(
    title: str | dict[str, Any],
    data: list[dict[str, Any]],
    body: dict[str, Any],
    language: str,
    number_format: str,
) -> dict[str, Any]:
    # The number format of every field that sets none: the second field of a range (x2)
    # takes no format of its own, and Vega's default prints a float's every digit.
    config: dict[str, Any] = {"font": "DejaVu Sans", "numberFormat": number_format}
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
