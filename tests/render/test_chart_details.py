"""Details a reader of the charts meets: Sankey labels that fit, and charts that speak the
report's language to a screen reader, with rounded numbers and no "-0 %"."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from journeymap.i18n import format_integer, gettext
from journeymap.model import JourneyMap
from journeymap.render import render_report_html
from journeymap.render.charts import chart_specs, render_chart_svg
from journeymap.render.layout import CHAR_WIDTH_EM
from journeymap.render.measured import measured_from
from journeymap.render.sankey import render_sankey_svg

Pair = tuple[dict[str, pa.Table], dict[str, Any]]
SVG = "{http://www.w3.org/2000/svg}"
LONG_NAME = "Recommendations (word of mouth)"


@dataclass(frozen=True)
class Box:
    """A text's box, its width estimated as the map layout estimates it."""

    text: str
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )


def _text_boxes(root: ET.Element) -> list[Box]:
    """Every <text> of the drawing (node labels and column titles) as a box."""
    boxes = []
    for text in root.iter(f"{SVG}text"):
        size = float(text.get("font-size", "10"))
        spans = text.findall(f"{SVG}tspan") or [text]
        lines = [(float(s.get("y", text.get("y", "0"))), s.text or "") for s in spans]
        widest = max(len(line) for _, line in lines)
        left = float(text.get("x", "0"))
        boxes.append(
            Box(
                " ".join(line for _, line in lines),
                left,
                lines[0][0] - 0.93 * size,  # DejaVu Sans' ascent above the first line
                left + widest * CHAR_WIDTH_EM * size,
                lines[-1][0] + 0.24 * size,  # and its descent below the last
            )
        )
    return boxes


def _nodes(rows: list[dict[str, Any]]) -> dict[tuple[int, str], int]:
    """Each node (step, name) of the rows with its journeys, as the Sankey counts them."""
    inflow: dict[tuple[int, str], int] = defaultdict(int)
    outflow: dict[tuple[int, str], int] = defaultdict(int)
    for row in rows:
        outflow[(row["step"], row["source"])] += row["journeys"]
        inflow[(row["step"] + 1, row["target"])] += row["journeys"]
    return {n: max(inflow[n], outflow[n]) for n in set(inflow) | set(outflow)}


def _crowded_rows() -> list[dict[str, Any]]:
    """Three steps; the second has a long name and, below the big nodes, many tiny ones."""
    rows = [
        {"step": 1, "source": "search", "target": "long", "journeys": 480},
        {"step": 1, "source": "search", "target": "print", "journeys": 436},
        {"step": 1, "source": "radio", "target": "print", "journeys": 300},
    ]
    rows += [
        {"step": 1, "source": "radio", "target": f"tiny{i}", "journeys": 1 + i % 3}
        for i in range(12)
    ]
    rows += [
        {"step": 2, "source": "long", "target": "(converted)", "journeys": 200},
        {"step": 2, "source": "long", "target": "(dropped)", "journeys": 280},
        {"step": 2, "source": "print", "target": "(dropped)", "journeys": 736},
    ]
    rows += [
        {"step": 2, "source": f"tiny{i}", "target": "(dropped)", "journeys": 1 + i % 3}
        for i in range(12)
    ]
    return rows


NAMES = {
    "search": "Search ads",
    "radio": "Radio and TV",
    "print": "Print",
    "long": LONG_NAME,
    **{f"tiny{i}": f"Tiny touchpoint number {i}" for i in range(12)},
}


def _example_rows(pair: Pair) -> list[dict[str, Any]]:
    return [
        {k: (int(v) if k in ("step", "journeys") else str(v)) for k, v in row.items()}
        for row in pair[0]["sankey"].to_pylist()
    ]


def _cases(example_map: JourneyMap, example_measured: Pair) -> Iterator[tuple[Any, ...]]:
    names = {tp.id: tp.name for tp in example_map.touchpoints}
    for language in ("en", "da", "de"):
        yield _crowded_rows(), NAMES, language
        yield _example_rows(example_measured), names, language


def test_sankey_labels_neither_overlap_nor_reach_into_the_next_column(
    example_map: JourneyMap, example_measured: Pair
) -> None:
    # The labels were cut after 23 characters whatever the room, ran across the next
    # column ("(4 36)") and the tiny nodes' labels piled up over each other.
    for rows, names, language in _cases(example_map, example_measured):
        root = ET.fromstring(render_sankey_svg(rows, names, language))
        columns = sorted(
            {
                float(node.find(f"{SVG}rect").get("x", "0"))  # type: ignore[union-attr]
                for node in root.iter(f"{SVG}g")
                if node.get("class") == "jm-sankey-node"
            }
        )
        width = float(root.get("width", "0"))
        boxes = _text_boxes(root)
        assert len(boxes) > len(columns)
        for a, b in itertools.combinations(boxes, 2):
            assert not a.overlaps(b), (language, a, b)
        for box in boxes:
            column = max(x for x in columns if x <= box.left + 0.5)
            following = [x for x in columns if x > column] or [width]
            assert box.right <= following[0], (language, box, following[0])


