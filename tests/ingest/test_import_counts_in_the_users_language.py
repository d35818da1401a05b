"""The import's count table in the user's language: its labels, and its numbers as written there.

Found importing BPI Challenge 2012 with ``JOURNEYMAP_LANG=de``: the table read ``read 262,200``,
which a German reader takes for 262 and a bit, under a German title.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shop_files import FILTERS, MAP
from typer.testing import CliRunner

from journeymap.cli.app import app

pytestmark = FILTERS

RULES = """\
columns: {person_id: user, timestamp: when}
only: [{field: kind, equals: complete}]
conversion: [{field: event, equals: order}]
touchpoints:
  - {touchpoint: search-ads, when: [{field: event, equals: visit}]}
  - {touchpoint: checkout, when: [{field: event, equals: order}]}
"""


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    lines = ["user,when,event,kind"]
    for i in range(1_500):
        kind = "complete" if i % 3 else "schedule"
        event = "order" if i % 10 == 1 else "visit"
        lines.append(f"u{i},2024-02-01T10:{i % 60:02d}:00+00:00,{event},{kind}")
    events = tmp_path / "events.csv"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    return [
        "import",
        str(events),
        "--map",
        str(tmp_path / "map.yaml"),
        "--rules",
        str(tmp_path / "rules.yaml"),
        "--db",
        str(tmp_path / "ws.duckdb"),
    ]


def _rows(output: str) -> dict[str, str]:
    """The count table's cells: label -> count."""
    cells = {}
    for line in output.splitlines():
        parts = [part.strip() for part in line.strip("│┃ ").split("│")]
        if len(parts) == 2 and parts[1]:
            cells[parts[0]] = parts[1]
    return cells


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            {"read": "1,500", "imported": "1,000", "quarantined": "500", "filtered out": "500"},
        ),
        (
            "de",
            {
                "gelesen": "1.500",
                "importiert": "1.000",
                "davon Conversions": "100",
                "in Quarantäne": "500",
                "herausgefiltert (filtered out)": "500",
                "bereits importiert": "0",
            },
        ),
        (
            "da",
            {
                "læst": "1.500",
                "importeret": "1.000",
                "i karantæne": "500",
                "frasorteret (filtered out)": "500",
            },
        ),
    ],
)
def test_the_count_table_reads_in_the_users_language(
    files: list[str], language: str, expected: dict[str, str]
) -> None:
    result = CliRunner().invoke(app, files, env={"JOURNEYMAP_LANG": language, "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = _rows(result.output)
    for label, count in expected.items():
        assert rows.get(label) == count, (label, rows)


def test_the_note_on_a_second_import_writes_numbers_the_german_way(files: list[str]) -> None:
    env = {"JOURNEYMAP_LANG": "de", "COLUMNS": "400"}
    CliRunner().invoke(app, files, env=env)
    rules = Path(files[-3])
    rules.write_text(RULES.replace("equals: order}]\ntouchpoints", "equals: buy}]\ntouchpoints"))
    result = CliRunner().invoke(app, files, env=env)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "Hinweis: 1.500 Zeilen" in output
    assert "diese Regeln würden 100 davon anders zuordnen" in output
