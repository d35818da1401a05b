from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyarrow as pa
from PIL import Image

from journeymap.i18n import gettext
from journeymap.model import JourneyMap
from journeymap.render import render_map_html, render_map_png, render_map_svg
from journeymap.render.layout import CHAR_WIDTH_EM, FONT_SIZE, GAP, PADDING, Box, wrap_text
from journeymap.render.map_svg import build_layout

SVG = "{http://www.w3.org/2000/svg}"


def _overlap(a: Box, b: Box) -> bool:
    return (
        a.x < b.x + b.width
        and b.x < a.x + a.width
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    )


def test_no_two_boxes_overlap_on_a_20_touchpoint_5_phase_5_persona_map(big_map: JourneyMap) -> None:
    layout, _ = build_layout(big_map)
    boxes = layout.boxes
    assert len([b for b in boxes if b.kind == "touchpoint"]) == 20
    clashes = [(a, b) for a, b in itertools.combinations(boxes, 2) if _overlap(a, b)]
    assert clashes == []


def test_lanes_stack_top_to_bottom_and_every_box_stays_in_its_lane(big_map: JourneyMap) -> None:
    layout, _ = build_layout(big_map)
    bands = sorted(layout.lanes.values())
    for (top, height), (next_top, _) in itertools.pairwise(bands):
        assert top + height < next_top
    for box in layout.boxes:
        if box.lane in layout.lanes:
            top, height = layout.lanes[box.lane]
            assert top <= box.y and box.y + box.height <= top + height + 0.01


