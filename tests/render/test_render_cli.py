from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.analysis import Analysis
from journeymap.cli.app import app
from journeymap.examples import example_path


def test_render_command_writes_the_report_with_the_saved_analysis(
    tmp_path: Path, example_analysis: Analysis
) -> None:
    example_analysis.save(tmp_path / "analysis")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app,
        [
            "render",
            str(example_path("payment-provider")),
            "--analysis",
            str(tmp_path / "analysis"),
            "--format",
            "html",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert 'id="chart-sankey"' in html and 'data-lane="dropoff"' in html


def test_render_command_explains_a_missing_analysis_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "render",
            str(example_path("payment-provider")),
            "--analysis",
            str(tmp_path / "nope"),
            "--format",
            "svg",
            "--out",
            str(tmp_path / "m.svg"),
        ],
    )
    # A missing input, as a missing map file or a folder without analysis.json: exit 1 (2 is
    # for a usage mistake).
    assert result.exit_code == 1
    assert "journeymap analyze --map MAP --out" in " ".join(result.output.split())
    assert not (tmp_path / "m.svg").exists()
    (tmp_path / "empty").mkdir()
    empty = CliRunner().invoke(
        app,
        ["render", str(example_path("payment-provider")), "--analysis", str(tmp_path / "empty")],
    )
    assert empty.exit_code == 1, empty.output
    missing_map = CliRunner().invoke(app, ["render", str(tmp_path / "nope.yaml")])
    assert missing_map.exit_code == 1, missing_map.output


def test_render_command_refuses_an_analysis_of_another_map(
    tmp_path: Path, example_analysis: Analysis
) -> None:
    # The payment-provider analysis on the yoga map would show its figures as the yoga's.
    example_analysis.save(tmp_path / "analysis")
    out = tmp_path / "yoga.html"
    result = CliRunner().invoke(
        app,
        [
            "render",
            str(example_path("online-yoga")),
            "--analysis",
            str(tmp_path / "analysis"),
            "--format",
            "html",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "the analysis measured the map 'payment-provider', not 'online-yoga'" in " ".join(
        result.output.split()
    )
    assert not out.exists()


def test_render_command_png_of_the_map_without_analysis(tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    result = CliRunner().invoke(
        app, ["render", str(example_path("payment-provider")), "-f", "png", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_render_command_refuses_interactive_for_a_static_format(tmp_path: Path) -> None:
    for format in ("svg", "png", "pdf"):
        out = tmp_path / f"map.{format}"
        result = CliRunner().invoke(
            app,
            [
                "render",
                str(example_path("payment-provider")),
                "--format",
                format,
                "--interactive",
                "--out",
                str(out),
            ],
        )
        assert result.exit_code == 2, result.output
        message = " ".join(result.output.split())
        assert "Error: --interactive takes only --format html" in message
        assert f"{format} is always static" in message
        assert not out.exists()


def test_render_refuses_interactive_for_a_static_format(tmp_path: Path) -> None:
    from journeymap.errors import UsageError
    from journeymap.mapfile import load_map
    from journeymap.render import render

    journey_map = load_map(example_path("payment-provider"))
    with pytest.raises(UsageError, match="interactive charts are made only for html, not for svg"):
        render(journey_map, None, "svg", tmp_path / "map.svg", interactive=True)
    assert not (tmp_path / "map.svg").exists()


def test_render_command_lang_overrides_the_maps_language(tmp_path: Path) -> None:
    # The language came only from the map's `language:` field.
    out = tmp_path / "map.svg"
    path = str(example_path("fashion-webshop"))
    english = CliRunner().invoke(app, ["render", path, "-f", "svg", "-o", str(out)])
    assert english.exit_code == 0, english.output
    assert ">Emotion<" in out.read_text(encoding="utf-8")
    danish = CliRunner().invoke(app, ["render", path, "-f", "svg", "-o", str(out), "--lang", "da"])
    assert danish.exit_code == 0, danish.output
    drawn = out.read_text(encoding="utf-8")
    assert ">Følelse<" in drawn and ">Emotion<" not in drawn
    wrong = CliRunner().invoke(app, ["render", path, "-f", "svg", "-o", str(out), "--lang", "fr"])
    assert wrong.exit_code == 2 and "unknown language 'fr'; choose one of: en, da, de" in (
        wrong.output
    )


def test_the_output_name_gives_the_format_and_a_mismatch_is_refused(tmp_path: Path) -> None:
    """Before, --format pdf --out report.html wrote a PDF into report.html, and .docx HTML."""
    base = ["render", str(example_path("online-yoga"))]
    written = CliRunner().invoke(
        app, [*base, "--out", str(tmp_path / "map.svg")], env={"JOURNEYMAP_LANG": "en"}
    )
    assert written.exit_code == 0, written.output
    assert "Note: without --analysis this is the designed map alone" in written.output
    assert (tmp_path / "map.svg").read_text("utf-8").lstrip().startswith(("<svg", "<?xml"))
    for options, message in [
        (["--format", "pdf", "--out", str(tmp_path / "report.html")], "--format pdf does not fit"),
        (["--out", str(tmp_path / "report.docx")], "name the output .html, .pdf, .svg or .png"),
    ]:
        refused = CliRunner().invoke(app, [*base, *options], env={"COLUMNS": "200"})
        assert refused.exit_code == 2
        assert message in refused.output
        assert not (tmp_path / Path(options[-1]).name).exists()


def test_a_map_edited_after_the_analysis_is_said(
    tmp_path: Path, example_analysis: Analysis
) -> None:
    """Same id, a touchpoint removed and a phase added: the report would show raw ids."""
    from journeymap.mapfile import load_map, save_map
    from journeymap.model import Phase

    example_analysis.save(tmp_path / "analysis")
    journey_map = load_map(example_path("payment-provider"))
    removed = "radio-tv"  # no cell or evidence names it
    edited = journey_map.model_copy(
        update={
            "touchpoints": [t for t in journey_map.touchpoints if t.id != removed],
            "phases": [*journey_map.phases, Phase(id="loyalty", name="Loyalty", order=99)],
        }
    )
    save_map(edited, tmp_path / "map.yaml")
    base = ["render", str(tmp_path / "map.yaml"), "--analysis", str(tmp_path / "analysis")]
    result = CliRunner().invoke(
        app,
        [*base, "--out", str(tmp_path / "m.svg")],
        env={"COLUMNS": "300", "JOURNEYMAP_LANG": "en"},
    )
    assert result.exit_code == 0, result.output
    assert f"it no longer has {removed}, and loyalty were not measured" in result.output
    unchanged = CliRunner().invoke(
        app,
        [
            "render",
            str(example_path("payment-provider")),
            "--analysis",
            str(tmp_path / "analysis"),
            "--out",
            str(tmp_path / "n.svg"),
        ],
    )
    assert unchanged.exit_code == 0 and "changed after the analysis" not in unchanged.output
