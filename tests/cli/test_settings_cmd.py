"""``journeymap settings`` on an 80-column terminal: every name whole, changed values marked."""

from __future__ import annotations

from typer.testing import CliRunner

from journeymap.cli.app import app, console
from journeymap.settings import SETTINGS


def test_settings_fit_80_columns_with_every_name_whole() -> None:
    saved = console._width
    console.width = 80
    try:
        result = CliRunner().invoke(
            app, ["settings"], env={"JOURNEYMAP_LANG": "en", "JOURNEYMAP_PATHS_TOP": "5"}
        )
    finally:
        console._width = saved
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    names = {line.split("│")[1].strip() for line in lines if line.startswith("│")}
    assert set(SETTINGS) <= names  # none cut with "…" or folded over two lines
    top = next(i for i, line in enumerate(lines) if line.startswith("│ paths.top "))
    assert "│ 5 " in lines[top] and "default: 10" in lines[top + 1]
    assert "(e.g. JOURNEYMAP_ANALYSIS_BREAKDOWN)" in " ".join(lines[-3:])
