"""Pre-aggregated paths: the same credit as the journeys they stand for, bad rows counted."""

from __future__ import annotations

import gzip
from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa
import pytest
from attribution_journeys import journeys_table, map_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from journeymap.attribution import MODELS, attribute, compare_models, from_paths
from journeymap.cli.app import app
from journeymap.errors import UsageError

PHASES = {"ad": "awareness", "web": "awareness", "demo": "consideration", "call": "decision"}
CHANNELS = {"ad": "paid", "web": "owned", "demo": "sales", "call": "sales"}
MAP = map_of(PHASES, CHANNELS)
# path, converting journeys, non-converting journeys, value of the conversions
PATHS = [
    ("ad > web > demo > call", 3, 1, 300.0),
    ("ad > ad > call", 1, 4, 50.0),
    ("web", 2, 5, 20.0),
    ("web > demo > web > demo", 0, 3, 0.0),
    ("demo > call > call", 2, 0, 180.0),
]
PATH_MODELS = [m for m in MODELS if m not in {"time_decay", "custom"}]


def frame(rows: list[tuple[str, int, int, float]] = PATHS) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["path", "total_conversions", "total_null", "total_conversion_value"]
    )


def expanded(rows: list[tuple[str, int, int, float]] = PATHS) -> ibis.Table:
    """One journey per conversion and per null of every path; a path's value split evenly."""
    journeys = []
    for path, conversions, nulls, value in rows:
        touches = [t.strip() for t in path.split(">")]
        journeys += [(touches, True, value / max(conversions, 1))] * conversions
        journeys += [(touches, False, 0.0)] * nulls
    return journeys_table(journeys, phases=PHASES)


def credits(table: pa.Table) -> dict[tuple[str, str], tuple[float, float]]:
    return {(r["model"], r["key"]): (r["conversions"], r["value"]) for r in table.to_pylist()}


def assert_same(ours: pa.Table, theirs: pa.Table) -> None:
    mine, expected = credits(ours), credits(theirs)
    assert set(mine) == set(expected)
    for key, (conversions, value) in expected.items():
        assert mine[key][0] == pytest.approx(conversions, abs=1e-9), key
        assert mine[key][1] == pytest.approx(value, abs=1e-9), key


@pytest.mark.parametrize("level", ["touchpoint", "channel", "phase"])
def test_every_model_credits_paths_as_the_journeys_they_stand_for(level: str) -> None:
    with from_paths(frame(), MAP) as paths:
        ours = compare_models(paths, MAP, level=level, models=PATH_MODELS)
    assert_same(ours, compare_models(expanded(), MAP, level=level, models=PATH_MODELS))


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("collapse", [True, False])
def test_markov_of_every_order_equals_the_journeys(order: int, collapse: bool) -> None:
    params = {"order": order, "collapse_repeats": collapse}
    with from_paths(frame(), MAP) as paths:
        ours = attribute(paths, MAP, model="markov", **params)
    theirs = attribute(expanded(), MAP, model="markov", **params)
    assert ours.table.column("key").to_pylist() == theirs.table.column("key").to_pylist()
    for column in ("conversions", "value", "removal_effect"):
        assert ours.table.column(column).to_pylist() == pytest.approx(
            theirs.table.column(column).to_pylist()
        )
    assert ours.extras["markov"].removal_effects == pytest.approx(
        theirs.extras["markov"].removal_effects
    )


def test_totals_and_counts_of_what_was_read() -> None:
    with from_paths(frame(), MAP) as paths:
        assert (paths.rows, paths.journeys, paths.skipped) == (5, 21, {})
        assert (paths.conversions, paths.value) == (8, 550.0)
        table = attribute(paths, model="linear").table
    assert sum(table.column("conversions").to_pylist()) == pytest.approx(8)
    assert sum(table.column("value").to_pylist()) == pytest.approx(550.0)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(sorted(PHASES)), min_size=1, max_size=5),
            st.integers(0, 3),
            st.integers(0, 3),
            st.integers(0, 500),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_random_paths_give_the_journeys_credit(draws: list) -> None:
    rows = [(" > ".join(t), c, n, float(v if c else 0)) for t, c, n, v in draws]
    if not any(c for _, c, _, _ in rows):
        rows.append(("ad", 1, 0, 10.0))
    models = ["first_touch", "linear", "w_shaped", "participation", "markov", "shapley"]
    with from_paths(frame(rows), MAP) as paths:
        ours = compare_models(paths, MAP, models=models)
    assert_same(ours, compare_models(expanded(rows), MAP, models=models))


