"""The bar on a touchpoint card: the share of its journeys that ended there without converting."""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET
from typing import Any

import pyarrow as pa
import pytest

from journeymap.analysis import Analysis, analyze
from journeymap.model import JourneyMap
from journeymap.render import render_map_svg
from journeymap.render.layout import PADDING
from journeymap.render.map_svg import ended_here_colour

SVG = "{http://www.w3.org/2000/svg}"

# (touchpoint, phase, conversion) per event, one journey per person, in time order.
JOURNEYS: dict[str, list[tuple[str, str, bool]]] = {
    "p1": [("ad", "look", False), ("shop", "look", False), ("checkout", "buy", True)],
    "p2": [("ad", "look", False), ("shop", "buy", False)],  # ends at shop (phase buy)
    "p3": [("ad", "look", False)],  # ends at ad
    "p4": [("shop", "look", False), ("ad", "look", False)],  # ends at ad
    "p5": [("ad", "look", False), ("shop", "look", False), ("checkout", "buy", False)],
    "p6": [("shop", "look", True)],  # converts at shop: no drop-off
    "p7": [("shop", "look", False)],  # ends at shop (phase look)
    "p8": [("fax", "look", False)],  # a touchpoint not on the map
}
# Worked by hand from JOURNEYS: (journeys that touched it, of them ended there unconverted).
EXPECTED = {"ad": (5, 2), "shop": (6, 2), "checkout": (2, 1)}


def _map(language: str = "en") -> JourneyMap:
    return JourneyMap.model_validate(
        {
            "id": "accents",
            "name": "Accents",
            "language": language,
            "phases": [
                {"id": "look", "name": "Look", "order": 1},
                {"id": "buy", "name": "Buy", "order": 2},
            ],
            "touchpoints": [
                {"id": "ad", "name": "Ad", "phases": ["look"]},
                {"id": "shop", "name": "Online shop", "phases": ["look", "buy"]},
                {"id": "checkout", "name": "Checkout", "phases": ["buy"]},
                {"id": "fair", "name": "Trade fair", "phases": ["look"]},
            ],
        }
    )


def _events() -> pa.Table:
    start = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    rows: list[dict[str, Any]] = []
    for number, (person, steps) in enumerate(JOURNEYS.items()):
        for step, (touchpoint, phase, conversion) in enumerate(steps):
            rows.append(
                {
                    "person_id": person,
                    "account_id": None,
                    "ts": start + dt.timedelta(days=number, minutes=10 * step),
                    "touchpoint": touchpoint,
                    "phase": phase,
                    "persona": None,
                    "conversion": conversion,
                    "value": 10.0 if conversion else None,
                    "source": "test",
                }
            )
    return pa.Table.from_pylist(rows)


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return analyze(_map(), _events(), attribution=False)


