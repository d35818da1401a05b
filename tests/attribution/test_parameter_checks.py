"""Parameters of attribute() and compare_models() given wrong: read when the intent is plain,
else a journeymap error that says what to write, never a silent default or a driver error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from attribution_journeys import journeys_table, map_of

from journeymap.analysis import analyze
from journeymap.attribution import MODELS, attribute, compare_models, from_paths
from journeymap.errors import AttributionError, UsageError
from journeymap.ingest import Workspace

PHASES = {"ad": "awareness", "web": "awareness", "demo": "consideration", "call": "decision"}
MAP = map_of(PHASES)
# Journeys 0 and 2 are members of account a0, journey 1 of a1.
PATHS = [
    (["ad", "demo", "ad", "call"], True, 100.0),
    (["web", "demo"], False, 0.0),
    (["web"], False, 0.0),
    (["call"], True, 40.0),
]


def journeys() -> object:
    return journeys_table(PATHS, phases=PHASES)


def credit(**params: object) -> dict[str, float]:
    result = attribute(journeys(), MAP, **params)  # type: ignore[arg-type]
    return {row["key"]: row["conversions"] for row in result.table.to_pylist()}


def by_model(table: pa.Table) -> dict[tuple[str, str], float]:
    return {(row["model"], row["key"]): row["conversions"] for row in table.to_pylist()}


# 1. Booleans given as text


def test_yes_no_parameters_given_as_text_are_read_as_booleans() -> None:
    # Before, any non-empty text was true: "false" collapsed repeats and merged accounts.
    markov = attribute(journeys(), MAP, model="markov", collapse_repeats="false")
    assert markov.params["collapse_repeats"] is False
    assert credit(model="markov", collapse_repeats="false") == credit(
        model="markov", collapse_repeats=False
    )
    merged = credit(model="linear", by_account=True)
    assert merged != credit(model="linear")  # the account's other member shares the credit
    assert credit(model="linear", by_account="false") == credit(model="linear")
    assert credit(model="linear", by_account="yes") == merged
    with pytest.raises(UsageError, match=r"collapse_repeats takes True or False .*got 'maybe'"):
        attribute(journeys(), MAP, model="markov", collapse_repeats="maybe")


# 2. Misspelt parameter names


def test_a_misspelt_parameter_is_refused_with_a_did_you_mean() -> None:
    # Before, lookbak="1h" and halflife="1d" ran without a lookback or with a 7-day half-life.
    with pytest.raises(
        UsageError,
        match=r"unknown attribution parameter 'lookbak'; did you mean 'lookback'\? "
        r"\(arguments: model, level, cache; model parameters: lookback, conversion_touch, "
        r"half_life, ",
    ):
        attribute(journeys(), MAP, model="linear", lookbak="1h")
    with pytest.raises(UsageError, match=r"'halflife'; did you mean 'half_life'\?"):
        attribute(journeys(), MAP, model="time_decay", halflife="1d")
    with pytest.raises(UsageError, match=r"'model'; did you mean 'models'\?"):
        compare_models(journeys(), MAP, model="linear")
    with pytest.raises(UsageError, match=r"'colapse_repeats'; did you mean 'collapse_repeats'\?"):
        compare_models(journeys(), MAP, models=["markov"], colapse_repeats=False)


# 3. Weights that give a conversion to no touch


def test_weights_that_would_lose_conversions_are_refused() -> None:
    # Before, custom_weights=[0, 0, 0] credited 0 conversions of 2.
    with pytest.raises(UsageError, match=r"the custom weights sum to 0, so no touch would take"):
        attribute(journeys(), MAP, model="custom", custom_weights=[0, 0, 0])
    with pytest.raises(UsageError, match=r"position weights \(u_weights\) sum to 0"):
        attribute(journeys(), MAP, model="position_based", u_weights=[0, 0, 0])
    # Zero where a one-touch journey has its only touch: that conversion went to no touch.
    with pytest.raises(UsageError, match=r"first custom weight is 0, so a journey of one touch"):
        attribute(journeys(), MAP, model="custom", custom_weights=[0, 1])
    with pytest.raises(UsageError, match=r"give the first and the last touch 0, so a journey"):
        attribute(journeys(), MAP, model="position_based", u_weights=[0, 1, 0])
    # Zeros elsewhere are shares like any other: every conversion is still credited.
    assert sum(credit(model="custom", custom_weights=[1, 0]).values()) == pytest.approx(2)
    assert sum(credit(model="position_based", u_weights=[1, 0, 0]).values()) == pytest.approx(2)


# 4. Text where a list or a number is expected


def test_text_for_a_list_or_a_number_is_read_as_the_command_line_reads_it() -> None:
    # Before: a TypeError, a ValueError, or messages listing single characters.
    assert credit(model="position_based", u_weights="0.5, 0,0.5") == credit(
        model="position_based", u_weights=[0.5, 0, 0.5]
    )
    assert credit(model="custom", custom_weights="0.5,0.5") == credit(
        model="custom", custom_weights=[0.5, 0.5]
    )
    lead = attribute(journeys(), MAP, model="w_shaped", lead_phases="consideration")
    assert lead.params["lead_phases"] == ("consideration",)
    direct = attribute(journeys(), MAP, model="last_non_direct", direct_touchpoints="call")
    assert direct.params["direct"] == ("call",)
    assert credit(model="markov", order="2") == credit(model="markov", order=2)
    assert set(compare_models(journeys(), MAP, models="linear").column("model").to_pylist()) == {
        "linear"
    }
    both = compare_models(journeys(), MAP, models="linear, markov")
    assert set(both.column("model").to_pylist()) == {"linear", "markov"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"model": "markov", "order": "two"},
            "order takes a whole number, e.g. order=2; got 'two'",
        ),
        ({"model": "markov", "order": 1.5}, "order takes a whole number, e.g. order=2; got 1.5"),
        (
            {"model": "custom", "custom_weights": "0.5;0.5"},
            "custom_weights takes numbers, as a list or separated by commas: "
            "custom_weights=[0.5, 0.3, 0.2] or custom_weights='0.5,0.3,0.2'; got '0.5;0.5'",
        ),
        (
            {"model": "position_based", "u_weights": ["a", 1, 1]},
            "u_weights takes numbers, as a list or separated by commas",
        ),
        ({"model": "custom", "custom_weights": []}, "custom_weights takes numbers"),
        (
            {"model": "w_shaped", "lead_phases": 3},
            "lead_phases takes names, as a list or separated by commas: "
            "lead_phases=['consideration'] or lead_phases='consideration'; got 3",
        ),
        ({"model": "shapley", "samples": "many"}, "samples takes a whole number"),
    ],
)
def test_a_value_of_the_wrong_kind_says_what_to_write(
    params: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError) as raised:
        attribute(journeys(), MAP, **params)  # type: ignore[arg-type]
    assert message in str(raised.value)


# 5. An empty list of models


def test_an_empty_list_of_models_is_refused_and_none_compares_every_model() -> None:
    # Before, models=[] ran every model, as if none had been named.
    with pytest.raises(
        UsageError, match=r"models=\[\] names no model: name one or more, e.g. models="
    ):
        compare_models(journeys(), MAP, models=[])
    with pytest.raises(UsageError, match="names no model"):
        compare_models(journeys(), MAP, models="")
    every = set(compare_models(journeys(), MAP).column("model").to_pylist())
    assert every == {model for model in MODELS if model != "custom"}


# 6. Closed paths, workspaces and analyses


def test_paths_used_after_their_block_are_an_attribution_error() -> None:
    frame = pd.DataFrame(
        {"path": ["ad > call", "web"], "total_conversions": [2, 0], "total_null": [1, 3]}
    )
    with from_paths(frame, MAP) as paths:
        inside = attribute(paths, MAP, model="last_touch").table.to_pylist()
    assert {row["key"]: row["conversions"] for row in inside}["call"] == 2.0
    assert paths.closed
    # Before, a duckdb CatalogException naming a temporary table.
    for run in (
        lambda: attribute(paths, MAP, model="linear"),
        lambda: compare_models(paths, MAP),
    ):
        with pytest.raises(AttributionError, match=r"these paths were closed .*inside the block"):
            run()


def workspace_of(tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]) -> Workspace:
    events = pd.DataFrame(
        {
            "person_id": ["p1", "p1", "p2"],
            "ts": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-01"], utc=True),
            "touchpoint": ["ad", "call", "ad"],
            "conversion": [False, True, False],
            "value": [None, 10.0, None],
        }
    )
    path = fill_workspace(tmp_path / "w.duckdb", pa.Table.from_pandas(events))
    return Workspace(f"duckdb:///{path}")


def test_journeys_of_a_closed_workspace_are_an_attribution_error(
    tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    with workspace_of(tmp_path, fill_workspace) as workspace:
        analysis = analyze(MAP, workspace, attribution=False)
        inside = compare_models(analysis.journeys, MAP, models=["last_touch"])
    assert by_model(inside)[("last_touch", "call")] == 1.0
    # Before, a duckdb ConnectionException.
    closed = "the database these journeys are read from has been closed; .*'with Workspace"
    with pytest.raises(AttributionError, match=closed):
        compare_models(analysis.journeys, MAP)
    with pytest.raises(AttributionError, match=closed):
        attribute(analysis.journeys, MAP, model="markov")


def test_journeys_of_a_closed_analysis_are_an_attribution_error(
    tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    with workspace_of(tmp_path, fill_workspace) as workspace:
        # A breakdown column: the journeys are stored (not counted off their arrays).
        analysis = analyze(MAP, workspace, attribution=False, breakdown=["persona"])
        kept = analysis.journeys
        analysis.close()
        # Before, a duckdb CatalogException: closing the analysis dropped its journeys table.
        with pytest.raises(AttributionError, match="the journeys table no longer exists"):
            compare_models(kept, MAP)
        # Counted off their arrays, the journeys were never stored: they stay readable.
        analysis = analyze(MAP, workspace, attribution=False)
        kept = analysis.journeys
        analysis.close()
        assert compare_models(kept, MAP).num_rows > 0


# 7. A pandas column mixing text and numbers


def test_a_pandas_column_mixing_text_and_numbers_is_read_row_by_row() -> None:
    # Before, pyarrow's ArrowInvalid / ArrowTypeError for the whole frame.
    frame = pd.DataFrame(
        {
            "path": ["ad > call", "web", 7, "demo > call"],
            "total_conversions": [2, 1, 1, "x"],
            "total_null": [1, 3, 0, 1],
            "total_conversion_value": [50.0, "n/a", 5, 20.0],
        }
    )
    assert frame["total_conversion_value"].dtype == object
    with from_paths(frame, MAP) as paths:
        assert paths.rows == 4
        assert paths.skipped == {"bad value": 1, "bad count": 1}
        assert paths.skipped_rows == {"bad value": [2], "bad count": [4]}
        assert (paths.conversions, paths.value) == (3.0, 55.0)
        found = attribute(paths, model="last_touch").table.to_pylist()
    assert {row["key"]: row["conversions"] for row in found} == {"call": 2.0, "7": 1.0, "ad": 0.0}