def test_bad_rows_are_counted_by_reason_and_the_rest_attributed() -> None:
    rows = pd.DataFrame(
        {
            "path": ["ad > call", "", "ad >  > call", None, "web", "web", "demo", "call > "],
            "total_conversions": ["2", "1", "1", "1", "-1", "1.5", "x", "1"],
            "total_null": ["1", "0", "0", "0", "0", "0", "0", "0"],
            "total_conversion_value": ["20", "1", "1", "1", "1", "1", "1", "1"],
        }
    )
    rows.loc[len(rows)] = ["demo", "1", "0", "a lot"]
    rows.loc[len(rows)] = ["web", "1", "0", " "]  # a blank value is no value, not an error
    with from_paths(rows, MAP) as paths:
        assert paths.skipped == {"empty path": 4, "bad count": 3, "bad value": 1}
        assert (paths.rows, paths.journeys, paths.conversions, paths.value) == (10, 4, 3, 20.0)
        last = attribute(paths, model="last_touch").table.to_pylist()
    assert {r["key"]: (r["conversions"], r["value"]) for r in last} == {
        "call": (2.0, 20.0),
        "web": (1.0, 0.0),
        "ad": (0.0, 0.0),
    }


def test_touchpoints_met_only_by_journeys_that_did_not_convert_get_a_zero_row() -> None:
    """Every touchpoint a journey met is listed, spacing aside; a path nobody took is not."""
    rows = [
        ("ad>web", 2, 1, 20.0),
        (" web >demo  > fair ", 0, 3, 0.0),  # fair: never converted
        ("call", 0, 0, 0.0),  # a path no journey took
    ]
    with from_paths(frame(rows), MAP) as paths:
        found = compare_models(paths, MAP, models=["linear", "last_touch"], level="touchpoint")
        channels = attribute(paths, MAP, model="linear", level="channel").table.to_pylist()
    assert credits(found) == {
        ("linear", "ad"): (1.0, 10.0),
        ("linear", "web"): (1.0, 10.0),
        ("linear", "demo"): (0.0, 0.0),
        ("linear", "fair"): (0.0, 0.0),
        ("last_touch", "ad"): (0.0, 0.0),
        ("last_touch", "web"): (2.0, 20.0),
        ("last_touch", "demo"): (0.0, 0.0),
        ("last_touch", "fair"): (0.0, 0.0),
    }
    assert {r["key"]: r["conversions"] for r in channels} == {
        "paid": 1.0, "owned": 1.0, "sales": 0.0, "(unmapped)": 0.0,
    }  # fmt: skip


@pytest.mark.parametrize("sep", [">", "|"])
def test_a_path_with_an_empty_touch_anywhere_is_skipped(sep: str) -> None:
    empty = ["> ad", " >ad", "ad >", "ad>\t", "ad >\t> web", "   ", "", "ad>>web", "\t>"]
    kept = ["ad", "web > ad", " ad>web ", "a d>web"]
    rows = [(path.replace(">", sep), 1, 0, 0.0) for path in empty + kept]
    with from_paths(frame(rows), sep=sep) as paths:
        assert paths.skipped == {"empty path": len(empty)}
        assert paths.skipped_rows == {"empty path": list(range(1, len(empty) + 1))}
        assert paths.conversions == len(kept)


def test_any_table_type_and_other_column_names() -> None:
    renamed = frame().rename(columns={"path": "route", "total_conversions": "won"})
    renamed["route"] = renamed["route"].str.replace(" > ", "|")
    expected = None
    for source in (renamed, pa.Table.from_pandas(renamed), ibis.memtable(renamed)):
        with from_paths(source, path="route", conversions="won", sep="|") as paths:
            table = attribute(paths, model="first_touch").table.to_pylist()
        expected = expected or table
        assert table == expected
    assert {r["key"]: r["conversions"] for r in expected} == {
        "ad": 4.0, "web": 2.0, "demo": 2.0, "call": 0.0,
    }  # fmt: skip


