"""BPI Challenge 2012 (van Dongen, 2012; 4TU.ResearchData): the ordered loan funnel.

The log is imported with journeymap's importer (case = journey, activity = touchpoint, only
COMPLETE transitions). The expected funnel is computed here from the raw XES with
``iterparse`` and a plain per-case walk, independent of the engine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import pytest
from ordered_funnel import furthest_step

from bpic_log import LOAN_MAP, STEPS, log_path, raw_cases
from journeymap.analysis import analyze

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

WINDOW = dt.timedelta(days=30)


@pytest.fixture(scope="module")
def loans(
    bpic2012_events: ibis.Table, datasets: Path
) -> tuple[ibis.Table, list[list[tuple[dt.datetime, str]]]]:
    """The imported events (imported once per session) and, independently, the raw cases."""
    return bpic2012_events, raw_cases(log_path(datasets))


@pytest.mark.parametrize("window", [None, WINDOW], ids=["no-window", "30d"])
def test_ordered_funnel_matches_the_raw_log(
    loans: tuple[ibis.Table, list[list[tuple[dt.datetime, str]]]], window: dt.timedelta | None
) -> None:
    events, cases = loans
    levels = [furthest_step(case, STEPS, window) for case in cases]
    expected = [sum(level >= k for level in levels) for k in range(1, len(STEPS) + 1)]
    analysis = analyze(
        LOAN_MAP, events, ordering="ordered", conversion_window=window, after_conversion="continue"
    )
    funnel = analysis.table("phase_funnel").to_pylist()
    assert [row["phase_name"] for row in funnel] == STEPS
    assert [row["reached"] for row in funnel] == expected
    assert expected[0] == 13_087  # every case is submitted
    assert analysis.summary["journeys"] == 13_087
