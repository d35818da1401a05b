"""``render MAP --feedback-engine URL`` draws the feedback of a SQLite or PostgreSQL workspace.

``feedback import`` and ``show`` take ``--engine URL``; render's ``--feedback`` took a DuckDB
file only. Each test runs on SQLite and on the PostgreSQL server on 127.0.0.1:5432 (a
database of its own per test: the ``database`` fixture).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.examples import example_path
from journeymap.services.render import render_file

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

MAP = str(example_path("industrial-machinery"))
SVG = "{http://www.w3.org/2000/svg}"
ANSWERS = [
    ("quote", "frank", [1, 2, 1, 2, 3, 1, 2, 2]),
    ("quote", "nadine", [5, 4, 5, 4, 5, 3, 5, 4]),
    ("service-hotline", "nadine", [1, 2, 2, 1, 2, 1]),
    ("service-hotline", "", [5, 4, 5, 5, 4, 5]),
    ("webinar", "", [4, 3, 5, 4, 4]),
]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"JOURNEYMAP_LANG": "en"})
    return result.exit_code, result.output


@pytest.fixture
def url(sql_engine_url: str) -> str:
    """A new workspace on SQLite and PostgreSQL (tests/conftest.py)."""
    return sql_engine_url


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    lines = ["respondent,touchpoint,persona,csat"]
    for touchpoint, persona, scores in ANSWERS:
        lines += [f"r{len(lines)},{touchpoint},{persona},{score}" for score in scores]
    path = tmp_path / "survey.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _marks(svg: Path) -> dict[str, ET.Element]:
    """The measured marks by touchpoint (a phase's by phase)."""
    root = ET.parse(svg).getroot()
    return {
        mark.get("data-touchpoint") or mark.get("data-phase", ""): mark
        for mark in root.iter(f"{SVG}g")
        if "jm-feedback-mark" in (mark.get("class") or "")
    }


def test_render_draws_the_feedback_of_a_workspace_at_a_url(
    url: str, survey: Path, tmp_path: Path
) -> None:
    code, output = invoke("feedback", "import", str(survey), "--map", MAP, "--engine", url)
    assert code == 0, output
    out = tmp_path / "map.svg"
    code, output = invoke("render", MAP, "--feedback-engine", url, "-o", str(out))
    assert code == 0, output
    assert "Drew the measured feelings of 33 feedback answers" in output
    marks = _marks(out)
    assert {name: marks[name].get("data-n") for name in ("quote", "service-hotline")} == {
        "quote": "16",
        "service-hotline": "12",
    }
    # A persona's map reads its own answers from the engine too: Frank's 8 at the quote.
    frank = tmp_path / "frank.svg"
    code, output = invoke(
        "render", MAP, "--persona", "frank", "--feedback-engine", url, "-o", str(frank)
    )
    assert code == 0, output
    quote = _marks(frank)["quote"]
    assert (quote.get("data-persona"), quote.get("data-n")) == ("frank", "8")
    assert "jm-feedback-fallback" in (_marks(frank)["webinar"].get("class") or "")


def test_the_service_takes_the_url_and_counts_the_answers(
    url: str, survey: Path, tmp_path: Path
) -> None:
    code, output = invoke("feedback", "import", str(survey), "--map", MAP, "--engine", url)
    assert code == 0, output
    written = render_file(MAP, None, "svg", tmp_path / "map.svg", feedback_engine=url)
    assert written.feedback_answers == 33
    assert _marks(written.path)["webinar"].get("data-n") == "5"


def test_a_url_without_feedback_says_how_to_import_it(url: str, tmp_path: Path) -> None:
    if url.startswith("sqlite"):  # a SQLite file without journeymap's tables
        Path(url.removeprefix("sqlite:///")).touch()
    code, output = invoke("render", MAP, "--feedback-engine", url, "-o", str(tmp_path / "m.svg"))
    assert code == 2, output
    assert "holds no feedback for the map 'industrial-machinery'" in output
    # Imported as said, the feedback lands where render looks for it, not in the default.
    assert f"`journeymap feedback import FILE --map MAP --engine {url}`" in output
    assert not (tmp_path / "m.svg").exists()


def test_feedback_and_feedback_engine_at_once_are_refused(tmp_path: Path) -> None:
    code, output = invoke(
        "render",
        MAP,
        "--feedback",
        str(tmp_path / "ws.duckdb"),
        "--feedback-engine",
        f"sqlite:///{tmp_path / 'ws.sqlite'}",
        "-o",
        str(tmp_path / "map.svg"),
    )
    assert code == 2, output
    assert "give either --feedback (a DuckDB file) or --feedback-engine" in output
    assert not (tmp_path / "map.svg").exists()


def test_a_url_given_to_feedback_points_to_feedback_engine(tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:5432/{tmp_path.name}"
    code, output = invoke("render", MAP, "--feedback", url, "-o", str(tmp_path / "map.svg"))
    assert code == 2, output
    assert "--feedback takes the path of a DuckDB file, not a URL (postgresql://...)" in output
    assert "--feedback-engine" in output