def test_what_path_data_cannot_answer_is_a_usage_error() -> None:
    with from_paths(frame(), MAP) as paths:
        with pytest.raises(UsageError, match="time-decay model needs the time"):
            attribute(paths, model="time_decay")
        with pytest.raises(UsageError, match="lookback window"):
            attribute(paths, model="linear", lookback="7d")
        with pytest.raises(UsageError, match="touchpoint, channel or phase level, not 'persona'"):
            attribute(paths, model="linear", level="persona")
        models = set(compare_models(paths).column("model").to_pylist())
    assert models == {m for m in MODELS if m not in {"time_decay", "custom"}}
    with pytest.raises(UsageError, match=r"no conversions column 'won'; columns: path, "):
        from_paths(frame(), conversions="won")
    with pytest.raises(UsageError, match="DataFrame, not list"):
        from_paths([("ad", 1, 0)])


def test_cli_reads_a_gzipped_path_file_and_reports_what_it_skipped(tmp_path: Path) -> None:
    text = frame().to_csv(index=False) + "ad >  > call,1,0,5\n"
    file = tmp_path / "paths.csv.gz"
    file.write_bytes(gzip.compress(text.encode()))
    runner = CliRunner()
    result = runner.invoke(
        app, ["attribute", "--paths", str(file), "--model", "last_touch", "--level", "channel"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    # No map, no channels: it used to credit 100% to "(unmapped)".
    assert result.exit_code == 2 and "give the map (--map MAP)" in result.output
    mapped = tmp_path / "map.yaml"
    mapped.write_text(
        "id: m\nname: M\nphases:\n  - {id: awareness, name: A}\n  - {id: decision, name: D}\n"
        "touchpoints:\n"
        "  - {id: ad, name: Ad, channel: paid, phases: [awareness]}\n"
        "  - {id: web, name: Web, channel: owned, phases: [awareness]}\n"
        "  - {id: demo, name: Demo, channel: sales, phases: [decision]}\n"
        "  - {id: call, name: Call, channel: sales, phases: [decision]}\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        ["attribute", "--paths", str(file), "--map", str(mapped), "--level", "channel",
         "--model", "last_touch"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    read = "Read 6 path rows; those kept stand for 21 journeys and 8 conversions."
    assert read in result.output
    skipped = "Rows skipped (the path is empty or has an empty touch between separators): 1."
    assert skipped in result.output
    lines = {line.split()[1]: line for line in result.output.splitlines() if "│" in line}
    assert "6.0 (75.0%)" in lines["sales"] and "2.0 (25.0%)" in lines["owned"]


def test_cli_refuses_paths_with_a_workspace_and_no_input_at_all(tmp_path: Path) -> None:
    file = tmp_path / "paths.csv"
    file.write_text(frame().to_csv(index=False), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["attribute", "--paths", str(file), "--db", "x.duckdb"])
    assert result.exit_code == 2 and "leave out --db" in " ".join(result.output.split())
    result = runner.invoke(app, ["attribute"])
    assert result.exit_code == 2 and "--map" in result.output
    result = runner.invoke(app, ["attribute", "--paths", str(file), "--model", "time_decay"])
    assert result.exit_code == 2 and "time-decay model needs the time" in result.output


def test_infinite_counts_and_values_are_skipped_as_bad_rows() -> None:
    """An infinite conversion count crashed inside DuckDB (a conversion error casting it to an
    integer), and an infinite value made every value total infinite."""
    import math

    from journeymap.attribution import from_paths

    frame = pd.DataFrame(
        {
            "path": ["a > b", "a", "b", "c"],
            "total_conversions": [2, 1, math.inf, 1],
            "total_null": [1, 0, 0, 2],
            "total_conversion_value": [10.0, math.inf, 1.0, 5.0],
        }
    )
    with from_paths(frame) as paths:
        assert paths.skipped == {"bad count": 1, "bad value": 1}
        assert paths.segments.conversions == 3.0
        assert paths.segments.value == 15.0
    as_text = pd.DataFrame(
        {
            "path": ["a", "b"],
            "total_conversions": ["1", "inf"],
            "total_conversion_value": ["nan", "2"],
        }
    )
    with from_paths(as_text) as paths:
        assert paths.skipped == {"bad count": 1, "bad value": 1}
