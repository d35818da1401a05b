from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from journeymap.i18n import gettext
from journeymap.model import JourneyMap
from journeymap.render import render_map_svg
from journeymap.render.layout import CHAR_WIDTH_EM, FONT_SIZE, PADDING, Box, wrap_text
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
