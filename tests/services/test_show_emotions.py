"""``journeymap show`` prints the emotions the way the map draws them.

A buyer without a cell of his own in Advocacy read "+1.5 proud", the buying center's feeling,
as his; the worst moment of the map, -2 at the service hotline, was in no output.
"""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from journeymap.cli.app import app, console
from journeymap.services.maps import show_map

MAP = """\
id: cnc
name: CNC cell
kind: b2b
phases:
  - {id: decision, name: Decision, order: 1}
  - {id: advocacy, name: Advocacy, order: 2}
personas:
  - {id: buyer, first_name: Stefan, role: buyer, joins_at: decision}
touchpoints:
  - {id: quote, name: Quote, mode: offline, phases: [decision]}
  - {id: hotline, name: Service hotline, mode: offline, phases: [advocacy]}
cells:
  - {phase: decision, persona: buyer, emotion: {score: -0.5, label: critical}}
  - {phase: advocacy, emotion: {score: 1.5, label: proud}}
  - {phase: advocacy, touchpoint: hotline, persona: buyer, emotion: {score: -2, label: angry}}
"""


def test_show_takes_no_persona_feeling_from_the_buying_center(tmp_path: Path) -> None:
    path = tmp_path / "cnc.yaml"
    path.write_text(MAP, encoding="utf-8")
    view = show_map(path)
    (buyer,) = view.personas
    assert buyer.emotions == {"decision": -0.5}
    assert view.shared == {"advocacy": (1.5, "proud")}
    assert view.touchpoint_emotions["advocacy"] == [("Stefan · Service hotline", -2.0, "angry")]


def test_the_table_has_the_buying_center_row_and_the_touchpoint_emotions(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cnc.yaml"
    path.write_text(MAP, encoding="utf-8")
    # Wide enough that no item wraps, whatever width an earlier test left the console at.
    saved = console._width
    console.width = 300
    try:
        result = CliRunner().invoke(app, ["show", str(path)], env={"JOURNEYMAP_LANG": "en"})
    finally:
        console._width = saved
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", result.output)
    assert "Whole buying center" in text and "+1.5 ▲▲ proud" in text
    assert "Emotions at touchpoints" in text and "-2 ▼▼ angry" in text
    stefan = next(line for line in result.output.splitlines() if line.startswith("Stefan"))
    assert "proud" not in stefan
