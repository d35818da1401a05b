"""The attribution API as a notebook user meets it (the py-api user test, findings 4, 6 and 9).

- A parameter no model run reads (``attribute(..., model="linear", order=3)``) was accepted
  in silence; the command line noted it. Python now warns, once, at the caller's line.
- ``level="product"`` for a column the help desk workspace keeps, but the journeys were not
  broken down by, said "unknown attribution level" without saying how to get it.
- ``AttributionResult.to_pandas`` was typed ``Any`` and there was no ``to_polars``; the side
  by side table the command line prints needed a pivot by hand.

The help desk log: Polato, M. (2017), Dataset belonging to the help desk log of an Italian
Company, 4TU.ResearchData (4,580 tickets).
"""

from __future__ import annotations

import datetime as dt
import inspect
import warnings
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from helpdesk import helpdesk_map, helpdesk_rules
from journeymap import JourneyMap, Workspace, analyze, import_events
from journeymap.attribution import (
    AttributionResult,
    Paths,
    attribute,
    compare_models,
    from_paths,
    side_by_side,
)
from journeymap.errors import UsageError

# ChannelAttribution's columns: 4 journeys took ad > mail and 3 of them converted.
PATHS = pa.table(
    {
        "path": ["ad > mail", "mail", "ad", "ad > blog > mail"],
        "total_conversions": [3, 1, 0, 2],
        "total_null": [1, 2, 4, 3],
        "total_conversion_value": [300.0, 50.0, 0.0, 120.0],
    }
)


@pytest.fixture
def paths() -> Iterator[Paths]:
    with from_paths(PATHS) as read:
        yield read


