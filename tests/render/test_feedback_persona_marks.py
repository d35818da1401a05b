"""A persona's map draws the persona's measured feelings; all answers only where it has none."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from journeymap.analysis.feedback import compare_feedback
from journeymap.cli.app import app
from journeymap.examples import example_path
from journeymap.mapfile import load_map
from journeymap.render import render_map_svg
from journeymap.render.feedback_marks import measured_feelings

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

MAP = example_path("industrial-machinery")
SVG = "{http://www.w3.org/2000/svg}"
# CSAT answers: Frank (the CFO) dislikes the quote, Nadine (production) likes it; at the
# service hotline Nadine is unhappy and anonymous answers are happy; the webinar's are
# anonymous.
FRANK_QUOTE = [1, 2, 1, 2, 3, 1, 2, 2]
NADINE_QUOTE = [5, 4, 5, 4, 5, 3, 5, 4]
NADINE_HOTLINE = [1, 2, 2, 1, 2, 1]
ANONYMOUS_HOTLINE = [5, 4, 5, 5, 4, 5]
ANONYMOUS_WEBINAR = [4, 3, 5, 4, 4]


def _csat(score: int) -> float:
    return float(score - 3)


def _mean(scores: list[int]) -> float:
    return sum(_csat(score) for score in scores) / len(scores)


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    lines = ["respondent,touchpoint,persona,csat"]
    for touchpoint, persona, scores in (
        ("quote", "frank", FRANK_QUOTE),
        ("quote", "nadine", NADINE_QUOTE),
        ("service-hotline", "nadine", NADINE_HOTLINE),
        ("service-hotline", "", ANONYMOUS_HOTLINE),
        ("webinar", "", ANONYMOUS_WEBINAR),
    ):
        lines += [f"r{len(lines)},{touchpoint},{persona},{score}" for score in scores]
    path = tmp_path / "survey.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _marks(svg: str) -> dict[tuple[str, str], ET.Element]:
    """The measured marks by (phase, touchpoint); a phase's has touchpoint ''."""
    root = ET.fromstring(svg)
    return {
        (mark.get("data-phase", ""), mark.get("data-touchpoint", "")): mark
        for mark in root.iter(f"{SVG}g")
        if "jm-feedback-mark" in (mark.get("class") or "")
    }