def test_long_texts_wrap_to_the_column_width() -> None:
    text = "word " * 60 + "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen"
    lines = wrap_text(text, 200)
    assert len(lines) > 5
    assert all(len(line) * FONT_SIZE * CHAR_WIDTH_EM <= 200 + PADDING for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_touchpoints_appear_in_the_order_customers_meet_them(big_map: JourneyMap) -> None:
    layout, _ = build_layout(big_map)
    in_first = sorted(
        (b for b in layout.boxes if b.kind == "touchpoint" and b.phase == "ph0"), key=lambda b: b.y
    )
    assert [b.ref for b in in_first] == ["tp15", "tp10", "tp05", "tp00"]
    assert all(len(b.badges) == 2 for b in in_first)
    assert in_first[0].badges == ("online", "indirect")  # tp15: odd, multiple of 3


def test_svg_is_well_formed_and_names_every_phase_touchpoint_and_persona(
    big_map: JourneyMap,
) -> None:
    root = ET.fromstring(render_map_svg(big_map))
    text = " ".join(t for t in root.itertext())
    for phase in big_map.phases:
        assert phase.name in text
    refs = {g.get("data-ref") for g in root.iter(f"{SVG}g")}
    assert {tp.id for tp in big_map.touchpoints} <= refs
    assert {p.id for p in big_map.personas} <= refs  # buying-center boxes
    lines = [p for p in root.iter(f"{SVG}polyline") if p.get("class") == "jm-emotion-line"]
    assert len(lines) == 5
    assert "Persona3 Example (decider)" in text


def test_lane_labels_follow_the_map_language(big_map: JourneyMap) -> None:
    german = big_map.model_copy(update={"language": "de"})
    root = ET.fromstring(render_map_svg(german))
    labels = [
        " ".join(g.itertext()) for g in root.iter(f"{SVG}g") if g.get("class") == "jm-box jm-label"
    ]
    assert gettext("Pain points", "de") != "Pain points"
    assert gettext("Pain points", "de") in " ".join(labels)


def test_the_persona_lane_is_a_buying_center_in_b2b_only(big_map: JourneyMap) -> None:
    def labels(journey_map: JourneyMap) -> str:
        root = ET.fromstring(render_map_svg(journey_map))
        boxes = root.iter(f"{SVG}g")
        return " ".join(
            " ".join(g.itertext()) for g in boxes if g.get("class") == "jm-box jm-label"
        )

    assert big_map.personas
    assert "Buying center" in labels(big_map.model_copy(update={"kind": "b2b"}))
    b2c = labels(big_map.model_copy(update={"kind": "b2c"}))
    assert "Personas" in b2c and "Buying center" not in b2c


def _bpi_like() -> tuple[JourneyMap, tuple[dict[str, pa.Table], dict[str, Any]]]:
    """Short process-mining names: every card reads on one line, e.g. 'Accepted — 5,113 events'."""
    names = {"created": "Created", "accepted": "Accepted", "declined": "Declined"}
    journey_map = JourneyMap.model_validate(
        {
            "id": "bpi",
            "name": "BPI-like",
            "phases": [{"id": "application", "name": "Application", "order": 1}],
            "touchpoints": [
                {"id": tp, "name": name, "mode": "online", "phases": ["application"]}
                for tp, name in names.items()
            ],
        }
    )
    stats = pa.Table.from_pylist(
        [
            {"touchpoint": tp, "on_map": True, "events": 5113, "journeys": 900, "persons": 900}
            for tp in names
        ]
    )
    return journey_map, ({"touchpoint_stats": stats}, {"map_id": "bpi"})


def _cards(svg: str) -> list[tuple[float, float, list[tuple[float, float]]]]:
    """Per touchpoint card: its top, its bottom, and each badge's (baseline, font size)."""
    cards = []
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        if group.get("class") != "jm-box jm-touchpoint":
            continue
        rect = group.find(f"{SVG}rect")
        assert rect is not None
        top = float(rect.get("y", 0))
        badges = [
            (float(t.get("y", 0)), float(t.get("font-size", 0)))
            for t in group.iter(f"{SVG}text")
            if t.get("text-anchor") == "end"
        ]
        cards.append((top, top + float(rect.get("height", 0)), badges))
    return cards


def test_badges_stay_inside_one_line_touchpoint_cards_in_svg_and_html() -> None:
    journey_map, measured = _bpi_like()
    svg = render_map_svg(journey_map, measured)
    assert "Accepted — 5,113 events" in svg
    html = render_map_html(journey_map, measured)
    for markup in (svg, html[html.index("<svg") : html.index("</svg>") + 6]):
        cards = _cards(markup)
        assert len(cards) == 3
        for top, bottom, badges in cards:
            assert [b for b, _ in badges] and len(badges) == 2
            for baseline, size in badges:
                # DejaVu Sans descends 0.24 em below the baseline
                assert top < baseline - size * 0.76 and baseline + size * 0.24 <= bottom - 1


def test_badges_stay_inside_one_line_touchpoint_cards_in_png(tmp_path: Path) -> None:
    journey_map, measured = _bpi_like()
    layout, _ = build_layout(journey_map, measured)
    scale = 2.0
    png = render_map_png(journey_map, measured, tmp_path / "map.png", scale=scale)
    pixels = Image.open(png).convert("RGB")
    for box in (b for b in layout.boxes if b.kind == "touchpoint"):
        assert len(box.lines) == 1
        right = int((box.x + box.width) * scale)
        below = (box.y + box.height + GAP) * scale  # the next card starts GAP lower
        badge_area = (right - int(60 * scale), int(box.y * scale), right, int(below))
        region = pixels.crop(badge_area)
        # badge text is blue (#2c6fad); its lowest pixel row must lie above the card's border
        blue_rows = [
            y
            for y in range(region.height)
            for x in range(region.width)
            if _is_badge_blue(region.getpixel((x, y)))  # type: ignore[arg-type]
        ]
        assert blue_rows
        bottom_border = (box.y + box.height) * scale - int(box.y * scale)
        assert max(blue_rows) < bottom_border - 2, (box.ref, max(blue_rows), bottom_border)


def _is_badge_blue(pixel: tuple[int, int, int]) -> bool:
    red, _green, blue = pixel
    return blue - red > 60 and blue > 120