@pytest.fixture(scope="module")
def helpdesk(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[JourneyMap, Path]:
    """The help desk log in a workspace that keeps ``product`` and ``responsible_section``."""
    journey_map = helpdesk_map()
    rules = helpdesk_rules(keep=["product", "responsible_section"])
    db = tmp_path_factory.mktemp("helpdesk") / "hd.duckdb"
    with Workspace(str(db)) as workspace:
        import_events(workspace, datasets / "helpdesk" / "helpdesk.xes.gz", rules)
    return journey_map, db


# --- py-api 4: a parameter no model run reads is warned of, once, at the caller's line ---


def test_attribute_warns_of_a_parameter_the_model_does_not_read(paths: Paths) -> None:
    with pytest.warns(UserWarning) as caught:
        linear = attribute(paths, model="linear", order=3)
    said = [w for w in caught if w.category is UserWarning]
    assert [str(w.message) for w in said] == [
        "order=3 changed nothing: it is read only by markov, which did not run here (linear did)"
    ]
    assert said[0].filename == __file__  # the caller's line, not journeymap's
    # The credits are linear's all the same: 1.5 + 1 + 2/3 to ad, and so on.
    credits = {row["key"]: row["conversions"] for row in linear.table.to_pylist()}
    assert credits == pytest.approx({"ad": 1.5 + 2 / 3, "mail": 1.5 + 1 + 2 / 3, "blog": 2 / 3})


def test_compare_models_warns_once_per_parameter(paths: Paths) -> None:
    with pytest.warns(UserWarning) as caught:
        compare_models(paths, models=["linear", "shapley"], half_life="3d", samples=100)
    said = [w for w in caught if w.category is UserWarning]
    assert sorted(str(w.message) for w in said) == [
        "half_life='3d' changed nothing: it is read only by time_decay, which did not run "
        "here (linear, shapley did)",
        "samples=100 changed nothing: Shapley reads it only with shapley_method='sampling'",
    ]
    assert {w.filename for w in said} == {__file__}


def test_a_parameter_a_model_reads_is_not_warned_of(paths: Paths) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare_models(paths, models=["linear", "markov"], order=2)
        attribute(paths, model="shapley", shapley_method="sampling", samples=50)
        attribute(paths, model="linear", order=None)  # None: not given


def test_an_analysis_warns_once_not_twice(paths: Paths, helpdesk: tuple[JourneyMap, Path]) -> None:
    """``Analysis.attribution`` says it itself; the package must not say it again."""
    journey_map, db = helpdesk
    with (
        analyze(journey_map, db, attribution=False) as analysis,
        pytest.warns(UserWarning) as caught,
    ):
        analysis.attribution(model="linear", order=3)
    said = [str(w.message) for w in caught if w.category is UserWarning]
    assert said == [
        "order=3 changed nothing: it is read only by markov, which did not run here (linear did)"
    ]


# --- py-api 6: a kept column that is no breakdown says how to attribute by it ---


def test_a_kept_column_says_to_analyze_with_a_breakdown(
    helpdesk: tuple[JourneyMap, Path],
) -> None:
    journey_map, db = helpdesk
    options = {"after_conversion": "continue", "conversion_window": None}
    with analyze(journey_map, db, attribution=False, **options) as analysis:
        with pytest.raises(UsageError) as refused:
            analysis.attribution(model="linear", level="product")
        assert str(refused.value) == (
            "'product' is a column kept from the events; analyze with breakdown=['product'] "
            "(CLI: --breakdown product) to attribute by it"
        )
        with pytest.raises(UsageError, match=r"did you mean 'product'\?") as misspelt:
            analysis.attribution(model="linear", level="prodct")
        assert "columns kept from the events: source, product, responsible_section" in str(
            misspelt.value
        )
    # Done as it says, the column is a level: every Closed event credited to products.
    with analyze(journey_map, db, attribution=False, breakdown=["product"], **options) as by:
        result = by.attribution(model="linear", level="product")
    rows = result.table.to_pylist()
    assert len(rows) > 10 and all(row["key"].startswith("Value") for row in rows[:3])
    assert sum(row["conversions"] for row in rows) == pytest.approx(4561, abs=1e-9)  # Closed events


def test_journeys_of_a_data_frame_say_the_breakdown_may_be_missing(
    shop_map: JourneyMap,
) -> None:
    """A data frame's other columns are gone once its journeys are cut: said conditionally."""
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    events = pa.table(
        {
            "person_id": ["p1", "p1", "p2"],
            "account_id": pa.nulls(3, pa.string()),
            "ts": pa.array([t0, t0 + dt.timedelta(hours=1), t0], pa.timestamp("us", "UTC")),
            "touchpoint": ["ad", "buy", "blog"],
            "phase": pa.nulls(3, pa.string()),
            "persona": pa.nulls(3, pa.string()),
            "conversion": [False, True, False],
            "value": pa.nulls(3, pa.float64()),
            "campaign": ["spring", "spring", "autumn"],
        }
    )
    with (
        analyze(shop_map, events, attribution=False) as analysis,
        pytest.raises(UsageError) as refused,
    ):
        analysis.attribution(model="linear", level="campaign")
    assert str(refused.value).startswith("unknown attribution level 'campaign' (levels: ")
    assert str(refused.value).endswith(
        ". If 'campaign' is a column kept from the events, analyze with "
        "breakdown=['campaign'] (CLI: --breakdown campaign) to attribute by it"
    )


# --- py-api 9: typed results, polars, the side-by-side table, examples ---


def test_the_result_converts_to_polars_and_says_its_types(paths: Paths) -> None:
    result = attribute(paths, model="first_touch")
    frame = result.to_polars()
    assert frame.columns == ["level", "key", "conversions", "value", "share"]
    assert dict(zip(frame["key"], frame["conversions"], strict=True)) == {
        "ad": 5.0,
        "mail": 1.0,
        "blog": 0.0,
    }
    assert frame.to_dicts() == result.to_pandas().to_dict("records")
    returns = {
        name: inspect.signature(getattr(AttributionResult, name)).return_annotation
        for name in ("to_pandas", "to_polars")
    }
    assert returns == {"to_pandas": "pd.DataFrame", "to_polars": "pl.DataFrame"}


def test_compare_models_gives_the_side_by_side_table(paths: Paths) -> None:
    models = ["first_touch", "last_touch", "linear", "markov"]
    long = compare_models(paths, models=models)
    wide = compare_models(paths, models=models, wide=True)
    assert wide.column_names == ["level", "key", *models]
    # One row per key; the keys with the most credit summed over the models first.
    assert wide.column("key").to_pylist() == ["mail", "ad", "blog"]
    for row in long.to_pylist():
        cell = wide.filter(pa.compute.equal(wide["key"], row["key"]))
        assert cell.column(row["model"])[0].as_py() == row["conversions"]
    assert wide.column("last_touch").to_pylist() == [6.0, 0.0, 0.0]
    value = side_by_side(long, metric="value")
    assert value.column("first_touch").to_pylist() == [50.0, 420.0, 0.0]  # ad first: 300 + 120
    with pytest.raises(UsageError, match="metric 'revenue' is not known; give conversions"):
        side_by_side(long, metric="revenue")


def test_the_docstrings_show_examples() -> None:
    for function in (attribute, compare_models, from_paths):
        assert "Examples:" in (function.__doc__ or ""), function.__name__
        assert ">>> " in (function.__doc__ or ""), function.__name__