def _legend(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    found = []
    for entry in root.iter(f"{SVG}g"):
        if entry.get("class") == "jm-legend jm-legend-measured":
            title = entry.find(f"{SVG}title")
            text = entry.find(f"{SVG}text")
            assert text is not None
            found.append(title.text if title is not None else "".join(text.itertext()))
    return found


def _render(survey: Path, tmp_path: Path, *personas: str) -> str:
    db = tmp_path / "ws.duckdb"
    if not db.exists():
        result = CliRunner().invoke(
            app, ["feedback", "import", str(survey), "--map", str(MAP), "--db", str(db)]
        )
        assert result.exit_code == 0, result.output
    out = tmp_path / f"map-{'-'.join(personas) or 'all'}.svg"
    args = ["render", str(MAP), "--feedback", str(db), "-o", str(out)]
    for persona in personas:
        args += ["--persona", persona]
    result = CliRunner().invoke(app, args, env={"JOURNEYMAP_LANG": "en"})
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_a_personas_map_draws_its_answers_and_names_where_it_falls_back(
    survey: Path, tmp_path: Path
) -> None:
    whole = _marks(_render(survey, tmp_path))
    assert whole[("decision", "quote")].get("data-n") == "16"
    assert "jm-feedback-fallback" not in whole[("retention", "service-hotline")].get("class", "")
    svg = _render(survey, tmp_path, "frank")
    marks = _marks(svg)
    quote = marks[("decision", "quote")]
    assert (quote.get("data-persona"), quote.get("data-n")) == ("frank", "8")
    assert float(quote.get("data-mean", "")) == pytest.approx(_mean(FRANK_QUOTE), abs=5e-4)
    # Frank's own design at the quote (-1.0), not the shared one (0.0).
    assert quote.get("aria-label", "").startswith(
        "Frank Möller · Quote: designed -1.0, measured -1.3 (n=8, 95 % "
    )
    assert "all answers" not in quote.get("aria-label", "")
    decision = marks[("decision", "")]
    assert decision.get("aria-label", "").startswith("Frank Möller · Decision: designed -0.5,")
    # Frank gave no answer about the hotline: all answers there, dashed and said so.
    hotline = marks[("retention", "service-hotline")]
    assert "jm-feedback-fallback" in hotline.get("class", "")
    assert hotline.get("data-n") == "12"
    assert hotline.get("aria-label", "").endswith("; all answers: none from Frank Möller here")
    circle = hotline.find(f"{SVG}circle")
    assert circle is not None and circle.get("stroke-dasharray") == "2 1.5"
    assert quote.find(f"{SVG}circle").get("stroke-dasharray") is None  # type: ignore[union-attr]
    assert _legend(svg) == [
        "feedback of Frank Möller, 95 % interval",
        "dashed: all answers (none from Frank Möller)",
    ]
    assert _legend(_render(survey, tmp_path)) == ["feedback, 95 % interval"]


def test_a_groups_map_pools_the_groups_answers(survey: Path, tmp_path: Path) -> None:
    marks = _marks(_render(survey, tmp_path, "nadine", "frank"))
    quote = marks[("decision", "quote")]
    assert quote.get("data-n") == "16"
    hotline = marks[("retention", "service-hotline")]  # Nadine's 6, not the anonymous 6
    assert hotline.get("data-n") == "6"
    assert float(hotline.get("data-mean", "")) == pytest.approx(_mean(NADINE_HOTLINE), abs=5e-4)
    assert "jm-feedback-fallback" not in hotline.get("class", "")
    webinar = marks[("consideration", "webinar")]
    assert "jm-feedback-fallback" in webinar.get("class", "")
    assert webinar.get("aria-label", "").endswith(
        "; all answers: none from Nadine Kaya and Frank Möller here"
    )


def _answers() -> pa.Table:
    rows = [
        ("quote", "frank", FRANK_QUOTE),
        ("quote", "nadine", NADINE_QUOTE),
        ("service-hotline", None, ANONYMOUS_HOTLINE),
    ]
    return pa.table(
        {
            "touchpoint": [tp for tp, _p, scores in rows for _ in scores],
            "persona": [p for _tp, p, scores in rows for _ in scores],
            "score": [_csat(s) for _tp, _p, scores in rows for s in scores],
        }
    )


def test_rows_of_an_analysis_alone_still_draw_the_personas_answers() -> None:
    # ``render --analysis DIR`` hands the comparison's rows, without the map they came from.
    machinery = load_map(MAP)
    rows = compare_feedback(machinery, _answers()).rows()
    with measured_feelings(rows):
        marks = _marks(render_map_svg(machinery.for_personas(["frank"])))
    assert marks[("decision", "quote")].get("data-n") == "8"
    assert "jm-feedback-fallback" in marks[("retention", "service-hotline")].get("class", "")


def test_the_map_of_a_maps_only_persona_is_still_hers() -> None:
    shop = load_map(example_path("fashion-webshop"))  # Sara is its one persona
    answers = pa.table(
        {
            "touchpoint": ["checkout"] * 6,
            "persona": ["sara", "sara", None, None, None, None],
            "score": [-2.0, -2.0, 2.0, 2.0, 2.0, 2.0],
        }
    )
    comparison = compare_feedback(shop, answers)
    with measured_feelings(comparison):
        whole = _marks(render_map_svg(shop))
        hers = _marks(render_map_svg(shop.for_personas(["sara"])))
    assert [m.get("data-n") for k, m in whole.items() if k[1] == "checkout"] == ["6"]
    checkout = next(m for k, m in hers.items() if k[1] == "checkout")
    assert (checkout.get("data-persona"), checkout.get("data-n")) == ("sara", "2")
    assert re.match(
        r"Sara Jensen · Checkout: designed \+1\.5, measured -2\.0", checkout.get("aria-label", "")
    )