def test_every_sankey_node_names_itself_and_its_journeys_in_a_tooltip() -> None:
    rows = _crowded_rows()
    for language, journeys in (("en", "journey"), ("da", "rejse"), ("de", "Journey")):
        root = ET.fromstring(render_sankey_svg(rows, NAMES, language))
        expected = _nodes(rows)
        seen = set()
        for node in root.iter(f"{SVG}g"):
            if node.get("class") != "jm-sankey-node":
                continue
            key = (int(node.get("data-step", "0")), node.get("data-ref", ""))
            title = node.find(f"{SVG}title")
            assert title is not None and title.text, key
            # The full name: a touchpoint's, or the made-up node's in the language.
            name = NAMES.get(key[1], gettext(key[1], language))
            assert f" {name}: " in title.text, title.text
            assert f"{format_integer(expected[key], language)} {journeys}" in title.text
            seen.add(key)
        assert seen == set(expected)


def test_a_long_name_is_shortened_at_a_word_and_tiny_nodes_share_a_label() -> None:
    root = ET.fromstring(render_sankey_svg(_crowded_rows(), NAMES, "en"))
    shown = [box.text for box in _text_boxes(root)]
    # The long name, wrapped or cut after a whole word, never inside one.
    long_label = next(text for text in shown if text.startswith("Recommendations"))
    assert long_label.endswith("(480)")
    name = long_label.removesuffix(" (480)").removesuffix("…")
    assert name == LONG_NAME or LONG_NAME.startswith(name + " "), long_label
    # Too small for a line each, the tiny nodes get no label of their own (but the lowest,
    # with the room below the column)...
    own = [text for text in shown if text.startswith("Tiny")]
    assert len(own) <= 1, own
    # ...and share one that adds them up, naming each in its tooltip.
    shared = [g for g in root.iter(f"{SVG}g") if g.get("class") == "jm-sankey-label"]
    more = [g for g in shared if (g.findtext(f"{SVG}title") or "").startswith("Tiny")]
    assert len(more) == 1, shown
    counted = re.fullmatch(r"(\d+) more \((\d+)\)", more[0].findtext(f"{SVG}text/{SVG}tspan") or "")
    assert counted is not None
    tooltip = more[0].findtext(f"{SVG}title") or ""
    merged = re.findall(r"Tiny touchpoint number \d+ \((\d)\)", tooltip)
    assert int(counted.group(1)) == len(merged) == 12 - len(own)
    assert int(counted.group(2)) == sum(int(n) for n in merged)


@pytest.mark.parametrize(
    ("language", "step", "outcome"),
    [("en", "Step", "Outcome"), ("da", "Trin", "Udfald"), ("de", "Schritt", "Ergebnis")],
)
def test_sankey_columns_are_titled(language: str, step: str, outcome: str) -> None:
    root = ET.fromstring(render_sankey_svg(_crowded_rows(), NAMES, language))
    titles = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "jm-sankey-step"]
    # The last column holds only where journeys ended.
    assert titles == [f"{step} 1", f"{step} 2", outcome]


# Field names of the chart data, as Vega wrote them into the ARIA labels.
FIELD_NAMES = re.compile(
    r"\b(?:ci_low|ci_high|odds_ratio|from_touchpoint|to_touchpoint|dropoff_rate)\b"
    r"|\b(?:phase|reached|dropoff|model|touchpoint|label|share|from|to|journeys|direction):"
)
# More than three decimals: "12,6087962963", "25568.7129192".
UNROUNDED = re.compile(r"\d[.,]\d{4,}")


def _aria_texts(svg: str) -> list[str]:
    return re.findall(r'aria-label="([^"]*)"', svg) + re.findall(r"<desc>([^<]*)</desc>", svg)


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("da", ("Nedre konfidensgrænse: ", "Oddsratio: ", "Fase: ", "Frafald: ", "Til (dage): ")),
        (
            "de",
            ("Untere Konfidenzgrenze: ", "Odds Ratio: ", "Phase: ", "Absprung: ", "Bis (Tage): "),
        ),
    ],
)
def test_chart_aria_texts_speak_the_language_with_rounded_numbers(
    example_map: JourneyMap, example_measured: Pair, language: str, phrases: tuple[str, ...]
) -> None:
    measured = measured_from(example_measured)
    assert measured is not None
    names = {tp.id: tp.name for tp in example_map.touchpoints}
    specs = chart_specs(measured, names, language)
    assert set(specs) == {"funnel", "attribution", "time_to_convert", "correlation"}
    texts = [text for spec in specs.values() for text in _aria_texts(render_chart_svg(spec))]
    assert len(texts) > 100
    assert [t for t in texts if FIELD_NAMES.search(t)] == []
    assert [t for t in texts if UNROUNDED.search(t)] == []
    joined = "\n".join(texts)
    for phrase in phrases:
        assert phrase in joined, phrase