def _cards(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [g for g in root.iter(f"{SVG}g") if "jm-touchpoint" in g.get("class", "").split()]


def _legend(root: ET.Element) -> tuple[ET.Element, str]:
    [legend] = [g for g in root.iter(f"{SVG}g") if g.get("class") == "jm-ended-legend"]
    words = " ".join("".join(t.itertext()) for t in legend.iter(f"{SVG}text")).split()
    return legend, " ".join(words)


def test_the_tables_hold_the_hand_counted_journeys(analysis: Analysis) -> None:
    touched = {
        r["touchpoint"]: r["journeys"] for r in analysis.tables["touchpoint_stats"].to_pylist()
    }
    ended: dict[str, int] = {}
    for row in analysis.tables["dropoff"].to_pylist():
        ended[row["last_touchpoint"]] = ended.get(row["last_touchpoint"], 0) + row["journeys"]
    for touchpoint, (journeys, ended_here) in EXPECTED.items():
        assert (touched[touchpoint], ended.get(touchpoint, 0)) == (journeys, ended_here)
    # shop's unconverted ends lie in two phases: the bar must add them up
    assert {
        r["last_phase"]
        for r in analysis.tables["dropoff"].to_pylist()
        if r["last_touchpoint"] == "shop"
    } == {"look", "buy"}


EXIT = "journeys that touched it did not convert and touched it last (exit touchpoint)"


def test_bar_and_tooltip_give_the_share_that_ended_there(analysis: Analysis) -> None:
    svg = render_map_svg(_map(), analysis)
    seen: dict[str, int] = {}
    for card in _cards(svg):
        ref = card.get("data-ref", "")
        bars = card.findall(f"{SVG}g[@class='jm-ended']")
        if ref not in EXPECTED:
            assert bars == [] and card.find(f"{SVG}title") is None, ref
            continue
        seen[ref] = seen.get(ref, 0) + 1
        journeys, ended = EXPECTED[ref]
        share = ended / journeys
        title = card.find(f"{SVG}title")
        assert title is not None
        assert title.text == (
            f"{share:.0%} of the {journeys} journeys that touched it did not convert and "
            "touched it last (exit touchpoint)"
        )
        [bar] = bars
        assert bar.get("data-journeys") == str(journeys)
        assert bar.get("data-ended") == str(ended)
        assert float(bar.get("data-share", "")) == pytest.approx(share, abs=1e-4)
        track, fill = bar.findall(f"{SVG}rect")
        card_width = float(card.findall(f"{SVG}rect")[0].get("width", ""))
        assert float(track.get("width", "")) == pytest.approx(card_width - 2 * PADDING, abs=0.1)
        assert float(fill.get("width", "")) == pytest.approx(
            share * (card_width - 2 * PADDING), abs=0.1
        )
        assert fill.get("fill") == ended_here_colour(share)
    # shop is drawn in both its phases, with the same touchpoint-wide figure
    assert seen == {"ad": 1, "shop": 2, "checkout": 1}
    titles = {t.text for t in ET.fromstring(svg).iter(f"{SVG}title")}
    assert f"40% of the 5 {EXIT}" in titles
    assert f"33% of the 6 {EXIT}" in titles
    assert f"50% of the 2 {EXIT}" in titles


def test_legend_explains_the_bar(analysis: Analysis) -> None:
    root = ET.fromstring(render_map_svg(_map(), analysis))
    legend, text = _legend(root)
    assert (
        "(exit touchpoint): of the journeys that touched it, the share that did not convert" in text
    )
    assert "0%" in text and "100%" in text
    # the legend sits below every box, inside the drawing
    height = float(root.get("height", ""))
    top = float(legend.get("transform", "").split()[1].rstrip(")"))
    bottoms = [
        float(r.get("y", "")) + float(r.get("height", ""))
        for g in root.iter(f"{SVG}g")
        if "jm-box" in g.get("class", "")
        for r in g.findall(f"{SVG}rect")[:1]
    ]
    assert max(bottoms) <= top < height


def test_without_an_analysis_there_is_no_bar_and_no_legend() -> None:
    svg = render_map_svg(_map())
    assert "jm-ended" not in svg and "<title>" not in svg


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "da",
            "40\xa0% af de 5 rejser, der berørte det, konverterede ikke og berørte det til "
            "sidst (udgangs-touchpoint)",
        ),
        (
            "de",
            "40\xa0% der 5 Journeys, die ihn berührten, konvertierten nicht und berührten ihn "
            "zuletzt (Exit-Touchpoint)",
        ),
    ],
)
def test_tooltip_and_legend_are_translated(
    analysis: Analysis, language: str, expected: str
) -> None:
    svg = render_map_svg(_map(language), analysis)
    [ad] = [card for card in _cards(svg) if card.get("data-ref") == "ad"]
    title = ad.find(f"{SVG}title")
    assert title is not None and title.text == expected
    legend = {"da": "ikke konverterede og berørte det til sidst", "de": "ihn zuletzt berührte"}
    assert legend[language] in _legend(ET.fromstring(svg))[1]


def test_one_journey_is_named_in_the_singular() -> None:
    events = _events().filter(pa.compute.equal(_events()["person_id"], "p3"))
    svg = render_map_svg(_map(), analyze(_map(), events, attribution=False))
    [ad] = [card for card in _cards(svg) if card.get("data-ref") == "ad"]
    title = ad.find(f"{SVG}title")
    assert title is not None
    assert title.text == (
        "100% of the 1 journey that touched it did not convert and touched it last "
        "(exit touchpoint)"
    )


def test_scale_darkens_steadily_so_it_reads_without_red_green() -> None:
    def luminance(colour: str) -> float:
        red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    steps = [luminance(ended_here_colour(i / 10)) for i in range(11)]
    assert all(a > b for a, b in itertools.pairwise(steps))
    assert steps[0] - steps[-1] > 0.5
    assert ended_here_colour(-1) == ended_here_colour(0) and ended_here_colour(2) == "#993404"


def test_the_legend_names_the_model_of_the_attribution_shares_on_the_cards() -> None:
    """A map image on its own said '12 % attribution' without saying under which model."""
    with_attribution = analyze(_map(), _events())
    _, words = _legend(ET.fromstring(render_map_svg(_map(), with_attribution)))
    assert "Attribution on a touchpoint: its share of the conversions under Markov chain" in words
    _, danish = _legend(ET.fromstring(render_map_svg(_map("da"), with_attribution)))
    assert "Attribution på et touchpoint: dets andel af konverteringerne under" in danish


def test_without_attribution_the_legend_names_no_model(analysis: Analysis) -> None:
    _, words = _legend(ET.fromstring(render_map_svg(_map(), analysis)))
    assert "Attribution on a touchpoint" not in words
