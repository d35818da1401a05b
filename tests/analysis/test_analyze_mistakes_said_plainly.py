"""What ``analyze()`` says to a notebook user's mistakes, before it measures anything.

Each of these came back as Ibis's, DuckDB's or a misleading message, or not at all: a renamed
column was ``AttributeError: 'Table' object has no attribute 'person_id'``, a bad attribution
parameter value gave an analysis without attribution tables (the reason in a summary key no
one reads), a folder "does not exist" and a CSV file "Cannot launch in-memory database in
read-only mode!".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from journeymap.analysis import analyze
from journeymap.errors import AnalysisError, UsageError, WorkspaceError
from journeymap.model import JourneyMap


def test_a_renamed_column_is_named_with_the_columns_given(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    renamed = shop_events.rename_columns(
        ["user_id" if c == "person_id" else c for c in shop_events.column_names]
    )
    with pytest.raises(AnalysisError) as error:
        analyze(shop_map, renamed)
    message = str(error.value)
    assert message.startswith(
        "the events lack the column person_id of the events contract (columns given: user_id, "
    )
    assert "import the events with `journeymap import`" in message


def test_a_near_miss_is_offered_as_the_rename(shop_map: JourneyMap, shop_events: pa.Table) -> None:
    renamed = shop_events.rename_columns(
        ["touchpoints" if c == "touchpoint" else c for c in shop_events.column_names]
    )
    with pytest.raises(AnalysisError, match="; rename 'touchpoints' to 'touchpoint'"):
        analyze(shop_map, renamed)


def test_nullable_columns_left_out_are_said_to_be_needed_even_if_empty(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    """Before: ``KeyError: 'value'`` from deep inside Ibis's schema."""
    core = shop_events.select(["person_id", "ts", "touchpoint", "conversion"])
    with pytest.raises(AnalysisError) as error:
        analyze(shop_map, core)
    assert (
        "account_id, phase, persona, value may hold nothing but nulls, but must be there "
        "(pandas: events.assign(account_id=None, phase=None, persona=None, value=None))"
    ) in str(error.value)
    pandas = pytest.importorskip("pandas")
    frame = core.to_pandas().assign(account_id=None, phase=None, persona=None, value=None)
    with analyze(shop_map, frame, attribution=False) as analysis:  # the advice works
        assert (analysis.summary["journeys"], analysis.summary["conversions"]) == (4, 2)
    assert isinstance(frame, pandas.DataFrame)


@pytest.mark.parametrize(
    ("parameters", "said"),
    [
        ({"lookback": "3 days"}, "'3 days' is not a duration"),
        ({"half_life": "-3d"}, "the time-decay half-life must be positive"),
        ({"u_weights": [0.5, 0.5]}, "position weights must be three non-negative numbers"),
        ({"order": 9}, "the Markov order must be 1 to 4, got 9"),
        ({"worth": "profit"}, "Shapley worth must be 'conversions' or 'rate'"),
        ({"custom_weights": "1,-1"}, "the custom model needs non-negative position weights"),
        ({"lead_phases": "considerashun"}, "the lead phases 'considerashun' are not phases"),
        ({"by_account": True}, "by_account needs account ids, and no event has one"),
    ],
)
def test_attribution_parameters_no_model_takes_fail_before_the_work(
    shop_map: JourneyMap, shop_events: pa.Table, parameters: dict[str, Any], said: str
) -> None:
    """Before, each gave an analysis without attribution and ``attribution_error`` set."""
    no_accounts = shop_events.set_column(
        shop_events.schema.get_field_index("account_id"),
        "account_id",
        pa.nulls(shop_events.num_rows, pa.string()),
    )
    steps: list[str] = []
    with pytest.raises(UsageError, match=said):
        analyze(shop_map, no_accounts, attribution=parameters, progress=steps.append)
    assert steps == []  # nothing was measured first


def test_good_attribution_parameters_still_attribute(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    parameters = {"lookback": "30d", "conversion_touch": "no", "order": "2"}
    with analyze(shop_map, shop_events, attribution=parameters) as analysis:
        assert "attribution_error" not in analysis.summary
        models = set(analysis.table("attribution").column("model").to_pylist())
        assert {"markov", "linear", "shapley"} <= models
        assert analysis.summary["conversion_touch"] is False


def test_a_folder_is_not_said_not_to_exist(shop_map: JourneyMap, tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match=r"is a folder, not a workspace: give the"):
        analyze(shop_map, tmp_path)


def test_an_events_file_is_not_a_workspace(shop_map: JourneyMap, tmp_path: Path) -> None:
    csv = tmp_path / "events.csv"
    csv.write_text("person_id,ts,touchpoint\np1,2024-01-01,ad\n", encoding="utf-8")
    for given in (csv, str(csv), f"duckdb:///{csv}"):
        with pytest.raises(WorkspaceError) as error:
            analyze(shop_map, given)
        assert "is not a journeymap workspace (a DuckDB database file): import the" in str(
            error.value
        )


def test_a_workspace_file_is_still_read(
    shop_map: JourneyMap, shop_events: pa.Table, tmp_path: Path, fill_workspace: Any
) -> None:
    path = fill_workspace(tmp_path / "shop.duckdb", shop_events)
    with analyze(shop_map, path, attribution=False) as analysis:
        assert (analysis.summary["journeys"], analysis.summary["conversions"]) == (4, 2)