def _without_dropoff_at_the_end(pair: Pair) -> Pair:
    """The pair with a funnel whose last phases lose nobody, or a share that rounds to 0 %."""
    tables, summary = pair
    rows = [row for row in tables["phase_funnel"].to_pylist() if not row.get("breakdown")]
    rows[-2]["dropoff_rate"] = 0.0
    rows[-1]["dropoff_rate"] = 0.003
    return {**tables, "phase_funnel": pa.Table.from_pylist(rows)}, summary


@pytest.mark.parametrize("language", ["en", "da", "de"])
def test_no_chart_label_reads_minus_or_plus_zero(example_measured: Pair, language: str) -> None:
    # A phase that loses nobody (every journey there converts) read "-0 %".
    measured = measured_from(_without_dropoff_at_the_end(example_measured))
    assert measured is not None
    specs = chart_specs(measured, {}, language)
    funnel = render_chart_svg(specs["funnel"])
    labels = [t.replace("\xa0", " ") for t in re.findall(r"<text[^>]*>([^<]*)</text>", funnel)]
    assert sum(label in ("0%", "0 %") for label in labels) == 1, labels
    # 0.3 % is a drop-off, not "0 %": written as the summary writes a small share.
    assert sum(label in ("-0.3%", "-0,3 %") for label in labels) == 1, labels
    for spec in specs.values():
        svg = render_chart_svg(spec)
        shown = re.findall(r"<text[^>]*>([^<]*)</text>", svg) + _aria_texts(svg)
        assert [t for t in shown if re.search(r"(?<![\d.,])[-+\u2212]0(?![\d.,])", t)] == []


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "de"])
def test_sankey_labels_fit_in_chromium(
    example_map: JourneyMap, example_measured: Pair, tmp_path: Path, language: str
) -> None:
    """The width estimate holds for the glyphs the browser draws (the report's DejaVu Sans)."""
    from playwright.sync_api import sync_playwright

    tables, summary = example_measured
    # The crowded Sankey with the map's touchpoints, so that the report shows their names.
    ids = iter(tp.id for tp in example_map.touchpoints if tp.name != LONG_NAME)
    long_id = next(tp.id for tp in example_map.touchpoints if tp.name == LONG_NAME)
    on_map = {key: long_id if key == "long" else next(ids) for key in NAMES}
    crowded = pa.Table.from_pylist(
        [
            {
                **row,
                "source": on_map.get(row["source"], row["source"]),
                "target": on_map.get(row["target"], row["target"]),
            }
            for row in _crowded_rows()
        ]
    )
    journey_map = example_map.model_copy(update={"language": language})
    path = tmp_path / "report.html"
    html = render_report_html(journey_map, ({**tables, "sankey": crowded}, summary))
    path.write_text(html, encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready")
        texts = page.eval_on_selector_all(
            "#chart-sankey svg text",
            "ts => ts.map(t => { const b = t.getBBox();"
            " return [t.textContent, b.x, b.y, b.x + b.width, b.y + b.height]; })",
        )
        columns = page.eval_on_selector_all(
            "#chart-sankey svg g.jm-sankey-node > rect",
            "rs => [...new Set(rs.map(r => r.x.baseVal.value))].sort((a, b) => a - b)",
        )
        width = page.eval_on_selector("#chart-sankey svg", "s => s.viewBox.baseVal.width")
        browser.close()
    boxes = [Box(text, left, top, right, bottom) for text, left, top, right, bottom in texts]
    assert len(boxes) > len(columns) >= 3
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    for box in boxes:
        column = max(x for x in columns if x <= box.left + 0.5)
        following = [x for x in columns if x > column] or [width]
        assert box.right <= following[0], box


def test_the_emotion_axis_reads_zero_without_a_sign() -> None:
    from journeymap.examples import example_path
    from journeymap.mapfile import load_map
    from journeymap.render import render_map_svg

    svg = render_map_svg(load_map(example_path("payment-provider")))
    assert ">+0</text>" not in svg and ">0</text>" in svg
