"""Vega's screen-reader phrases in a chart's SVG, in the report's language.

Vega labels each axis and legend for screen readers in English ("Y-axis titled 'Rejser' for a
linear scale with values from 0 to 160") and names each element's role ("rect mark"); vl-convert
has no locale for them. The titles and values inside are already the report's; the phrases
around them are read back by their English pattern and worded again through the catalogs. A
phrase of a shape not known here stays as Vega wrote it.
"""

from __future__ import annotations

import html
import re

from journeymap.i18n import N_, gettext

__all__ = ["translate_aria"]

_LABEL = re.compile(r'aria-label="([^"]*)"')
_ROLE = re.compile(r'aria-roledescription="([^"]*)"')

_GUIDE = re.compile(
    r"^(?P<head>[XY]-axis|Gradient legend|Symbol legend|Discrete legend)"
    r"(?: titled '(?P<title>.*)')? for (?P<what>.+?) with "
    r"(?:values from (?P<low>.+?) to (?P<high>.+)"
    r"|(?P<count>\d+) values?: (?P<values>.*?)(?:, ending with (?P<last>.*))?)$",
    re.S,
)
_HEADS = {
    "X-axis": N_("X-axis"),
    "Y-axis": N_("Y-axis"),
    "Gradient legend": N_("Colour scale legend"),
    "Symbol legend": N_("Symbol legend"),
    "Discrete legend": N_("Symbol legend"),
}
_WHAT = {
    "a linear scale": N_("for a linear scale"),
    "a log scale": N_("for a logarithmic scale"),
    "a discrete scale": N_("for a discrete scale"),
    "a time scale": N_("for a time scale"),
    "a utc scale": N_("for a time scale"),
    "a sqrt scale": N_("for a square-root scale"),
    "a pow scale": N_("for a power scale"),
    "a symlog scale": N_("for a symmetric log scale"),
    "fill color": N_("for the fill colour"),
    "stroke color": N_("for the line colour"),
    "size": N_("for the size"),
    "shape": N_("for the shape"),
    "opacity": N_("for the opacity"),
}
_TITLED = N_("titled '{title}'")
_RANGE = N_("with values from {low} to {high}")
_LIST = N_("with {count} values: {values}")
_ENDING = N_(", ending with {last}")
_ROLES = {
    "axis": N_("axis"),
    "legend": N_("legend"),
    "bar": N_("bar"),
    "point": N_("point"),
    "line": N_("line"),
    "area": N_("area"),
    "rect mark": N_("rectangle"),
    "text mark": N_("text"),
    "rule mark": N_("rule"),
    "symbol mark": N_("symbol"),
    "path mark": N_("path"),
    "group mark container": N_("group"),
    "rect mark container": N_("rectangles"),
    "text mark container": N_("texts"),
    "rule mark container": N_("rules"),
    "symbol mark container": N_("symbols"),
    "path mark container": N_("paths"),
}


def translate_aria(svg: str, language: str) -> str:
    """``svg`` with Vega's axis and legend labels and its role names in ``language``."""
    if language == "en":
        return svg

    def label(match: re.Match[str]) -> str:
        text = html.unescape(match[1])
        worded = _guide(text, language)
        if worded is None:
            return match[0]
        return f'aria-label="{html.escape(worded, quote=True)}"'

    def role(match: re.Match[str]) -> str:
        message = _ROLES.get(match[1])
        if message is None:
            return match[0]
        return f'aria-roledescription="{html.escape(gettext(message, language), quote=True)}"'

    return _ROLE.sub(role, _LABEL.sub(label, svg))


def _guide(text: str, language: str) -> str | None:
    """An axis' or a legend's label worded in ``language``; None for a shape not known here."""
    found = _GUIDE.match(text)
    if found is None or found["what"] not in _WHAT:
        return None
    parts = [gettext(_HEADS[found["head"]], language)]
    if found["title"] is not None:
        parts.append(gettext(_TITLED, language).format(title=found["title"]))
    parts.append(gettext(_WHAT[found["what"]], language))
    if found["low"] is not None:
        parts.append(gettext(_RANGE, language).format(low=found["low"], high=found["high"]))
    else:
        parts.append(gettext(_LIST, language).format(count=found["count"], values=found["values"]))
    text = " ".join(parts)
    if found["last"] is not None:
        text += gettext(_ENDING, language).format(last=found["last"])
    return text
