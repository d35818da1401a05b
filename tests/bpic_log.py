"""BPI Challenge 2012 (van Dongen, 2012; 4TU.ResearchData) for the period and currency tests.

The log is imported with journeymap's importer (case = journey, activity = touchpoint, only
COMPLETE transitions, A_APPROVED converts). :func:`raw_events` reads the same events from the
raw XES with ``iterparse`` into a pandas DataFrame, independent of the importer and the engine,
for the expected figures.
"""

from __future__ import annotations

import datetime as dt
import gzip
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from journeymap.model import JourneyMap, Phase, Touchpoint
from journeymap.model.mapping import MappingRules

STEPS = ["A_SUBMITTED", "A_PREACCEPTED", "A_ACCEPTED", "O_SENT", "A_APPROVED"]
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


def log_path(datasets: Path) -> Path:
    return datasets / "bpic2012" / "bpic2012.xes.gz"


Case = list[tuple[dt.datetime, str]]


def raw_cases(path: Path) -> list[Case]:
    """Per trace of the XES at ``path``, its COMPLETE events (time, activity) in time order
    (file order for ties); a trace without one is an empty case."""
    cases: list[Case] = []
    current: Case = []
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


def raw_events(datasets: Path) -> pd.DataFrame:
    """Every COMPLETE event of the raw log: ``case``, ``ts`` (UTC) and ``activity``."""
    rows: list[tuple[str, dt.datetime, str]] = []
    case, in_event = "", False
    with gzip.open(log_path(datasets), "rb") as handle:
        for kind, element in ET.iterparse(handle, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "event":
                in_event = kind == "start"
            if kind == "start":
                continue
            if tag == "string" and not in_event and element.get("key") == "concept:name":
                case = str(element.get("value"))  # the trace's name, before its events
            elif tag == "event":
                values = {child.get("key"): child.get("value") for child in element}
                if values.get("lifecycle:transition") == "COMPLETE":
                    stamp = dt.datetime.fromisoformat(str(values["time:timestamp"]))
                    rows.append((case, stamp.astimezone(dt.UTC), str(values["concept:name"])))
                element.clear()
            elif tag == "trace":
                element.clear()
    frame = pd.DataFrame(rows, columns=["case", "ts", "activity"])
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    return frame
