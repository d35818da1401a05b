"""Danish and German reports read Danish and German: numbers, chart labels, counted nouns."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape
from typing import Any

import pyarrow as pa
import pytest

from journeymap.model import JourneyMap
from journeymap.render import render_map_svg, render_report_html
from journeymap.render.charts import chart_specs, model_name
from journeymap.render.measured import measured_from

Pair = tuple[dict[str, pa.Table], dict[str, Any]]
SVG = "{http://www.w3.org/2000/svg}"

SANKEY_LABELS = {
    "da": ("(konverteret)", "(faldet fra)", "Andre"),
    "de": ("(konvertiert)", "(abgesprungen)", "Sonstige"),
}
MODEL_NAMES = {
    "da": {"first_touch": "Første berøring", "markov": "Markov-kæde", "shapley": "Shapley-værdi"},
    "de": {"first_touch": "Erster Kontakt", "markov": "Markov-Kette", "shapley": "Shapley-Wert"},
}
ONE_EVENT = {"da": "1 hændelse", "de": "1 Ereignis"}


def _in(journey_map: JourneyMap, language: str) -> JourneyMap:
    return journey_map.model_copy(update={"language": language})


def _texts(markup: str) -> str:
    """The text a reader sees: every text node, entities decoded, no-break spaces as spaces."""
    markup = re.sub(r"<(style|script)\b.*?</\1>", "", markup, flags=re.S)
    nodes = (unescape(node).strip() for node in re.findall(r">([^<>]+)<", markup))
    return "\n".join(node for node in nodes if node).replace("\xa0", " ")


def _chart(html: str, chart_id: str) -> str:
    start = html.index(f'id="chart-{chart_id}"')
    return html[start : html.index("</figure>", start)]


def _headline(pair: Pair) -> Pair:
    tables, summary = pair
    return tables, {**summary, "journeys": 12330, "conversions": 1911, "conversion_rate": 0.155}


@pytest.mark.parametrize("language", ["da", "de"])
def test_summary_figures_use_the_languages_number_format(
    example_map: JourneyMap, example_measured: Pair, language: str
) -> None:
    text = _texts(render_report_html(_in(example_map, language), _headline(example_measured)))
    assert "12.330" in text and "1.911" in text and "15,5 %" in text
    assert "12,330" not in text and "15.5%" not in text
    assert not re.search(r"\d%", text)  # every percentage has its space: "52 %", not "52%"


def test_english_summary_figures_stay_as_they_were(
    example_map: JourneyMap, example_measured: Pair
) -> None:
    text = _texts(render_report_html(example_map, _headline(example_measured)))
    assert "12,330" in text and "1,911" in text and "15.5%" in text


@pytest.mark.parametrize("language", ["da", "de"])
def test_map_overlay_counts_and_shares_use_the_languages_number_format(
    example_map: JourneyMap, example_measured: Pair, language: str
) -> None:
    tables, summary = example_measured
    stats = [
        {**row, "events": 3094} if row["touchpoint"] == "search-ads" else row
        for row in tables["touchpoint_stats"].to_pylist()
    ]
    pair = ({**tables, "touchpoint_stats": pa.Table.from_pylist(stats)}, summary)
    root = ET.fromstring(render_map_svg(_in(example_map, language), pair))
    card = next(
        "".join(g.find(f"{SVG}text").itertext())  # type: ignore[union-attr]
        for g in root.iter(f"{SVG}g")
        if g.get("data-ref") == "search-ads" and g.get("data-lane") == "touchpoints"
    )
    noun = {"da": "hændelser", "de": "Ereignisse"}[language]
    assert f"Search ads — 3.094 {noun}, " in card
    assert re.search(r", \d+\xa0% \w", card), card  # its attribution share, "6 %"
    reached = [
        "".join(g.itertext()) for g in root.iter(f"{SVG}g") if g.get("data-lane") == "reached"
    ]
    assert any(re.fullmatch(r"\d+ \(\d+\xa0%\)", text) for text in reached), reached


@pytest.mark.parametrize("language", ["da", "de"])
def test_one_event_is_singular_and_apart_from_its_number(
    example_map: JourneyMap, example_measured: Pair, language: str
) -> None:
    # the test events hold one event of an unmapped touchpoint, fax_machine
    svg = render_map_svg(_in(example_map, language), example_measured)
    assert f"fax_machine — {ONE_EVENT[language]}<" in svg
    read = "".join(ET.fromstring(svg).itertext())
    # wrapped lines read as words ("3.094 hændelser"), not "3.094hændelser"
    assert re.findall(r"\d(?:hændelse|Ereignis)", read) == []
    assert len(re.findall(r"\d (?:hændelse|Ereignis)", read)) > 10


def test_english_keeps_its_event_counts(example_map: JourneyMap, example_measured: Pair) -> None:
    assert "fax_machine — 1 event<" in render_map_svg(example_map, example_measured)


@pytest.mark.parametrize("language", ["da", "de"])
def test_sankey_labels_its_made_up_nodes_in_the_language(
    example_map: JourneyMap, example_measured: Pair, language: str
) -> None:
    tables, summary = example_measured
    rows = [
        {"step": 1, "source": "blogs", "target": "(converted)", "journeys": 5},
        {"step": 1, "source": "blogs", "target": "(dropped)", "journeys": 4},
        {"step": 1, "source": "blogs", "target": "Other", "journeys": 3},
    ]
    pair = ({**tables, "sankey": pa.Table.from_pylist(rows)}, summary)
    sankey = _texts(_chart(render_report_html(_in(example_map, language), pair), "sankey"))
    converted, dropped, other = SANKEY_LABELS[language]
    assert f"{converted} (5)" in sankey and f"{dropped} (4)" in sankey and f"{other} (3)" in sankey
    assert "(converted)" not in sankey and "(dropped)" not in sankey and "Other" not in sankey


@pytest.mark.parametrize("language", ["da", "de"])
def test_attribution_chart_names_the_models_for_the_reader(
    example_map: JourneyMap, every_model_attribution: Pair, language: str
) -> None:
    html = render_report_html(_in(example_map, language), every_model_attribution)
    chart = _chart(html, "attribution")
    texts = re.findall(r"<text [^>]*>([^<]+)</text>", chart)
    for name in MODEL_NAMES[language].values():
        assert name in texts  # the column labels
    assert not {"first_touch", "shapley", "w_shaped"} & set(texts)
    legend = re.findall(r'role-legend-title"[^>]*><text [^>]*>([^<]+)</text>', chart)
    title = {"da": "Andel af konverteringer", "de": "Anteil an den Conversions"}[language]
    assert legend == [title]
    assert "10\xa0%" in texts  # a cell: "10 %", not "10%"
    note = {"da": "Deltagelse: andelen af konverteringer", "de": "Beteiligung: der Anteil"}
    assert f'class="note">{note[language]}' in html


@pytest.mark.parametrize("language", ["da", "de"])
def test_summary_names_the_attribution_model_in_the_language(
    example_map: JourneyMap, example_measured: Pair, language: str
) -> None:
    text = _texts(render_report_html(_in(example_map, language), example_measured))
    assert f"% ({MODEL_NAMES[language]['markov']})" in text
    assert "(markov)" not in text


@pytest.mark.parametrize("language", ["da", "de"])
def test_correlation_legend_is_in_the_language(
    example_map: JourneyMap, example_measured: Pair, language: str
) -> None:
    chart = _texts(
        _chart(render_report_html(_in(example_map, language), example_measured), "correlation")
    )
    direction, positive, negative = {
        "da": ("Retning", "positiv", "negativ"),
        "de": ("Richtung", "positiv", "negativ"),
    }[language]
    lines = chart.splitlines()
    assert direction in lines and positive in lines and negative in lines
    assert "direction" not in lines and "positive" not in lines


@pytest.mark.parametrize(("language", "decimal", "thousands"), [("da", ",", "."), ("de", ",", ".")])
def test_chart_specs_carry_the_languages_number_locale(
    example_map: JourneyMap, example_measured: Pair, language: str, decimal: str, thousands: str
) -> None:
    measured = measured_from(example_measured)
    assert measured is not None
    for spec in chart_specs(measured, {}, language).values():
        number = spec["config"]["locale"]["number"]
        assert (number["decimal"], number["thousands"], number["grouping"]) == (
            decimal,
            thousands,
            [3],
        )
    # the correlation's log axis shows a decimal tick and thousands: "0,1" and "1.000"
    chart = _chart(render_report_html(_in(example_map, language), example_measured), "correlation")
    ticks = re.findall(r'role-axis-label"[^>]*>(.*?)</g>', chart, flags=re.S)
    labels = re.findall(r"<text [^>]*>([^<]+)</text>", "".join(ticks))
    assert "0,1" in labels and "0.1" not in labels


def test_english_charts_name_the_models_and_keep_vegas_own_locale(
    example_map: JourneyMap, example_measured: Pair
) -> None:
    measured = measured_from(example_measured)
    assert measured is not None
    specs = chart_specs(measured, {}, "en")
    assert all("locale" not in spec["config"] for spec in specs.values())
    models = {row["model"] for row in specs["attribution"]["data"]["values"]}
    ids = set(example_measured[0]["attribution"].column("model").to_pylist())
    assert models == {model_name(model) for model in ids}
    assert "Last touch" in models and "last_touch" not in models
