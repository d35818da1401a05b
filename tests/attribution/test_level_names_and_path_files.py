"""What a user sees for a misspelt level or breakdown, a ragged path file, path data without
nulls, and the account level (findings of a user test)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest
from attribution_journeys import journeys_table, map_of
from typer.testing import CliRunner

import journeymap.engine._extra as extra_module
from cli_tables import printed_credits
from journeymap.analysis import analyze
from journeymap.attribution import attribute, compare_models, from_paths
from journeymap.cli.app import app
from journeymap.engine.journeys import JourneyOptions, build_journeys
from journeymap.errors import UsageError
from journeymap.mapfile import save_map
from journeymap.services.attribution import attribute_paths_file

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
# (person, account, hours, touchpoint, conversion, value, region)
EVENTS = [
    ("p1", "a1", 0, "ad", False, None, "north"),
    ("p1", "a1", 1, "mail", False, None, "north"),
    ("p1", "a1", 2, "buy", True, 100.0, "north"),
    ("p2", "a1", 0, "mail", False, None, "south"),
    ("p2", "a1", 1, "buy", True, 50.0, "south"),
    ("p3", None, 0, "ad", False, None, "south"),
]
MAP = map_of({"ad": "awareness", "mail": "awareness", "buy": "decision"})
HEADER = "path,total_conversions,total_null,total_conversion_value\n"


def events() -> pa.Table:
    return pa.table(
        {
            "person_id": [e[0] for e in EVENTS],
            "account_id": [e[1] for e in EVENTS],
            "ts": pa.array(
                [T0 + dt.timedelta(hours=e[2]) for e in EVENTS], pa.timestamp("us", "UTC")
            ),
            "touchpoint": [e[3] for e in EVENTS],
            "phase": pa.array([None] * len(EVENTS), pa.string()),
            "persona": pa.array([None] * len(EVENTS), pa.string()),
            "conversion": [e[4] for e in EVENTS],
            "value": pa.array([e[5] for e in EVENTS], pa.float64()),
            "extra": [json.dumps({"region": e[6], "plan": "pro"}) for e in EVENTS],
        }
    )


@pytest.fixture
def workspace(
    tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]
) -> tuple[Path, Path]:
    save_map(MAP, tmp_path / "map.yaml")
    return tmp_path / "map.yaml", fill_workspace(tmp_path / "ws.duckdb", events())


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["attribute", *args], env={"COLUMNS": "250"})


# 1. An unknown level or breakdown is a usage error with a "did you mean".


@pytest.mark.parametrize("typo", ["chanel", "Channel"])
def test_cli_misspelt_level_is_an_error_naming_the_levels(
    workspace: tuple[Path, Path], typo: str
) -> None:
    map_path, db = workspace
    result = run("--map", str(map_path), "--db", str(db), "--level", typo, "--model", "linear")
    assert result.exit_code == 2, result.output
    assert f"Error: unknown attribution level '{typo}'; did you mean 'channel'?" in result.output
    assert "levels: touchpoint, channel, phase, persona, account" in result.output
    assert "keys of their extra JSON: plan, region" in result.output
    assert "(none)" not in result.output  # no table of one empty key


def test_cli_level_from_the_extra_json_works_and_its_typo_is_caught(
    workspace: tuple[Path, Path],
) -> None:
    map_path, db = workspace
    result = run("--map", str(map_path), "--db", str(db), "--level", "region", "--model", "linear")
    assert result.exit_code == 0, result.output
    rows = {line.split()[1]: line for line in result.output.splitlines() if "│" in line}
    assert set(rows) == {"north", "south"}  # p1's purchase to north, p2's to south
    assert "1.0 (50.0%)" in rows["north"] and "1.0 (50.0%)" in rows["south"]
    result = run("--map", str(map_path), "--db", str(db), "--level", "regoin")
    assert result.exit_code == 2
    assert "unknown attribution level 'regoin'; did you mean 'region'?" in result.output


def test_python_api_names_the_misspelt_level() -> None:
    journeys = journeys_table([(["ad", "buy"], True, 10.0)])
    with pytest.raises(UsageError, match=r"unknown attribution level 'Channel'; did you mean "):
        attribute(journeys, MAP, model="linear", level="Channel")
    with pytest.raises(UsageError, match=r"did you mean 'persona'\? \(levels: touchpoint"):
        compare_models(journeys, MAP, level="persnoa", models=["linear"])
    with (
        from_paths(pa.table({"path": ["ad"], "total_conversions": [1]})) as paths,
        pytest.raises(UsageError, match=r"did you mean 'phase'\?"),
    ):
        attribute(paths, model="linear", level="phsae")


def test_analyze_and_build_journeys_refuse_an_unknown_breakdown() -> None:
    with pytest.raises(UsageError) as caught:
        analyze(MAP, events(), breakdown=["regoin"], attribution=False)
    message = str(caught.value)
    assert "cannot break down by 'regoin'" in message and "did you mean 'region'?" in message
    assert "keys of the extra JSON: plan, region" in message
    assert "columns: person_id, account_id, ts" in message
    facts = analyze(MAP, events(), breakdown=["region"], attribution=False)
    assert facts.summary is not None
    journeys = build_journeys(
        _memtable(events()), MAP, JourneyOptions(breakdown=["region"])
    ).to_pyarrow()
    assert sorted(set(journeys.column("region").to_pylist())) == ["north", "south"]


def test_extra_keys_are_read_once_and_only_for_names_that_are_no_column(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[object] = []
    real = extra_module._json_keys

    def counted(text: object) -> object:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(extra_module, "_json_keys", counted)
    table = _memtable(events())
    build_journeys(table, MAP, JourneyOptions(breakdown=["persona", "account_id"]))
    assert calls == []  # real columns: no query
    build_journeys(table, MAP, JourneyOptions(breakdown=["region", "plan"]))
    assert len(calls) == 1  # two keys of the extra JSON: one query


def _memtable(table: pa.Table) -> Any:
    import ibis

    return ibis.memtable(table)


# 2. A malformed line of a path file is skipped and named; skips say where.


def test_cli_skips_a_short_line_and_attributes_the_rest(tmp_path: Path) -> None:
    file = tmp_path / "p.csv"
    file.write_text(HEADER + "a > b,3,1,10\nb,2\na,1,2,5\n", encoding="utf-8")
    result = run("--paths", str(file), "--model", "linear")
    assert result.exit_code == 0, result.output
    assert "Read 3 path rows; those kept stand for 7 journeys and 4 conversions." in result.output
    skipped = "Rows skipped (the line cannot be read as a row): 1. Line 3."
    assert skipped in result.output
    rows = {line.split()[1]: line for line in result.output.splitlines() if "│" in line}
    assert "2.5 (62.5%)" in rows["a"] and "1.5 (37.5%)" in rows["b"]


def test_skipped_rows_name_their_first_lines(tmp_path: Path) -> None:
    lines = []
    for number in range(2, 40):  # file line numbers (the header is line 1)
        if number % 7 == 0:
            lines.append("b,2")
        elif number % 5 == 0:
            lines.append("a >> b,1,1,3")
        elif number == 11:
            lines.append('"a b",1,1,3')
        elif number == 18:
            lines.append("a,x,1,2")
        else:
            lines.append("a > b,1,1,2")
    lines[13 - 2] = ""  # a blank line is no row, as for the reader
    file = tmp_path / "many.csv.gz"
    file.write_bytes(gzip.compress((HEADER + "\n".join(lines) + "\n").encode()))
    result = run("--paths", str(file), "--model", "linear")
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Read 37 path rows" in output  # 38 lines after the header, one of them blank
    assert "Rows skipped (the line cannot be read as a row): 5. Lines 7, 14, 21, 28, 35." in output
    assert (
        "Rows skipped (the path is empty or has an empty touch between separators): 6. "
        "Lines 5, 10, 15, 20, 25 and 1 more." in output
    )
    assert "Rows skipped (conversions or nulls are not whole numbers >= 0): 1. Line 18." in output
    found = attribute_paths_file(file, models=["linear"])
    assert found.skipped_at["empty path"] == [5, 10, 15, 20, 25, 30]
    assert found.position == "line"


def test_from_paths_keeps_the_positions_of_skipped_rows() -> None:
    table = pa.table(
        {
            "path": ["a>b", "", "b", "a>>b", "c"],
            "total_conversions": ["1", "2", "x", "1", "2"],
            "total_null": ["0", "1", "1", "0", "1"],
        }
    )
    with from_paths(table) as paths:
        assert paths.skipped == {"empty path": 2, "bad count": 1}
        assert paths.skipped_rows == {"empty path": [2, 4], "bad count": [3]}
        assert paths.rows == 5 and paths.journeys == 4


# 3. Path data without nulls say what that means.


def test_cli_notes_a_file_without_nulls(tmp_path: Path) -> None:
    file = tmp_path / "p2.csv"
    file.write_text("path,total_conversions\na>b,3\nb,2\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["attribute", "--paths", str(file), "--model", "markov"], env={"COLUMNS": "400"}
    )
    assert result.exit_code == 0, result.output
    assert (
        "Note: p2.csv has no nulls column (total_null), so only converting journeys are known: "
        "every path counts as converting, conversion rates are 100% and Markov removal effects "
        "only say how many conversions pass each touch." in result.output
    )
    with_nulls = tmp_path / "p.csv"
    with_nulls.write_text(HEADER + "a>b,3,1,10\n", encoding="utf-8")
    result = run("--paths", str(with_nulls), "--model", "linear")
    assert result.exit_code == 0 and "no nulls column" not in result.output
    with from_paths(pa.table({"path": ["a"], "total_conversions": [1]})) as paths:
        assert paths.nulls_known is False
    with from_paths(pa.table({"path": ["a"], "total_conversions": [1], "total_null": [0]})) as p:
        assert p.nulls_known is True


# 4. The account level's title says its keys are members.


def test_cli_account_level_title_says_members(workspace: tuple[Path, Path]) -> None:
    map_path, db = workspace
    result = run("--map", str(map_path), "--db", str(db), "--level", "account", "--model", "linear")
    assert result.exit_code == 0, result.output
    assert "Attribution by account member (contacts of each account together)" in result.output
    assert "Attribution by account\n" not in result.output
    keys = {line.split()[1] for line in result.output.splitlines() if "│" in line}
    assert {"p1", "p2"} <= keys  # the members of account a1 earn the credit


def test_cli_lists_skip_reasons_in_the_order_the_checks_run(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text(
        "path,total_conversions,total_null,total_conversion_value\n"
        "c,1,0,x\n"  # line 2: a value that is no number
        "a >> c,1,1,\n"  # line 3: an empty touch
        "b,2\n"  # line 4: too few fields
        "a > b,1,2,10\n",
        encoding="utf-8",
    )
    result = run("--paths", str(source), "--model", "linear")
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.output.splitlines() if line.startswith("Rows skipped")]
    assert skipped == [
        "Rows skipped (the line cannot be read as a row): 1. Line 4.",
        "Rows skipped (the path is empty or has an empty touch between separators): 1. Line 3.",
        "Rows skipped (the value is not a number): 1. Line 2.",
    ]


def test_an_empty_value_of_a_column_level_is_credited_as_none() -> None:
    # An export's empty utm_source is no source: "(none)", not a blank key.
    table = events()
    regions = ["north", "north", "north", "", "", ""]
    table = table.set_column(
        table.schema.get_field_index("extra"),
        "extra",
        pa.array([json.dumps({"region": region}) for region in regions]),
    )
    journeys = build_journeys(_memtable(table), MAP, JourneyOptions(breakdown=["region"]))
    credits = attribute(journeys, MAP, model="last_touch", level="region").table.to_pylist()
    assert {row["key"]: row["conversions"] for row in credits} == {"north": 1.0, "(none)": 1.0}


def test_cli_skips_a_json_lines_path_line_that_is_no_object(tmp_path: Path) -> None:
    source = tmp_path / "p.jsonl"
    good = {"path": "a > b", "total_conversions": 2, "total_null": 1}
    source.write_text(
        json.dumps(good) + '\n{"path": "b", \n\n' + json.dumps(good | {"path": "b"}) + "\n",
        encoding="utf-8",
    )
    result = run("--paths", str(source), "--model", "last_touch")
    assert result.exit_code == 0, result.output
    assert "Read 3 path rows; those kept stand for 6 journeys and 4 conversions." in result.output
    assert "Rows skipped (the line cannot be read as a row): 1. Line 2." in result.output


def test_accounts_asked_of_events_without_account_ids_is_a_usage_error(
    tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    # Before, the account level fell back to persons under the title "Attribution by
    # account member", and journeys per account were the person journeys.
    table = events()
    table = table.set_column(1, "account_id", pa.array([None] * table.num_rows, pa.string()))
    with pytest.raises(UsageError, match="the account level needs account ids"):
        attribute(build_journeys(ibis.memtable(table), MAP), MAP, model="linear", level="account")
    with pytest.raises(UsageError, match="journeys per account needs account ids"):
        analyze(MAP, table, by="account")
    save_map(MAP, tmp_path / "map.yaml")
    db = fill_workspace(tmp_path / "ws.duckdb", table)
    result = run("--map", str(tmp_path / "map.yaml"), "--db", str(db), "--level", "account")
    assert result.exit_code == 2, result.output
    assert "no event has one" in result.output and "Traceback" not in result.output
    # With account ids (the events above), both work.
    found = attribute(build_journeys(ibis.memtable(events()), MAP), MAP, level="account")
    assert {row["key"] for row in found.table.to_pylist()} == {"p1", "p2", "p3"}


def test_the_persona_level_of_events_without_personas_is_a_usage_error(
    tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    # Before, every conversion went to "(none)": 100 % on a key that is no persona.
    table = events()
    index = table.column_names.index("persona")
    table = table.set_column(index, "persona", pa.array([None] * table.num_rows, pa.string()))
    journeys = build_journeys(ibis.memtable(table), MAP)
    with pytest.raises(UsageError, match="the persona level needs personas, and no event has"):
        attribute(journeys, MAP, model="linear", level="persona")
    save_map(MAP, tmp_path / "map.yaml")
    db = fill_workspace(tmp_path / "ws.duckdb", table)
    result = run("--map", str(tmp_path / "map.yaml"), "--db", str(db), "--level", "persona")
    assert result.exit_code == 2, result.output
    assert "columns: persona:" in result.output and "Traceback" not in result.output


def test_path_levels_that_need_the_map_ask_for_it(tmp_path: Path) -> None:
    # Without a map every touchpoint's channel is "(unmapped)": the channel level put 100%
    # on it and exited 0.
    file = tmp_path / "p.csv"
    file.write_text(HEADER + "ad > mail,3,1,10\nmail,2,2,5\n", encoding="utf-8")
    for level in ("channel", "phase"):
        result = run("--paths", str(file), "--level", level)
        assert result.exit_code == 2, result.output
        assert f"the {level} level reads each touchpoint's {level} from the journey map" in (
            " ".join(result.output.split())
        )
    save_map(MAP, tmp_path / "map.yaml")
    result = run("--paths", str(file), "--level", "phase", "--map", str(tmp_path / "map.yaml"))
    assert result.exit_code == 0, result.output
    assert "awareness" in result.output and "(unmapped)" not in result.output
    with from_paths(pa.table({"path": ["ad > mail"], "total_conversions": [1]}), MAP) as paths:
        # The phases read with the paths' own map are enough for the phase level.
        assert attribute(paths, level="phase").table.num_rows == 1
    with pytest.raises(UsageError) as caught:
        from_paths(pa.table({"route": ["ad"], "total_conversions": [1]}))
    assert "columns: route, total_conversions " in str(caught.value)  # not our row number


def test_cli_model_options(workspace: tuple[Path, Path]) -> None:
    # The custom model, half-life, U weights, direct touchpoints and Markov collapse were
    # reachable only from Python (or not at all): `--model custom` failed asking for a
    # Python argument.
    map_path, db = workspace
    base = ["--map", str(map_path), "--db", str(db)]
    result = run(*base, "--model", "custom", "--custom-weights", "1,0")
    assert result.exit_code == 0, result.output
    assert printed_credits(result.output, "custom") == {"ad": 1.0, "mail": 1.0, "buy": 0.0}
    result = run(*base, "--model", "position_based", "--u-weights", "0,0,1")
    assert printed_credits(result.output, "position_based") == {"ad": 0.0, "mail": 0.0, "buy": 2.0}
    result = run(*base, "--model", "last_non_direct", "--direct", "buy")
    assert printed_credits(result.output, "last_non_direct") == {"ad": 0.0, "mail": 2.0, "buy": 0.0}
    for option, value in (("--u-weights", "0.4;0.6"), ("--half-life", "0d")):
        result = run(*base, "--model", "time_decay", option, value)
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    result = run(*base, "--model", "markov", "--no-collapse", "--order", "2")
    assert result.exit_code == 0, result.output
    result = run(*base, "--engine", f"duckdb:///{db}")
    assert "give either --db or --engine, not both" in result.output
    engine = ["--map", str(map_path), "--engine", f"duckdb:///{db}", "--model", "first_touch"]
    assert printed_credits(run(*engine).output, "first_touch") == {
        "ad": 1.0,
        "mail": 1.0,
        "buy": 0.0,
    }
    # Across account a1 the members' events merge in time: p2's purchase at hour 1 closes
    # the segment ad, mail, mail, buy (first touch p1's ad); p1's at hour 2 stands alone.
    merged = printed_credits(run(*engine, "--by-account").output, "first_touch")
    assert merged == {"ad": 1.0, "mail": 0.0, "buy": 1.0}


def test_attribute_reads_a_workspace_another_process_is_reading(
    workspace: tuple[Path, Path],
) -> None:
    # analyze and attribute opened the DuckDB file read-write: a second reader failed with
    # "Conflicting lock is held". Read-only opens share the lock.
    import subprocess
    import sys

    map_path, db = workspace
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(db)!r}, read_only=True)\n"
            "print('open', flush=True)\n"
            "sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        result = run("--map", str(map_path), "--db", str(db), "--model", "linear")
        assert result.exit_code == 0, result.output
        assert "Conflicting lock" not in result.output
    finally:
        holder.communicate("\n", timeout=30)


def test_one_conversion_is_said_in_the_singular(tmp_path: Path) -> None:
    """'Read 1 path rows; those kept stand for 3 journeys and 1 conversions'."""
    paths = tmp_path / "one.csv"
    paths.write_text("path,total_conversions,total_null\nad > mail,1,2\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["attribute", "--paths", str(paths), "--model", "linear"])
    assert result.exit_code == 0, result.output
    assert "Read 1 path row; those kept stand for 3 journeys and 1 conversion." in result.output
