"""``journeymap feedback import`` / ``show`` and ``render --feedback``: what a CX manager reads."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.examples import example_path

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

MAP = str(example_path("fashion-webshop"))


def invoke(*args: str, language: str = "en") -> tuple[int, str]:
    result = CliRunner().invoke(
        app, list(args), env={"JOURNEYMAP_LANG": language}, terminal_width=200
    )
    return result.exit_code, result.output


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    """400 CSAT answers: the checkout disappoints (mostly 1-2), the rest pleases (4-5)."""
    rng = random.Random(7)
    lines = ["respondent_id,touchpoint,csat"]
    for index in range(400):
        touchpoint = rng.choice(["checkout", "checkout", "size-guide", "Newsletter"])
        weights = [30, 40, 15, 10, 5] if touchpoint == "checkout" else [5, 10, 20, 40, 25]
        lines.append(f"r{index},{touchpoint},{rng.choices(range(1, 6), weights)[0]}")
    lines[6] = "r5,chekout,2"
    lines[10] = "r9,checkout,n/a"
    path = tmp_path / "survey.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_counts_quarantines_and_names_the_inferred_scale(
    survey: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "ws.duckdb")
    code, output = invoke("feedback", "import", str(survey), "--map", MAP, "--db", db)
    assert code == 0, output
    assert (
        "Imported 398 of 400 feedback rows from survey.csv for the map fashion-webshop "
        "(scale CSAT 1..5)." in output
    )
    assert "Rows quarantined: 2 (unknown touchpoint: 1, unparseable score: 1):" in output
    assert "row 6: unknown touchpoint 'chekout'; did you mean 'checkout'?" in output
    assert "row 10: unparseable score 'n/a'" in output
    assert "read as CSAT 1..5 because the column is named 'csat'" in output
    code, output = invoke("feedback", "import", str(survey), "--map", MAP, "--db", db)
    assert code == 0
    assert "Imported 0 of 400" in output
    assert "Rows imported before and not stored again: 400." in output


def test_show_puts_the_largest_significant_gap_first(survey: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "ws.duckdb")
    invoke("feedback", "import", str(survey), "--map", MAP, "--db", db, "--scale", "csat")
    code, output = invoke("feedback", "show", "--map", MAP, "--db", db)
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == "Significant gaps (measured - designed):"
    assert lines[1].startswith("  Checkout: designed +1.5, measured -0.")
    assert "(n=204, 95 % -1.1..-0.7)" in lines[1]
    code, output = invoke("feedback", "show", "--map", MAP, "--db", db, "--json")
    rows = json.loads(output)["rows"]
    assert rows[0]["name"] == "Checkout" and rows[0]["significant"] is True
    assert json.loads(output)["answers"] == 398


def test_show_in_german(survey: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "ws.duckdb")
    invoke("feedback", "import", str(survey), "--map", MAP, "--db", db)
    code, output = invoke("feedback", "show", "--map", MAP, "--db", db, language="de")
    assert code == 0, output
    assert "Checkout: entworfen +1,5, gemessen -0," in output


def test_mistakes_are_errors_without_a_traceback(survey: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "ws.duckdb")
    code, output = invoke(
        "feedback", "import", str(survey), "--map", MAP, "--db", db, "--scale", "stars"
    )
    assert code == 2
    assert "Error: unknown scale 'stars'" in output and "Traceback" not in output
    code, output = invoke("feedback", "show", "--map", MAP, "--db", db)
    assert code == 2  # a workspace to read that is not there
    assert "Error:" in output and "does not exist" in output
    invoke("import", "--help")  # the workspace is still missing: nothing was created
    assert not Path(db).exists()
    code, output = invoke("feedback", "show", "--map", MAP, "--db", db, "--level", "channel")
    assert code == 2 and "--level takes one of touchpoint, phase" in output


def test_render_draws_the_measured_feelings_from_the_workspace(
    survey: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "ws.duckdb")
    invoke("feedback", "import", str(survey), "--map", MAP, "--db", db)
    out = tmp_path / "map.svg"
    code, output = invoke("render", MAP, "--feedback", db, "--out", str(out))
    assert code == 0, output
    assert "Drew the measured feelings of 398 feedback answers" in output
    svg = out.read_text(encoding="utf-8")
    assert svg.count('class="jm-feedback-mark') == 5  # 3 touchpoints, 2 phases
    assert 'aria-label="Checkout: designed +1.5, measured -0.' in svg
