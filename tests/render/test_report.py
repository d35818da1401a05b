from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from pypdf import PdfReader

from journeymap.analysis import Analysis
from journeymap.model import JourneyMap
from journeymap.render import (
    render,
    render_map_html,
    render_map_png,
    render_report_html,
    render_report_pdf,
)
from journeymap.render.measured import measured_from
from journeymap.render.report import written_summary

Pair = tuple[dict[str, pa.Table], dict[str, Any]]


def test_report_holds_map_personas_charts_and_summary(
    example_map: JourneyMap, example_measured: Pair
) -> None:
    html = render_report_html(example_map, example_measured)
    for chart in ("sankey", "funnel", "attribution", "time_to_convert", "correlation"):
        assert f'id="chart-{chart}"' in html
    for persona in example_map.personas:
        assert persona.display_name in html
    for phase in example_map.phases:
        assert phase.name in html
    assert "Biggest drop-offs" in html and "Top touchpoints by attribution" in html
    assert "@font-face" in html and "base64," in html


def test_report_loads_nothing_from_outside(example_map: JourneyMap, example_measured: Pair) -> None:
    html = render_report_html(example_map, example_measured)
    # xmlns="http://www.w3.org/2000/svg" is a namespace name, not a resource
    loads = re.findall(
        r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//""", html
    )
    assert loads == []
    assert "<link" not in html


def test_written_summary_names_the_biggest_dropoff_and_top_touchpoint(
    example_map: JourneyMap, example_measured: Pair
) -> None:
    measured = measured_from(example_measured)
    assert measured is not None
    summary = written_summary(example_map, measured)
    worst = max(measured.phase_rows.values(), key=lambda r: r["dropped"])
    name = example_map.phase(worst["phase"]).name
    # Phase drop-off is the funnel's, a share of the journeys that reached the phase; say so,
    # as the exit touchpoints' lines say theirs is a share of the journeys that did not convert.
    rate = f"{float(worst['dropoff_rate']):.0%}"
    assert summary["dropoffs"][0] == (
        f"{worst['dropped']:,} journeys get no further than {name} in the funnel "
        f"({rate} of those that reached it)"
    )
    top = max(measured.attribution_share.items(), key=lambda kv: kv[1])[0]
    assert summary["attributed"][0].startswith(example_map.touchpoint(top).name)
    assert measured.attribution_model == "markov"


def test_real_analysis_and_pair_give_the_same_map(
    example_map: JourneyMap, example_analysis: Analysis
) -> None:
    pair = (example_analysis.tables, example_analysis.summary)
    assert render_map_html(example_map, example_analysis) == render_map_html(example_map, pair)


def test_overlay_marks_unused_touchpoints_and_unmapped_events(
    example_map: JourneyMap, example_measured: Pair
) -> None:
    tables, summary = example_measured
    stats = [r for r in tables["touchpoint_stats"].to_pylist() if r["touchpoint"] != "sales-call"]
    stats.append(
        {
            "touchpoint": "sales-call",
            "on_map": True,
            "events": 0,
            "journeys": 0,
            "persons": 0,
            "conversions": 0,
        }
    )
    html = render_map_html(
        example_map, ({**tables, "touchpoint_stats": pa.Table.from_pylist(stats)}, summary)
    )
    assert "Sales call — 0 events" in html and "[unused]" in html
    assert 'data-lane="unmapped" data-ref="fax_machine"' in html
    assert "fax_machine — 1 event" in html


def test_map_without_analysis_has_no_measured_lanes(example_map: JourneyMap) -> None:
    html = render_map_html(example_map)
    assert 'data-lane="dropoff"' not in html
    assert 'data-lane="buying_center"' in html


@pytest.mark.slow
def test_pdf_report_has_pages_with_phases_and_personas(
    tmp_path: Path, example_map: JourneyMap, example_measured: Pair, artifacts: Path
) -> None:
    pdf = render_report_pdf(example_map, example_measured, artifacts / "report.pdf")
    assert len(PdfReader(pdf).pages) >= 3
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for phase in example_map.phases:
        assert phase.name in text
    for persona in example_map.personas:
        assert persona.first_name in text


