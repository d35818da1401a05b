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


def test_values_are_shown_as_a_user_writes_them() -> None:
    """Not Python's reprs: ``datetime.timedelta(days=30)``, ``('decision',)``, ``'none'``."""
    result = CliRunner().invoke(
        app,
        ["settings"],
        env={
            "JOURNEYMAP_LANG": "en",
            "COLUMNS": "200",
            "JOURNEYMAP_FUNNEL_CONVERSION_WINDOW": "12h",
        },
    )
    rows = {
        cells[1].strip(): cells[2].strip()
        for cells in (line.split("│") for line in result.output.splitlines())
        if len(cells) > 3 and cells[1].strip()
    }
    assert rows["funnel.conversion_window"] == "12h"
    assert rows["attribution.decision_phases"] == "decision"
    assert rows["attribution.lookback"] == "none"
    assert rows["analysis.breakdown"] == "(empty)"
    assert rows["paths.collapse_repeats"] == "true"
    assert "timedelta" not in result.output and "('" not in result.output
