"""The note on a map changed since its analysis says what changed, and nothing else.

A touchpoint renamed in the map (call-offer -> offer-follow-up) read "it no longer has
call-offer, and - were not measured": the new id went unsaid, and a dash stood for nothing.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from journeymap.analysis import Analysis
from journeymap.cli.app import app
from journeymap.examples import example_path
from journeymap.mapfile import load_map, save_map


def _render(tmp_path: Path, analysis: Analysis, update: dict[str, object]) -> str:
    analysis.save(tmp_path / "analysis")
    edited = load_map(example_path("payment-provider")).model_copy(update=update)
    save_map(edited, tmp_path / "map.yaml")
    result = CliRunner().invoke(
        app,
        [
            "render",
            str(tmp_path / "map.yaml"),
            "--analysis",
            str(tmp_path / "analysis"),
            "--out",
            str(tmp_path / "m.svg"),
        ],
        env={"COLUMNS": "300", "JOURNEYMAP_LANG": "en"},
    )
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_a_renamed_touchpoint_is_named_on_both_sides(
    tmp_path: Path, example_analysis: Analysis
) -> None:
    journey_map = load_map(example_path("payment-provider"))
    touchpoints = [
        t.model_copy(update={"id": "radio-and-tv"}) if t.id == "radio-tv" else t
        for t in journey_map.touchpoints
    ]
    output = _render(tmp_path, example_analysis, {"touchpoints": touchpoints})
    assert "it no longer has radio-tv, and radio-and-tv were not measured" in output
    assert " - " not in output


def test_a_removed_touchpoint_alone_says_only_that(
    tmp_path: Path, example_analysis: Analysis
) -> None:
    journey_map = load_map(example_path("payment-provider"))
    touchpoints = [t for t in journey_map.touchpoints if t.id != "radio-tv"]
    output = _render(tmp_path, example_analysis, {"touchpoints": touchpoints})
    assert "the map changed after the analysis: it no longer has radio-tv. Run" in output
    assert "were not measured" not in output
