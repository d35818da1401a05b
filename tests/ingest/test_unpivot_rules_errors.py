"""A wrong ``events_per_row`` is refused with its file, line and column and what to fix.

Through ``journeymap import --rules``, as a user meets it: no traceback, nothing written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shop_files import FILTERS
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import RulesValidationError
from journeymap.model.mapping import MappingRules

pytestmark = FILTERS

CRM = "customer,first_contact_date,demo_date\nc1,2024-01-05,2024-01-20\n"
MAP = """\
id: crm
name: B2B sales
phases:
  - {id: awareness, name: Awareness}
touchpoints:
  - {id: first-contact, name: First contact, phases: [awareness]}
  - {id: demo, name: Demo, phases: [awareness]}
"""
HEAD = """\
columns:
  person_id: customer
  timestamp: first_contact_date
events_per_row:
  - touchpoint: first-contact
"""


def _import(folder: Path, rules: str) -> tuple[str, Path]:
    """Run ``journeymap import``; (exit code and output, the rules file)."""
    paths = {name: folder / name for name in ("crm.csv", "crm.yaml", "rules.yaml")}
    paths["crm.csv"].write_text(CRM, encoding="utf-8")
    paths["crm.yaml"].write_text(MAP, encoding="utf-8")
    paths["rules.yaml"].write_text(rules, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            *("import", str(paths["crm.csv"]), "--map", str(paths["crm.yaml"])),
            *("--rules", str(paths["rules.yaml"]), "--db", str(folder / "ws.duckdb")),
        ],
        env={"JOURNEYMAP_LANG": "en", "COLUMNS": "300"},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert not (folder / "ws.duckdb").exists()  # nothing written
    output = " ".join(result.output.split())  # the console wraps long lines
    return f"exit {result.exit_code}: {output}", paths["rules.yaml"]


def test_an_entry_without_a_touchpoint_is_located(tmp_path: Path) -> None:
    output, rules = _import(tmp_path, HEAD + "  - timestamp: demo_date\n")
    assert output.startswith("exit 1: ")
    assert (
        f"{rules}:6:5: error: events_per_row[2]: an entry of events_per_row needs exactly one "
        "of touchpoint (an id), touchpoint_from (a column) or touchpoint_rules: true (the "
        "rules' touchpoints list) (at events_per_row.2)"
    ) in output


def test_an_entry_naming_a_touchpoint_the_map_lacks_is_located(tmp_path: Path) -> None:
    output, rules = _import(tmp_path, HEAD + "  - touchpoint: demoo\n    timestamp: demo_date\n")
    assert output.startswith("exit 1: ")
    assert (
        f"{rules}:6:17: error: events_per_row entry #2 assigns touchpoint 'demoo', which the "
        f"journey map {tmp_path / 'crm.yaml'} does not define (did you mean 'demo'?); fix the "
        "id or add the touchpoint to the map (at events_per_row.2.touchpoint)"
    ) in output


def test_an_entry_timestamp_column_the_file_lacks_is_located(tmp_path: Path) -> None:
    output, rules = _import(tmp_path, HEAD + "  - touchpoint: demo\n    timestamp: demo_dat\n")
    assert output.startswith("exit 1: ")
    assert (
        f"Error: {rules}:7:16: the mapping rules use column(s) 'demo_dat' that the events do "
        "not have; did you mean 'demo_date'? (available: customer, first_contact_date, "
        "demo_date)"
    ) in output


def test_a_comparison_with_no_number_is_located(tmp_path: Path) -> None:
    entry = "  - touchpoint: demo\n    when: [{field: demo_date, greater_than: lots}]\n"
    output, rules = _import(tmp_path, HEAD + entry)
    assert (
        f"{rules}:7:45: error: events_per_row[2].when[1].greater_than should be a number, "
        "found the text 'lots'; fix the value"
    ) in output


def test_the_rules_own_conversion_is_refused_beside_events_per_row(tmp_path: Path) -> None:
    rules_text = HEAD.replace(
        "events_per_row:", "conversion: [{field: demo_date, regex: .}]\nevents_per_row:"
    )
    output, rules = _import(tmp_path, rules_text)
    assert (
        f"{rules}:6:3: error: events_per_row: with events_per_row, the rules' own conversion "
        "would mark every event of a row; move it to the entry that makes the conversion "
        "event (conversion: true, or a list of conditions)"
    ) in output


def test_a_condition_needs_exactly_one_test() -> None:
    """Rules built in Python: the same message, as the rules' own validation error."""
    with pytest.raises(RulesValidationError) as caught:
        MappingRules(
            columns={"person_from_row": True, "timestamp_constant": "2019-01-01"},
            events_per_row=[
                {"touchpoint": "a", "when": [{"field": "x", "greater_than": 0, "equals": "1"}]}
            ],
        )
    assert (
        "a condition on 'x' needs exactly one of equals, in, prefix, regex, not_empty, "
        "greater_than, at_least, less_than, at_most (found equals, greater_than)"
    ) in str(caught.value)
