"""The local metrics count two at a time, and say the same as when they count one by one.

``analysis._steps.metric_pool`` hands the metrics counted off the journeys' arrays to two
threads where the machine has two cores or more; with one core they count in the caller's
thread. Either way the tables, the summary, the progress steps and the errors are the same.
"""

from __future__ import annotations

import contextvars
import threading
import time
from pathlib import Path
from typing import Any

import ibis
import pyarrow.parquet as pq
import pytest

from journeymap.analysis import _local_steps, _steps, analyze
from journeymap.engine._coded_journeys import METRICS_BYTES_PER_EVENT
from journeymap.engine._local_journeys import shared_property
from journeymap.errors import UsageError
from local_events import local_map, random_events


def _cores(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    monkeypatch.setattr(_steps.os, "sched_getaffinity", lambda _pid: set(range(count)))


def _threads_of(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """The names of the threads that count the metric ``name`` of ``_local_steps``."""
    seen: list[str] = []
    counted = getattr(_local_steps, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        seen.append(threading.current_thread().name)
        return counted(*args, **kwargs)

    monkeypatch.setattr(_local_steps, name, counting)
    return seen


def test_two_threads_count_what_one_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    events = random_events(21, persons=400)
    _cores(monkeypatch, 1)
    alone = _threads_of(monkeypatch, "local_sankey")
    one = analyze(local_map(), events, attribution=False)
    assert alone == ["MainThread"]
    monkeypatch.undo()
    _cores(monkeypatch, 4)
    beside = _threads_of(monkeypatch, "local_sankey")
    steps: list[str] = []
    two = analyze(local_map(), events, attribution=False, progress=steps.append)
    assert len(beside) == 1 and beside[0].startswith("journeymap-metrics")
    assert steps == ["journeys", "shared", *_steps.METRICS, "summary"]
    assert one.tables.keys() == two.tables.keys()
    for name, table in one.tables.items():
        assert two.tables[name].equals(table), name
    assert one.summary == two.summary
    assert two.summary["journeys"] >= 400
    assert two.tables["touchpoint_stats"].column("journeys").to_pylist() == (
        one.tables["touchpoint_stats"].column("journeys").to_pylist()
    )


def test_a_failing_metric_raises_in_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    """Our own bug in a metric's thread reaches the caller as the error it is."""
    _cores(monkeypatch, 2)

    def broken(*_args: Any) -> Any:
        raise ZeroDivisionError("a bug in the sankey")

    monkeypatch.setattr(_local_steps, "local_sankey", broken)
    with pytest.raises(ZeroDivisionError, match="a bug in the sankey"):
        analyze(local_map(), random_events(22, persons=50), attribution=False)


def test_one_core_counts_in_the_callers_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    _cores(monkeypatch, 1)
    with _steps.metric_pool() as pool:
        assert pool is None
    _cores(monkeypatch, 8)
    with _steps.metric_pool() as pool:
        assert pool is not None
        names = {pool.submit(lambda: threading.current_thread().name).result() for _ in range(8)}
    assert 1 <= len(names) <= _steps.WORKERS  # eight cores, still two threads at most


def test_each_metric_counts_in_the_callers_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """The document's language (a context variable) goes with each metric to its thread."""
    _cores(monkeypatch, 2)
    language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default="en")
    token = language.set("da")
    try:
        with _steps.metric_pool() as pool:
            assert pool is not None
            assert _steps.started(pool, language.get)() == "da"
            assert pool.submit(language.get).result() == "en"  # a bare thread has its own
    finally:
        language.reset(token)


def test_a_shared_property_is_computed_once_for_two_threads() -> None:
    class Journeys:
        made = 0

        @shared_property
        def steps(self) -> list[int]:
            Journeys.made += 1
            time.sleep(0.05)  # long enough for the other thread to ask meanwhile
            return [1, 2, 3]

    journeys = Journeys()
    found: list[list[int]] = []
    threads = [threading.Thread(target=lambda: found.append(journeys.steps)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Journeys.made == 1
    assert found == [[1, 2, 3]] * 4


def test_one_thread_where_two_would_crowd_the_memory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each thread holds arrays of its own: two only where twice the arrays fit.

    The journeys' arrays may take half of DuckDB's ``memory_limit``; here they fit in that
    share once (so the metrics still count locally) but not twice.
    """
    _cores(monkeypatch, 2)
    backend = ibis.duckdb.connect()  # its own: the memory limit set below stays with it
    pq.write_table(random_events(23, persons=2000).to_pyarrow(), tmp_path / "events.parquet")
    events = backend.read_parquet(tmp_path / "events.parquet")
    count = int(events.count().to_pyarrow().as_py())
    threads = _threads_of(monkeypatch, "local_sankey")
    roomy = analyze(local_map(), events, attribution=False)
    assert threads[0].startswith("journeymap-metrics")
    backend.raw_sql(f"SET memory_limit = '{count * METRICS_BYTES_PER_EVENT * 3 // 1000}KB'")
    threads.clear()
    tight = analyze(local_map(), events, attribution=False)
    assert threads == ["MainThread"]  # one thread, and still off the arrays
    assert tight.summary == roomy.summary
    assert tight.tables["sankey"].equals(roomy.tables["sankey"])


def test_what_the_journeys_derive_is_made_once_for_two_threads() -> None:
    """The paths the paths table, the Sankey and the variants share are made once."""
    from local_events import journeys_of

    _map, _journeys, local = journeys_of(24, persons=50)
    made: list[int] = []

    def make() -> int:
        made.append(1)
        time.sleep(0.05)  # long enough for the other threads to ask meanwhile
        return len(made)

    found: list[int] = []
    threads = [
        threading.Thread(target=lambda: found.append(local.derived("paths", make)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert made == [1]
    assert found == [1, 1, 1, 1]
    assert local.derived("other", lambda: 7) == 7  # another key: made on its own


def test_without_an_affinity_the_machines_cores_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS and Windows tell no affinity: the machine's cores decide there."""
    monkeypatch.delattr(_steps.os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(_steps.os, "cpu_count", lambda: 4)
    with _steps.metric_pool() as pool:
        assert pool is not None
    monkeypatch.setattr(_steps.os, "cpu_count", lambda: None)  # unknown: one thread
    with _steps.metric_pool() as pool:
        assert pool is None


def test_the_threads_setting_caps_the_metrics_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``analysis.threads``: 1 counts in the caller's thread, a bad value is refused."""
    _cores(monkeypatch, 8)
    events = random_events(25, persons=60)
    threads = _threads_of(monkeypatch, "local_sankey")
    monkeypatch.setenv("JOURNEYMAP_ANALYSIS_THREADS", "1")
    one = analyze(local_map(), events, attribution=False)
    assert threads == ["MainThread"]
    monkeypatch.setenv("JOURNEYMAP_ANALYSIS_THREADS", "3")
    threads.clear()
    three = analyze(local_map(), events, attribution=False)
    assert threads[0].startswith("journeymap-metrics")
    assert three.summary == one.summary
    monkeypatch.setenv("JOURNEYMAP_ANALYSIS_THREADS", "0")
    with pytest.raises(UsageError, match="JOURNEYMAP_ANALYSIS_THREADS='0' is less than 1"):
        analyze(local_map(), events, attribution=False)
