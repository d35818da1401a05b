"""Screen readers read a Danish or German report's charts in Danish or German.

Vega labels axes and legends in English ("Y-axis titled 'Nået' for a linear scale with values
from 0 to 3.000") and names elements' roles ("rect mark"); the SVG is worded again.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pyarrow as pa
import pytest

from journeymap.model import JourneyMap
from journeymap.render.charts import chart_specs, render_chart_svg
from journeymap.render.measured import measured_from

Pair = tuple[dict[str, pa.Table], dict[str, Any]]
ENGLISH = re.compile(r"\b(axis|legend|titled|scale|values|ending with|mark|container)\b")


def _aria(svg: str) -> tuple[list[str], list[str]]:
    labels = [html.unescape(v) for v in re.findall(r'aria-label="([^"]*)"', svg)]
    roles = [html.unescape(v) for v in re.findall(r'aria-roledescription="([^"]*)"', svg)]
    return labels, roles


def _charts(example_map: JourneyMap, example_measured: Pair, language: str) -> str:
    names = {tp.id: tp.name for tp in example_map.touchpoints}
    specs = chart_specs(measured_from(example_measured), names, language)
    assert {"funnel", "attribution", "correlation"} <= set(specs)
    return "".join(render_chart_svg(spec, language) for spec in specs.values())


@pytest.mark.parametrize(
    ("language", "axis", "legend"),
    [
        (
            "de",
            "Y-Achse mit dem Titel 'Erreicht' für eine lineare Skala mit Werten von 0 bis ",
            "Farbskalenlegende mit dem Titel",
        ),
        (
            "da",
            "Y-akse med titlen 'Nået' for en lineær skala med værdier fra 0 til ",
            "Farveskalaforklaring med titlen",
        ),
    ],
)
def test_axes_legends_and_roles_are_read_in_the_reports_language(
    example_map: JourneyMap, example_measured: Pair, language: str, axis: str, legend: str
) -> None:
    labels, roles = _aria(_charts(example_map, example_measured, language))
    guides = [label for label in labels if "-Achse" in label or "-akse" in label]
    assert len(guides) >= 4
    assert any(label.startswith(axis) for label in labels), guides
    assert any(label.startswith(legend) for label in labels)
    english = [label for label in labels if ENGLISH.search(label)]
    assert english == []
    assert roles and not [role for role in roles if ENGLISH.search(role)]


def test_english_keeps_vegas_own_words(example_map: JourneyMap, example_measured: Pair) -> None:
    labels, roles = _aria(_charts(example_map, example_measured, "en"))
    assert any(label.startswith("Y-axis titled 'Reached' for a linear scale") for label in labels)
    assert "rect mark" in roles
