"""XSS payloads in every text field of a map come out as inert text in SVG, HTML and PDF."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from journeymap.model import JourneyMap
from journeymap.render import render_map_svg, render_report_html, render_report_pdf

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "]]><svg onload=alert(3)>",
    "&lt;b&gt;entity&amp;",
)


def _payload(i: int) -> str:
    return f"T{i} " + PAYLOADS[i % len(PAYLOADS)]


def xss_map() -> JourneyMap:
    n = iter(range(1000))
    p = lambda: _payload(next(n))  # noqa: E731
    return JourneyMap.model_validate(
        {
            "id": "xss",
            "name": p(),
            "description": p(),
            "owner": p(),
            "tags": [p()],
            "phases": [
                {"id": "a", "name": p(), "description": p(), "order": 1},
                {"id": "b", "name": p(), "order": 2},
            ],
            "personas": [
                {
                    "id": "x",
                    "first_name": p(),
                    "last_name": p(),
                    "income": p(),
                    "marital_status": p(),
                    "residence": p(),
                    "company": p(),
                    "career_level": p(),
                    "job": p(),
                    "company_size": p(),
                    "industry": p(),
                    "budget": p(),
                    "competitors": [p()],
                    "role": "decider",
                    "joins_at": "b",
                    "description": p(),
                    "quote": p(),
                    "goals": [p()],
                    "needs": [p()],
                    "questions": [p()],
                    "frustrations": [p()],
                }
            ],
            "touchpoints": [
                {
                    "id": "t",
                    "name": p(),
                    "channel": p(),
                    "owner": p(),
                    "description": p(),
                    "phases": ["a", "b"],
                }
            ],
            "cells": [
                {
                    "phase": "a",
                    "persona": "x",
                    "touchpoint": "t",
                    "actions": [p()],
                    "goals": [p()],
                    "questions": [p()],
                    "needs": [p()],
                    "information_needs": [p()],
                    "emotion": {"score": 1, "label": p()},
                    "pain_points": [p()],
                    "opportunities": [p()],
                    "kpis": [{"name": p(), "unit": p(), "target": 1}],
                }
            ],
            "evidence": [{"id": "e", "name": p(), "notes": p(), "department": p()}],
        }
    )


def xss_analysis() -> tuple[dict[str, pa.Table], dict[str, Any]]:
    evil = _payload(0)
    tables = {
        "touchpoint_stats": pa.Table.from_pylist(
            [
                {
                    "touchpoint": "t",
                    "on_map": True,
                    "events": 5,
                    "journeys": 5,
                    "persons": 5,
                    "conversions": 1,
                },
                {
                    "touchpoint": evil,
                    "on_map": False,
                    "events": 2,
                    "journeys": 2,
                    "persons": 2,
                    "conversions": 0,
                },
            ]
        ),
        "sankey": pa.Table.from_pylist(
            [
                {"step": 1, "source": evil, "target": "(dropped)", "journeys": 2},
                {"step": 1, "source": "t", "target": "(converted)", "journeys": 1},
            ]
        ),
        "attribution": pa.Table.from_pylist(
            [
                {
                    "model": evil,
                    "level": "touchpoint",
                    "key": evil,
                    "conversions": 1.0,
                    "value": None,
                    "share": 1.0,
                },
            ]
        ),
    }
    return tables, {"journeys": 7, "conversions": 1, "conversion_rate": 1 / 7}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.handlers.extend(name for name, _ in attrs if name.startswith("on"))


def test_svg_with_payloads_is_well_formed_and_has_no_active_elements() -> None:
    svg = render_map_svg(xss_map(), xss_analysis())
    root = ET.fromstring(svg)  # a raw "<" or "]]>" would break the XML
    names = {el.tag.split("}")[-1] for el in root.iter()}
    assert not names & {"script", "img", "foreignObject"}
    assert not [a for el in root.iter() for a in el.attrib if a.startswith("on")]
    text = "".join(root.itertext())
    assert "<script>alert(1)</script>" in text  # shown as text, not lost


def test_html_report_with_payloads_has_no_script_img_or_handlers() -> None:
    html = render_report_html(xss_map(), xss_analysis())
    parser = _Tags()
    parser.feed(html)
    assert "script" not in parser.tags
    assert "img" not in parser.tags
    assert parser.handlers == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html


@pytest.mark.slow
def test_pdf_with_payloads_shows_them_as_text(tmp_path: Path) -> None:
    pdf = render_report_pdf(xss_map(), xss_analysis(), tmp_path / "xss.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "<script>alert(1)</script>" in text
    assert "onerror=alert(2)>" in text


def test_interactive_chart_script_cannot_be_broken_out_of() -> None:
    from journeymap.render.interactive import embed_script

    spec = {"data": {"values": [{"touchpoint": p} for p in PAYLOADS]}, "mark": "bar"}
    script = embed_script({"funnel": spec})
    assert "</" not in script and "<" not in script and ">" not in script.replace("=>", "")
    parser = _Tags()
    parser.feed(f"<script>{script}</script>")
    assert parser.tags == ["script"]
