"""``journeymap demo``: the whole method on the bundled example, and what it leaves behind.

The README's next steps import the demo's events with ``--map map.yaml --rules rules.yaml``;
a user found neither file in ``demo-output/``. The demo now writes both beside the events.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]


def _count(output: str, label: str) -> str:
    match = re.search(rf"│ {re.escape(label)}\s+│ ([\d.,]+)", output)
    assert match, output
    return match.group(1)


def test_the_demo_leaves_map_and_rules_to_repeat_its_steps_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNEYMAP_LANG", "de")
    out = tmp_path / "demo-output"
    demo = CliRunner().invoke(
        app, ["demo", "--out", str(out), "--accounts", "150", "--no-pdf"], env={"COLUMNS": "200"}
    )
    assert demo.exit_code == 0, demo.output
    # German all through: the steps, and numbers grouped the German way.
    assert "erzeuge Ereignisse für 150 Accounts" in demo.output
    imported = _count(demo.output, "Importiert")
    assert "." in imported, imported
    assert f"Map: {out / 'map.yaml'}" in demo.output
    assert f"Zuordnungsregeln: {out / 'rules.yaml'}" in demo.output
    assert "# " in (out / "map.yaml").read_text(encoding="utf-8")  # the example's comments

    again = CliRunner().invoke(
        app,
        [
            "import",
            str(out / "payment-provider-events.csv"),
            "--map",
            str(out / "map.yaml"),
            "--rules",
            str(out / "rules.yaml"),
            "--db",
            str(tmp_path / "mine.duckdb"),
        ],
        env={"COLUMNS": "200"},
    )
    assert again.exit_code == 0, again.output
    assert re.search(rf"│ importiert\s+│\s+{re.escape(imported)} │", again.output), again.output
