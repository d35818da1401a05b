"""What ``analyze()`` refuses to cut into journeys, and how it says so."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from journeymap.analysis import analyze
from journeymap.engine.journeys import JourneyOptions
from journeymap.errors import AnalysisError, UsageError
from journeymap.mapfile import save_map
from journeymap.model import JourneyMap


def _without(events: pa.Table, column: str, rows: list[int]) -> pa.Table:
    """``events`` with ``column`` null in ``rows``."""
    index = events.schema.get_field_index(column)
    blank = pa.array([i in rows for i in range(events.num_rows)])
    values = pc.if_else(blank, pa.scalar(None, events.schema.field(index).type), events[column])
    return events.set_column(index, column, values)


def test_events_without_a_person_or_a_time_are_refused_with_counts(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    """Before, persons left out were one journey of their own; times left out sorted last."""
    with pytest.raises(AnalysisError) as error:
        analyze(shop_map, _without(_without(shop_events, "person_id", [0, 6]), "ts", [3]))
    assert str(error.value) == (
        "of the 11 events, 2 have no person_id and 1 has no ts; every event needs both. Drop "
        "those rows, or import the events with `journeymap import`, which quarantines them "
        "with the reason"
    )


def test_times_written_as_text_are_refused_with_what_to_do(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    as_text = shop_events.set_column(
        shop_events.schema.get_field_index("ts"), "ts", pc.cast(shop_events["ts"], pa.string())
    )
    with pytest.raises(AnalysisError, match=r"ts column holds string, not timestamps; parse"):
        analyze(shop_map, as_text)


def test_options_and_option_values_together_are_refused(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    """Before, ``by="account"`` beside ready-made options was dropped in silence."""
    with pytest.raises(UsageError, match="not both: by would be left out"):
        analyze(shop_map, shop_events, JourneyOptions(), by="account")


def test_the_map_may_be_its_file_and_nothing_else(
    shop_map: JourneyMap, shop_events: pa.Table, tmp_path: Path
) -> None:
    save_map(shop_map, tmp_path / "shop.yaml")
    with analyze(tmp_path / "shop.yaml", shop_events, attribution=False) as analysis:
        assert (analysis.summary["journeys"], analysis.summary["conversions"]) == (4, 2)
    with pytest.raises(UsageError, match=r"not a Table: call analyze\(journey_map, events\)"):
        analyze(shop_events, shop_map)  # type: ignore[arg-type]


def test_no_events_per_account_is_said_as_no_events(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    """Not "needs account ids, and no event has one": there is no event at all."""
    with pytest.raises(AnalysisError, match="the events given hold no rows"):
        analyze(shop_map, shop_events.slice(0, 0), by="account")


def test_times_without_a_zone_are_utc_in_the_summary(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    naive = shop_events.set_column(
        shop_events.schema.get_field_index("ts"),
        "ts",
        pc.cast(shop_events["ts"], pa.timestamp("us")),
    )
    with analyze(shop_map, naive, attribution=False) as analysis:
        assert analysis.summary["first_ts"] == "2024-01-01T00:00:00+00:00"


def test_values_and_conversions_as_text_are_refused_with_what_to_do(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    """Before, a value written '49,90' failed in the database, showing its SQL."""
    index = shop_events.schema.get_field_index("value")
    as_text = shop_events.set_column(index, "value", pc.cast(shop_events["value"], pa.string()))
    with pytest.raises(AnalysisError, match=r"value column holds string, not numbers; convert"):
        analyze(shop_map, as_text)
    index = shop_events.schema.get_field_index("conversion")
    flags = shop_events.set_column(
        index, "conversion", pc.cast(shop_events["conversion"], pa.string())
    )
    with pytest.raises(AnalysisError, match=r"conversion column holds string, not true/false"):
        analyze(shop_map, flags)


def test_a_value_column_of_nothing_but_nulls_is_read_whatever_its_type() -> None:
    """polars types ``value=None`` as text, which was refused as 'text, not numbers'."""
    import datetime as dt

    import polars as pl

    from journeymap.analysis import analyze
    from journeymap.model import JourneyMap

    journey_map = JourneyMap.model_validate(
        {
            "id": "m",
            "name": "M",
            "phases": [{"id": "a", "name": "A", "order": 1}],
            "touchpoints": [
                {"id": "ad", "name": "Ad", "phases": ["a"]},
                {"id": "buy", "name": "Buy", "phases": ["a"]},
            ],
        }
    )
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    events = pl.DataFrame(
        {
            "person_id": ["p1", "p1", "p2"],
            "ts": [t0, t0 + dt.timedelta(hours=1), t0],
            "touchpoint": ["ad", "buy", "ad"],
            "conversion": [False, True, False],
        }
    ).with_columns(
        *(pl.lit(None, pl.Utf8).alias(name) for name in ("account_id", "phase", "persona")),
        value=pl.lit(None, pl.Utf8),
    )
    analysis = analyze(journey_map, events)
    assert analysis.summary["conversions"] == 1
    assert analysis.summary["value"] == 0.0


def test_events_at_the_same_time_keep_the_frames_order(shop_map: JourneyMap) -> None:
    """A process log has several events of a case at one time (BPIC 2012: 25,365). Passed as
    a DataFrame they were ordered by touchpoint name, so the exit touchpoint differed from the
    import of the same file, which keeps the file's order."""
    import datetime as dt

    import pandas as pd

    at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    frame = pd.DataFrame(
        {
            "person_id": ["p1", "p1", "p2", "p2"],
            "account_id": None,
            "ts": [at, at, at, at],
            "touchpoint": ["reviews", "blog", "blog", "reviews"],
            "phase": None,
            "persona": None,
            "conversion": False,
            "value": None,
        }
    )
    analysis = analyze(shop_map, frame, attribution=False)
    exits = {
        row["last_touchpoint"]: row["journeys"] for row in analysis.table("dropoff").to_pylist()
    }
    assert exits == {"blog": 1, "reviews": 1}
