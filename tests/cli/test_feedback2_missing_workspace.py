"""A feedback command given a workspace file that is not there says how to make it.

``feedback import`` creates the workspace (a new DuckDB or SQLite file), so someone who starts
with a survey is told to import the feedback, into the file they named, not to "import
events first with `journeymap import`".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app, console
from journeymap.examples import example_path

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

MAP = str(example_path("industrial-machinery"))


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages on one line: rich reads the terminal's width once per process."""
    monkeypatch.setattr(console, "_width", 400)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"JOURNEYMAP_LANG": "en"})
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize(
    "command",
    [
        ["feedback", "show", "--map", MAP, "--db"],
        ["feedback", "quarantine", "--db"],
        ["render", MAP, "-o", "{out}", "--feedback"],
    ],
    ids=["show", "quarantine", "render"],
)
def test_a_missing_duckdb_file_says_to_import_the_feedback_into_it(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = [arg.format(out=tmp_path / "map.svg") for arg in command]
    code, output = invoke(*args, "surveys/ws.duckdb")
    assert code == 2, output
    assert output == (
        "Error: surveys/ws.duckdb does not exist; import the feedback first: `journeymap "
        "feedback import FILE --map MAP --db surveys/ws.duckdb` creates it"
    )
    assert not (tmp_path / "surveys").exists() and not (tmp_path / "map.svg").exists()


def test_a_missing_sqlite_file_names_the_engine_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ws.sqlite'}"
    code, output = invoke("feedback", "show", "--map", MAP, "--engine", url)
    assert code == 2, output
    assert "does not exist; import the feedback first" in output
    assert f"`journeymap feedback import FILE --map MAP --engine {url}` creates it" in output
    assert "import events" not in output
    assert not (tmp_path / "ws.sqlite").exists()


def test_the_import_the_message_names_creates_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("survey.csv").write_text(
        "touchpoint,csat\n" + "quote,2\n" * 3 + "quote,1\n" * 3, encoding="utf-8"
    )
    code, output = invoke("feedback", "show", "--map", MAP, "--db", "surveys/ws.duckdb")
    assert code == 2
    hinted = output.split("`")[1].split()  # journeymap feedback import FILE --map MAP --db ...
    hinted = [{"FILE": "survey.csv", "MAP": MAP}.get(word, word) for word in hinted]
    code, output = invoke(*hinted[1:])
    assert code == 0, output
    assert "Imported 6 of 6 feedback rows" in output
    code, output = invoke("feedback", "show", "--map", MAP, "--db", "surveys/ws.duckdb")
    assert code == 0, output
    assert "Quote: designed 0.0, measured -1.5 (n=6" in output
