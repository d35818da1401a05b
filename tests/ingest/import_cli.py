"""Import a CSV written in the test with the CLI, and read what the user sees and what is stored."""

from __future__ import annotations

from pathlib import Path

import duckdb
from shop_files import MAP
from typer.testing import CliRunner

from journeymap.cli.app import app


def import_cli(
    tmp_path: Path,
    csv_text: str | bytes,
    columns: str,
    extra_rules: str = "",
    language: str = "en",
) -> tuple[str, int]:
    """Import ``csv_text`` with the shop map's rules; the output on one line, the exit code.

    The rows of kind ``checkout`` are the shop's checkout touchpoint; others match no rule.
    """
    rules = (
        "mapping:\n"
        f"  columns: {{{columns}}}\n"
        "  touchpoints:\n"
        "    - touchpoint: checkout\n"
        "      when: [{field: kind, equals: checkout}]\n"
        f"{extra_rules}"
    )
    (tmp_path / "shop.yaml").write_text(MAP + rules, encoding="utf-8")
    events = tmp_path / "events.csv"
    if isinstance(csv_text, str):
        events.write_text(csv_text, encoding="utf-8")
    else:
        events.write_bytes(csv_text)
    args = ["import", str(events), "--map", str(tmp_path / "shop.yaml")]
    args += ["--db", str(tmp_path / "ws.duckdb")]
    result = CliRunner().invoke(app, args, env={"JOURNEYMAP_LANG": language, "COLUMNS": "250"})
    # The count table's lines read as "imported 60,000".
    text = "".join(" " if "\u2500" <= char <= "\u257f" else char for char in result.output)
    return " ".join(text.split()), result.exit_code


def stored(tmp_path: Path, query: str) -> list[tuple[object, ...]]:
    """The rows ``query`` finds in the test's workspace (no workspace: none)."""
    if not (tmp_path / "ws.duckdb").exists():
        return []
    with duckdb.connect(str(tmp_path / "ws.duckdb"), read_only=True) as con:
        return con.execute(query).fetchall()
