"""``journeymap import --rules``: a rules file is checked against the map, its problems are
named as the rules file's, and a failed import leaves no workspace file behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from shop_files import FILTERS, MAP
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.examples import example_path
from journeymap.ingest import Workspace, import_events
from journeymap.ingest.synthetic import write_demo_events
from journeymap.mapfile import load_map, load_rules

pytestmark = FILTERS

RULES = """\
columns: {person_id: user, timestamp: when}
conversion: [{field: event, equals: order}]
touchpoints:
  - touchpoint: search-ads
    when: [{field: utm_medium, equals: cpc}]
  - touchpoint: checkout
    phase: purchase
    when: [{field: event, in: [checkout, order]}]
"""

EVENTS = (
    "user,when,utm_medium,event\n"
    "u1,2024-02-01 10:00,cpc,visit\n"
    "u1,2024-02-02 11:00,,order\n"
    "u2,2024-02-03 09:00,email,visit\n"
)


def _write(folder: Path, rules: str = RULES) -> dict[str, Path]:
    paths = {
        "map": folder / "shop.yaml",
        "rules": folder / "rules.yaml",
        "events": folder / "events.csv",
        "db": folder / "ws.duckdb",
    }
    paths["map"].write_text(MAP, encoding="utf-8")
    paths["rules"].write_text(rules, encoding="utf-8")
    paths["events"].write_text(EVENTS, encoding="utf-8")
    return paths


def _import(paths: dict[str, Path], events: Path | None = None, db: Path | None = None) -> str:
    """Run ``journeymap import`` and return what the user sees; fails on a traceback."""
    result = CliRunner().invoke(
        app,
        [
            "import",
            str(events or paths["events"]),
            "--map",
            str(paths["map"]),
            "--rules",
            str(paths["rules"]),
            "--db",
            str(db or paths["db"]),
        ],
        env={"JOURNEYMAP_LANG": "en"},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return f"exit {result.exit_code}\n{result.output}"


# --- 1. a rules file naming a touchpoint or phase the map lacks ------------------------------


def test_typo_in_a_rule_touchpoint_is_refused_with_location_and_suggestion(
    tmp_path: Path,
) -> None:
    paths = _write(tmp_path, RULES.replace("touchpoint: checkout", "touchpoint: checkuot"))
    output = _import(paths)
    assert output.startswith("exit 1\n")
    assert (
        f"Error: the mapping rules file has 1 problem:\n  {paths['rules']}:6:17: error: "
        "touchpoint rule #2 assigns touchpoint 'checkuot', which the journey map "
        f"{paths['map']} does not define (did you mean 'checkout'?); fix the id or add the "
        "touchpoint to the map (at touchpoints.2.touchpoint)"
    ) in output
    assert not paths["db"].exists()  # nothing written


def test_unknown_phase_and_far_off_touchpoint_list_what_the_map_defines(tmp_path: Path) -> None:
    rules = RULES.replace("phase: purchase", "phase: purchse").replace(
        "touchpoint: search-ads", "touchpoint: billboard"
    )
    paths = _write(tmp_path, rules)
    output = _import(paths)
    assert "the mapping rules file has 2 problems:" in output
    assert (
        f"{paths['rules']}:4:17: error: touchpoint rule #1 assigns touchpoint 'billboard', "
        f"which the journey map {paths['map']} does not define (known: checkout, "
        "search-ads); fix the id or add the touchpoint to the map"
    ) in output
    assert (
        f"{paths['rules']}:7:12: error: touchpoint rule #2 assigns phase 'purchse', which the "
        f"journey map {paths['map']} does not define (did you mean 'purchase'?); fix the id or "
        "add the phase to the map (at touchpoints.2.phase)"
    ) in output
    assert not paths["db"].exists()


def test_rules_wrapped_in_a_mapping_key_are_located_inside_it(tmp_path: Path) -> None:
    wrapped = "mapping:\n" + "".join(f"  {line}\n" for line in RULES.splitlines())
    paths = _write(tmp_path, wrapped.replace("touchpoint: search-ads", "touchpoint: search-add"))
    output = _import(paths)
    assert (
        f"{paths['rules']}:5:19: error: touchpoint rule #1 assigns touchpoint 'search-add'"
    ) in output
    assert "(did you mean 'search-ads'?)" in output
    assert "(at mapping.touchpoints.1.touchpoint)" in output


def test_the_demo_typo_from_the_user_test_imports_nothing(tmp_path: Path) -> None:
    """The bundled example with ``touchpoint: demoo``: refused, not 'demoo' events."""
    example = example_path("payment-provider")
    rules_text = example.with_name("payment-provider.rules.yaml").read_text(encoding="utf-8")
    typo = rules_text.replace("touchpoint: demo\n", "touchpoint: demoo\n")
    assert typo != rules_text
    paths = {
        "map": example,
        "rules": tmp_path / "r2.yaml",
        "events": write_demo_events(tmp_path / "events.csv", load_map(example), accounts=20),
        "db": tmp_path / "e8.duckdb",
    }
    paths["rules"].write_text(typo, encoding="utf-8")
    line = typo.splitlines().index("  - touchpoint: demoo") + 1
    output = _import(paths)
    assert output.startswith("exit 1\n")
    assert f"{paths['rules']}:{line}:17: error: touchpoint rule #2 assigns touchpoint 'demoo'" in (
        output
    )
    assert "(did you mean 'demo'?)" in output
    assert not paths["db"].exists()


def test_rules_that_fit_the_map_import_as_before(tmp_path: Path) -> None:
    """``unmapped`` and ``touchpoint_from`` may name ids outside the map: they are deliberate."""
    rules = RULES + "  - touchpoint_from: event\n    when: [{field: event, equals: visit}]\n"
    paths = _write(tmp_path, rules.replace("touchpoint: checkout", "touchpoint: unmapped"))
    output = _import(paths)
    assert output.startswith("exit 0\n"), output
    with Workspace(f"duckdb:///{paths['db']}") as workspace:
        touchpoints = sorted(workspace.events().touchpoint.to_pyarrow().to_pylist())
    assert touchpoints == ["search-ads", "unmapped", "visit"]


def test_rules_without_a_map_may_name_any_touchpoint(tmp_path: Path) -> None:
    """The Python API without a map (e.g. the Olist import) is not checked against one."""
    paths = _write(tmp_path, RULES.replace("touchpoint: checkout", "touchpoint: won-deal"))
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, paths["events"], load_rules(paths["rules"]))
        touchpoints = set(workspace.events().touchpoint.to_pyarrow().to_pylist())
    assert report.rows_imported == 2
    assert touchpoints == {"search-ads", "won-deal"}


# --- 2. a rules file's problems are the rules file's, not the map's --------------------------


def test_a_misspelled_rules_key_is_reported_as_a_rules_file_problem(tmp_path: Path) -> None:
    paths = _write(tmp_path, RULES.replace("conversion:", "conversoin:"))
    output = _import(paths)
    assert output.startswith("exit 1\n")
    assert (
        f"Error: the mapping rules file has 1 problem:\n  {paths['rules']}:2:1: error: "
        "unknown field 'conversoin' in the top level (did you mean 'conversion'?)"
    ) in output
    assert "journey map" not in output
    assert not paths["db"].exists()


def test_a_map_problem_is_still_reported_as_the_map_s(tmp_path: Path) -> None:
    paths = _write(tmp_path)
    paths["map"].write_text(MAP.replace("phases: [purchase]", "phases: [purchse]"), "utf-8")
    output = _import(paths)
    assert output.startswith("exit 1\n")
    assert "Error: the journey map has 1 problem:" in output
    assert "mapping rules file" not in output


# --- 3. a failed import leaves no new workspace file, and an existing one as it was ----------


@pytest.mark.parametrize("db_name", ["e4.duckdb", "new/folder/e4.duckdb"])
def test_a_failed_import_leaves_no_workspace_file(tmp_path: Path, db_name: str) -> None:
    paths = _write(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    output = _import(paths, events=tmp_path / "nothere.csv", db=tmp_path / db_name)
    assert output.startswith("exit 1\n")
    assert f"Error: {tmp_path / 'nothere.csv'}: file not found" in output
    assert sorted(tmp_path.rglob("*")) == before


def test_a_failed_import_into_a_new_workspace_after_reading_leaves_nothing(
    tmp_path: Path,
) -> None:
    """The rules do not fit the data: the error comes mid-import, the new file still goes."""
    paths = _write(tmp_path)
    paths["events"].write_text("user,when\nu1,2024-02-01 10:00\n", encoding="utf-8")
    output = _import(paths)
    assert output.startswith("exit 1\n")
    assert "the mapping rules use column(s) 'event', 'utm_medium'" in output
    assert not paths["db"].exists()
    assert not paths["db"].with_name("ws.duckdb.wal").exists()


def test_a_failed_import_leaves_an_existing_workspace_as_it_was(tmp_path: Path) -> None:
    paths = _write(tmp_path)
    assert _import(paths).startswith("exit 0\n")
    saved = paths["db"].read_bytes()
    output = _import(paths, events=tmp_path / "nothere.csv")
    assert "file not found" in output
    paths["events"].write_text("user,when\nu1,2024-02-01 10:00\n", encoding="utf-8")
    assert "the mapping rules use column(s)" in _import(paths)
    assert paths["db"].read_bytes() == saved
    with Workspace(f"duckdb:///{paths['db']}") as workspace:
        assert workspace.events().count().execute() == 2
        assert workspace.imports().count().execute() == 1


def test_python_callers_catching_map_validation_errors_still_catch_rules_problems(
    tmp_path: Path,
) -> None:
    from journeymap.errors import MapValidationError, RulesValidationError
    from journeymap.services.imports import import_file

    paths = _write(tmp_path, RULES.replace("touchpoint: checkout", "touchpoint: checkuot"))
    with pytest.raises(MapValidationError) as caught:
        import_file(paths["events"], paths["map"], rules_path=paths["rules"], db=paths["db"])
    assert isinstance(caught.value, RulesValidationError)
    (issue,) = caught.value.issues
    assert (issue.code, issue.location and issue.location.line) == ("unknown-touchpoint", 6)
    assert not paths["db"].exists()
