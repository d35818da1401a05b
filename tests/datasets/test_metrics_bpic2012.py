"""BPI Challenge 2012 (van Dongen, 2012; 4TU.ResearchData): the ordered loan funnel.

The log is imported with journeymap's importer (case = journey, activity = touchpoint, only
COMPLETE transitions). The expected funnel is computed here from the raw XES with
``iterparse`` and a plain per-case walk, independent of the engine.
"""

from __future__ import annotations

import datetime as dt
import gzip
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import ibis
import pytest
from ordered_funnel import furthest_step

from journeymap.analysis import analyze
from journeymap.ingest import Workspace, import_events
from journeymap.model import JourneyMap, Phase, Touchpoint
from journeymap.model.mapping import MappingRules

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

STEPS = ["A_SUBMITTED", "A_PREACCEPTED", "A_ACCEPTED", "O_SENT", "A_APPROVED"]
WINDOW = dt.timedelta(days=30)

RULES = MappingRules.model_validate(
    {
        "columns": {"person_id": "case:concept:name", "timestamp": "time:timestamp"},
        "only": [{"field": "lifecycle:transition", "equals": "COMPLETE"}],
        "touchpoints": [{"touchpoint_from": "concept:name"}],
        "conversion": [{"field": "concept:name", "equals": "A_APPROVED"}],
    }
)

LOAN_MAP = JourneyMap(
    id="bpic2012",
    name="Loan application",
    phases=[Phase(id=f"s{i}", name=step, order=i) for i, step in enumerate(STEPS, start=1)],
    touchpoints=[
        Touchpoint(id=step, name=step, phases=[f"s{i}"]) for i, step in enumerate(STEPS, start=1)
    ],
)


def _cases(path: Path) -> list[list[tuple[dt.datetime, str]]]:
    """Per trace, its COMPLETE events (time, activity) in time order, file order for ties."""
    cases: list[list[tuple[dt.datetime, str]]] = []
    current: list[tuple[dt.datetime, str]] = []
    with gzip.open(path, "rb") as handle:
        for _, element in ET.iterparse(handle, events=("end",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "event":
                values = {child.get("key"): child.get("value") for child in element}
                if values.get("lifecycle:transition") == "COMPLETE":
                    stamp = dt.datetime.fromisoformat(str(values["time:timestamp"]))
                    current.append((stamp, str(values["concept:name"])))
                element.clear()
            elif tag == "trace":
                cases.append(sorted(current, key=lambda item: item[0]))
                current = []
                element.clear()
    return cases


@pytest.fixture(scope="module")
def loans(datasets: Path) -> Iterator[tuple[ibis.Table, list[list[tuple[dt.datetime, str]]]]]:
    """The imported events and, independently, the raw cases."""
    path = datasets / "bpic2012" / "bpic2012.xes.gz"
    with Workspace("duckdb://") as workspace:
        import_events(workspace, path, RULES)
        yield workspace.events(), _cases(path)


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