def test_png_of_the_map(tmp_path: Path, example_map: JourneyMap, example_measured: Pair) -> None:
    png = render_map_png(example_map, example_measured, tmp_path / "map.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    assert width > 1000


def test_render_writes_svg_and_rejects_unknown_formats(
    tmp_path: Path, example_map: JourneyMap
) -> None:
    out = render(example_map, None, "svg", tmp_path / "deep" / "map.svg")
    assert out.read_text("utf-8").startswith("<svg")
    from journeymap.errors import UsageError

    with pytest.raises(UsageError, match="choose one of: html, svg, pdf, png"):
        render(example_map, None, "gif", tmp_path / "map.gif")


def test_analysis_displays_itself_with_names_from_its_map(
    example_map: JourneyMap, example_analysis: Analysis
) -> None:
    from journeymap.render import render_analysis_html

    html = render_analysis_html(example_analysis, example_map)
    assert f"<b>{example_analysis.summary['journeys']:,}</b> Journeys" in html
    assert "jm-sankey" in html and "Search ads" in html
    assert "<script" not in html
    brief = render_analysis_html((example_analysis.tables, example_analysis.summary), charts=False)
    assert "jm-sankey" not in brief and "payment-provider" in brief


def test_summary_names_the_exit_touchpoints_of_journeys_that_did_not_convert(
    example_map: JourneyMap, example_measured: Pair
) -> None:
    measured = measured_from(example_measured)
    assert measured is not None
    exits: dict[str, list[float]] = {}
    for row in measured.rows("dropoff"):
        summed = exits.setdefault(row["last_touchpoint"], [0, 0.0])
        summed[0] += row["journeys"]
        summed[1] += row["share"]
    # A touchpoint in two phases has two rows: one line, their sum, as on the map's bars.
    top, (journeys, share) = min(exits.items(), key=lambda item: (-item[1][0], item[0]))
    lines = written_summary(example_map, measured)["exits"]
    name = example_map.touchpoint(top).name
    assert lines[0] == (
        f"{int(journeys):,} journeys that did not convert last touched {name} ({share:.0%} of them)"
    )
    assert len(lines) == len(set(lines))


def test_breakdown_rows_do_not_replace_the_overall_funnel(
    example_map: JourneyMap, example_breakdown_analysis: Analysis
) -> None:
    overall = [
        r
        for r in example_breakdown_analysis.tables["phase_funnel"].to_pylist()
        if r["breakdown"] is None
    ]
    assert len(overall) < example_breakdown_analysis.tables["phase_funnel"].num_rows
    tables = dict(example_breakdown_analysis.tables)
    funnel = tables["phase_funnel"]
    tables["phase_funnel"] = funnel.take(list(reversed(range(funnel.num_rows))))  # overall last
    html = render_map_html(example_map, (tables, example_breakdown_analysis.summary))
    first = overall[0]
    assert f">{first['reached']:,} (100%)<" in html
    assert html.count('data-lane="reached"') == len(example_map.phases) + 1  # label + phases


def _pdf_pages(pdf: Path, *, raw: bool = False) -> list[str]:
    """The text of each page; ``raw`` keeps the stream order, which reads rotated labels."""
    text = subprocess.run(
        ["pdftotext", *(["-raw"] if raw else []), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [" ".join(page.split()) for page in text.split("\f")]


@pytest.mark.slow
def test_pdf_shows_the_whole_attribution_chart_of_13_models_on_its_page(
    tmp_path: Path, example_map: JourneyMap, every_model_attribution: Pair
) -> None:
    pdf = render_report_pdf(example_map, every_model_attribution, tmp_path / "report.pdf")
    pages = _pdf_pages(pdf, raw=True)  # the model names are rotated column labels
    [number] = [
        i for i, page in enumerate(pages, 1) if "Attribution compared across models" in page
    ]
    page = pages[number - 1]
    from journeymap.render.charts import model_name

    models = set(every_model_attribution[0]["attribution"].column("model").to_pylist())
    # pdftotext splits some rotated labels at odd places ("M arkov"): compare without spaces
    compact = re.sub(r"\s+", "", page)
    for label in [tp.name for tp in example_map.touchpoints] + sorted(map(model_name, models)):
        assert re.sub(r"\s+", "", label) in compact, f"{label!r} is not on page {number}"
    assert "Share of conversions" in page and "10%" in page  # the legend and a cell
    # no word of the chart lies beyond the page's edges (the chart is scaled to fit)
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(number), "-l", str(number), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    width, height = map(
        float, re.search(r'<page width="([\d.]+)" height="([\d.]+)"', boxes).groups()
    )  # type: ignore[union-attr]
    words = re.findall(
        r'xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)"', boxes
    )
    assert len(words) > 50
    for x_min, y_min, x_max, y_max in words:
        assert float(x_min) >= 0 and float(x_max) <= width
        assert float(y_min) >= 0 and float(y_max) <= height


def test_the_headline_shows_the_conversion_value_and_shares_are_not_rounded_away(
    example_map: JourneyMap, example_measured: Pair
) -> None:
    """The summary held the value but the report never showed it; 99.7 % read as 100 %."""
    from journeymap.i18n import format_integer, format_share

    measured = measured_from(example_measured)
    assert measured is not None
    figures = dict(written_summary(example_map, measured)["figures"])
    assert figures["Conversion value"] == format_integer(round(measured.summary["value"]))
    assert format_share(0.997) == "99.7%" and format_share(0.003) == "0.3%"
