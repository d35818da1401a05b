"""The journeys as local arrays: the window's journeys, event by event, and their facts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pyarrow.parquet as pq
import pytest

from journeymap.engine._coded_journeys import (
    BYTES_PER_EVENT,
    METRICS_BYTES_PER_EVENT,
    coded_journeys,
)
from journeymap.engine._local_journeys import LocalJourneys, local_journeys
from journeymap.engine.journeys import JourneyOptions, build_journeys, journey_facts
from local_events import OPTIONS, journeys_of, local_map, option_id, random_events


def _window(journeys: Any) -> list[list[tuple[Any, ...]]]:
    """Each journey's events as the window orders them: person, touchpoint, phase, ..."""
    rows = journeys.select(
        "journey_id", "person_id", "step", "ts", "touchpoint", "phase", "persona", "conversion"
    )
    found: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows.to_pyarrow().to_pylist():
        event = (
            row["step"],
            row["person_id"],
            row["ts"].replace(tzinfo=None),
            row["touchpoint"],
            row["phase"],
            row["persona"],
            row["conversion"],
        )
        found.setdefault(row["journey_id"], []).append(event)
    return sorted((sorted(events) for events in found.values()), key=repr)


def _local(local: LocalJourneys) -> list[list[tuple[Any, ...]]]:
    actors = local.actors.to_pylist()
    times = local.timestamps(local.micros).to_pylist()
    journeys: list[list[tuple[Any, ...]]] = []
    for j in range(local.journeys):
        events = []
        for i in range(local.offsets[j], local.offsets[j + 1]):
            events.append(
                (
                    int(local.step[i]),
                    actors[local.actor[j]],
                    times[i].replace(tzinfo=None),
                    local.touchpoint_names[local.touchpoint[i]],
                    local.phase_names[local.phase[i]],
                    local.persona_names[local.persona[i]],
                    bool(local.conversion[i]),
                )
            )
        journeys.append(events)
    return sorted(journeys, key=repr)


@pytest.mark.parametrize("options", OPTIONS[:4], ids=option_id)
@pytest.mark.parametrize("seed", [1, 2])
def test_local_journeys_are_the_windows_journeys(options: JourneyOptions, seed: int) -> None:
    _map, journeys, local = journeys_of(seed, options)
    assert _local(local) == _window(journeys)
    cut = options.after_conversion == "end" or options.session_gap is not None
    assert (local.journeys > 120) == cut  # more journeys than persons where they are cut


@pytest.mark.parametrize("options", OPTIONS[:4], ids=option_id)
def test_local_facts_are_the_journeys_facts(options: JourneyOptions) -> None:
    _map, journeys, local = journeys_of(3, options)
    facts = journey_facts(journeys).to_pyarrow().to_pylist()
    expected = sorted(
        (
            f["first_ts"].replace(tzinfo=None),
            f["last_ts"].replace(tzinfo=None),
            f["events"],
            f["converted"],
            None if f["conversion_ts"] is None else f["conversion_ts"].replace(tzinfo=None),
            round(float(f["value"] or 0), 6),
            f["persona"],
        )
        for f in facts
    )
    times = local.timestamps
    first = times(local.first_micros).to_pylist()
    last = times(local.last_micros).to_pylist()
    converted_at = times(local.conversion_micros).to_pylist()
    found = sorted(
        (
            first[j].replace(tzinfo=None),
            last[j].replace(tzinfo=None),
            int(local.lengths[j]),
            bool(local.converted[j]),
            converted_at[j].replace(tzinfo=None) if local.converted[j] else None,
            round(float(local.journey_value[j]), 6),
            local.persona_names[local.first_persona[j]],
        )
        for j in range(local.journeys)
    )
    assert found == expected
    assert sum(row[3] for row in found) > 10  # some journeys converted


def test_options_the_arrays_do_not_hold_keep_the_ibis_path() -> None:
    _map, journeys, _local = journeys_of(4)
    for options in (JourneyOptions(breakdown=["source"]), JourneyOptions(by="account")):
        assert local_journeys(journeys, options) is None
    # Journeys not cut by build_journeys (a lazy table of them, filtered) are not read.
    assert local_journeys(journeys.filter(journeys.step > 0), JourneyOptions()) is None


def test_journeys_without_personas_have_none() -> None:
    table = random_events(5)
    journeys = build_journeys(table.mutate(persona=ibis.null("string")), local_map())
    local = local_journeys(journeys, JourneyOptions())
    assert local is not None
    assert local.persona_names == (None,)
    assert set(local.persona.tolist()) == {0}
    assert {local.persona_names[p] for p in local.first_persona.tolist()} == {None}
    assert len(local.first_persona) == local.journeys > 120


def test_the_metrics_arrays_must_fit_their_own_share_of_the_memory_limit(
    tmp_path: Path,
) -> None:
    # The metrics' arrays take METRICS_BYTES_PER_EVENT an event, more than the attribution's:
    # a limit that holds the attribution's but not the metrics' leaves the metrics to the
    # engine (which DuckDB can spill), and the attribution still reads the arrays.
    con = ibis.duckdb.connect()
    pq.write_table(random_events(6, persons=3000).to_pyarrow(), tmp_path / "events.parquet")
    table = con.read_parquet(tmp_path / "events.parquet")
    count = int(table.count().to_pyarrow().as_py())
    between = count * (BYTES_PER_EVENT + METRICS_BYTES_PER_EVENT)  # twice the mean of the two
    con.raw_sql(f"SET memory_limit = '{between // 1000}KB'").fetchall()
    journeys = build_journeys(table, local_map())
    assert local_journeys(journeys, JourneyOptions()) is None
    assert coded_journeys(journeys) is not None
    con.raw_sql(f"SET memory_limit = '{4 * count * METRICS_BYTES_PER_EVENT // 1000}KB'").fetchall()
    local = local_journeys(journeys, JourneyOptions())
    assert local is not None and local.events == count


def test_the_persons_are_counted_without_their_ids() -> None:
    # No metric reads a person's id: they are left in the engine unless asked for, and the
    # persons are counted off the grouping (at 10M generated journeys, 10M texts less).
    journey_map = local_map()
    table = random_events(7)
    journeys = build_journeys(table, journey_map, JourneyOptions(session_gap="3d"))
    local = local_journeys(journeys, JourneyOptions(session_gap="3d"))
    assert local is not None and local.actors is None
    persons = int(table.person_id.nunique().to_pyarrow().as_py())
    assert local.persons == persons == int(local.actor.max()) + 1
    assert local.journeys > persons  # the session gap cuts some persons' journeys
    named = local_journeys(journeys, JourneyOptions(session_gap="3d"), ids=True)
    assert named is not None and named.actors is not None
    assert len(named.actors) == persons


def test_places_count_from_each_runs_start() -> None:
    from journeymap.engine._local_journeys import places

    lengths = np.array([2, 0, 3, 1, 0])  # empty runs start nothing
    assert places(lengths, 1).tolist() == [1, 2, 1, 2, 3, 1]
    assert places(lengths, 0).tolist() == [0, 1, 0, 1, 2, 0]
    assert places(np.array([0, 0]), 1).tolist() == []


def test_places_and_journey_numbers_take_32_bits_where_they_fit() -> None:
    """Half the memory of 64 bits; 64 bits past 2**31, where 32 would wrap."""
    from journeymap.engine._local_journeys import index_type, places

    found = places(np.array([3, 0, 2]), 1)
    assert found.tolist() == [1, 2, 3, 1, 2]
    assert found.dtype == np.int32
    assert index_type(2**31 - 1) is np.int32
    assert index_type(2**31) is np.int64
