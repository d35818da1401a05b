"""The map image explains its own contradictions, and speaks the report's language.

- Olist's map read "Decision: reached 0" under "Contract signed — 842 events" because no
  journey reached the Consideration phase before it (planned touchpoints without data). The
  report had a note; the PNG/SVG for the board slide had none.
- A Danish report said "Journey map", "Journey map (2/3)", "14 % attribution" on the cards and
  "last non-direct springer over direct; W-shaped: lead-faser" among its parameters.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from html import unescape
from typing import Any

import pyarrow as pa

from journeymap.analysis import Analysis, analyze
from journeymap.model import JourneyMap
from journeymap.render import render_map_svg, render_report_html
from journeymap.render.map_pages import map_print_pages

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
SVG = "{http://www.w3.org/2000/svg}"


def _map(language: str = "en") -> JourneyMap:
    """Awareness (ads), Consideration (a webinar nobody has measured yet), Decision (contract)."""
    return JourneyMap.model_validate(
        {
            "id": "olist",
            "name": "Sellers",
            "language": language,
            "phases": [
                {"id": "awareness", "name": "Awareness", "order": 1},
                {"id": "consideration", "name": "Consideration", "order": 2},
                {"id": "decision", "name": "Decision", "order": 3},
            ],
            "touchpoints": [
                {"id": "ads", "name": "Search ads", "phases": ["awareness"]},
                {"id": "direct", "name": "Direct", "phases": ["awareness"]},
                {"id": "webinar", "name": "Webinar", "phases": ["consideration"]},
                {"id": "contract", "name": "Contract signed", "phases": ["decision"]},
            ],
        }
    )


def _analysis(journey_map: JourneyMap, attribution: bool = False) -> Analysis:
    rows = []
    for index in range(20):
        person = f"p{index}"
        base = {"account_id": None, "phase": None, "persona": None, "value": None}
        rows.append(
            {**base, "person_id": person, "ts": T0, "touchpoint": "ads", "conversion": False}
        )
        if index % 3 == 0:
            rows.append(
                {
                    **base,
                    "person_id": person,
                    "ts": T0 + dt.timedelta(days=2),
                    "touchpoint": "direct",
                    "conversion": False,
                }
            )
        if index % 2 == 0:
            rows.append(
                {
                    **base,
                    "person_id": person,
                    "ts": T0 + dt.timedelta(days=3),
                    "touchpoint": "contract",
                    "conversion": True,
                }
            )
    events = pa.Table.from_pylist([{**row, "source": "test"} for row in rows])
    return analyze(journey_map, events, attribution=attribution)


def _svg_text(svg: str) -> str:
    root = ET.fromstring(svg)
    return re.sub(r"\s+", " ", " ".join(" ".join(t.itertext()) for t in root.iter(f"{SVG}text")))


def test_the_map_image_says_why_a_later_phase_reads_0() -> None:
    journey_map = _map()
    svg = render_map_svg(journey_map, _analysis(journey_map))
    text = _svg_text(svg)
    assert "Contract signed — 10 events" in text
    assert text.count("Note: no journey reached Consideration.") == 1
    # Under the legend, inside the drawing.
    root = ET.fromstring(svg)
    notes = next(g for g in root.iter(f"{SVG}g") if "jm-map-notes" in (g.get("class") or ""))
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "jm-ended-legend")

    def top(group: ET.Element) -> float:
        found = re.search(r"translate\(0 ([\d.]+)\)", group.get("transform") or "")
        assert found
        return float(found.group(1))

    assert top(notes) > top(legend)
    assert top(notes) < float(root.get("height") or 0)


def test_a_map_whose_funnel_holds_together_has_no_note() -> None:
    """Without the unmeasured Consideration every phase is reached: nothing to explain."""
    found = _map().model_dump(mode="json", exclude_none=True)
    found["phases"] = [p for p in found["phases"] if p["id"] != "consideration"]
    found["touchpoints"] = [t for t in found["touchpoints"] if t["id"] != "webinar"]
    journey_map = JourneyMap.model_validate(found)
    assert "jm-map-notes" not in render_map_svg(journey_map, _analysis(journey_map))


def test_a_danish_report_names_the_map_and_its_shares_in_danish(
    example_map: JourneyMap, example_measured: tuple[dict[str, pa.Table], dict[str, Any]]
) -> None:
    journey_map = _map("da")
    analysis = _analysis(journey_map, attribution=True)
    html = render_report_html(journey_map, analysis)
    # Danish marketers say "journey map" (the Danish seeds: "customer journey map").
    assert "<h2>Journey map</h2>" in html and '<html lang="da"' in html
    cards = unescape(" ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", html)))
    assert "af konverteringerne" in cards and " attribution" not in cards
    row = re.search(r'<th scope="row">Attributionsparametre</th><td>(.*?)</td>', html, re.S)
    assert row
    parameters = unescape(row.group(1))
    assert "Sidste ikke-direkte berøring springer over Direct" in parameters
    assert "W-formet: lead-faser" in parameters
    assert "last non-direct" not in parameters and "W-shaped" not in parameters
    # The example's map takes three print pages: the second and third have a caption.
    printed = render_report_html(
        example_map.model_copy(update={"language": "da"}),
        example_measured,
        embed_fonts=False,
        paginate_map=map_print_pages,
    )
    captions = re.findall(r'<figure class="map-page">\s*<figcaption>([^<]*)</figcaption>', printed)
    assert captions == ["Journey map (2/3)", "Journey map (3/3)"]
    german = render_report_html(_map("de"), analysis)
    assert "<h2>Journey Map</h2>" in german
    english = render_report_html(_map(), analysis)
    assert "<h2>Journey map</h2>" in english
    assert "Last non-direct skips Direct" in english
