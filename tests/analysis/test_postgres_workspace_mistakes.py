"""Mistakes in a PostgreSQL workspace URL: said plainly, nothing written, no password shown.

Found pointing ``journeymap analyze --engine`` at the server's ``postgres`` database by
leaving the database name out of the URL: the analysis created journeymap's three tables
there, and every error repeated the URL's password.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import JourneymapError
from journeymap.services.analysis import workspace_events

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
]

MAP = """\
id: kredit
name: Kreditantrag
language: de
phases:
  - {id: antrag, name: Antragstellung, order: 1}
touchpoints:
  - {id: antrag-eingereicht, name: Antrag eingereicht, phases: [antrag]}
"""


def _tables(database: str) -> list[str]:
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as connection:
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return sorted(row[0] for row in rows)


def test_analysing_a_database_without_imports_creates_nothing_there(database: str) -> None:
    url = f"postgresql://postgres@127.0.0.1:5432/{database}"
    with pytest.raises(JourneymapError, match="no journeymap events table") as raised:
        workspace_events(url)
    assert "check its name in the URL" in str(raised.value)
    assert _tables(database) == []


def test_the_cli_names_the_database_and_hides_the_password(database: str, tmp_path: Path) -> None:
    map_path = tmp_path / "kredit.yaml"
    map_path.write_text(MAP, encoding="utf-8")
    url = f"postgresql://postgres:geheim@127.0.0.1:5432/{database}"
    for command in (
        ["analyze", "--map", str(map_path), "--engine", url, "--out", str(tmp_path / "a")],
        ["attribute", "--map", str(map_path), "--engine", url, "--model", "linear"],
    ):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "no journeymap events table" in result.output
        assert "geheim" not in result.output
        assert "postgres:***@127.0.0.1" in result.output
    assert _tables(database) == []


def test_a_database_that_does_not_exist_is_named_without_the_password(tmp_path: Path) -> None:
    map_path = tmp_path / "kredit.yaml"
    map_path.write_text(MAP, encoding="utf-8")
    events = tmp_path / "events.csv"
    events.write_text("case,when,activity\n1,2012-01-01T10:00:00+00:00,A\n", encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "columns: {person_id: case, timestamp: when}\n"
        "touchpoints: [{touchpoint: antrag-eingereicht, when: [{field: activity, equals: A}]}]\n",
        encoding="utf-8",
    )
    url = "postgresql://postgres:ge%40heim@127.0.0.1:5432/journeymap_gibt_es_nicht"
    result = CliRunner().invoke(
        app, ["import", str(events), "--map", str(map_path), "--rules", str(rules), "--engine", url]
    )
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert 'database "journeymap_gibt_es_nicht" does not exist' in output
    assert "create it first" in output
    assert "heim" not in output
