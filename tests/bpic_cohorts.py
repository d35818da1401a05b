"""BPI Challenge 2012 (van Dongen, 2012; 4TU.ResearchData) in two cohorts, for the comparisons.

Loan applications submitted before 1 Jan 2012 against those submitted after: the log is
imported with journeymap's importer once, and each cohort is analysed through an Ibis filter
on the imported events (a case belongs to the cohort of its first event). The expected figures
come from the raw XES, read here with ``iterparse`` and counted case by case.
"""

from __future__ import annotations

import datetime as dt
import gzip
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import ibis

from journeymap.analysis import Analysis, analyze
from journeymap.ingest import Workspace, import_events
from journeymap.model import JourneyMap, Phase, Touchpoint
from journeymap.model.mapping import MappingRules

STEPS = ["A_SUBMITTED", "A_PREACCEPTED", "A_ACCEPTED", "O_SENT", "A_APPROVED"]
CUT = dt.datetime(2012, 1, 1, tzinfo=dt.UTC)
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


def cohort_analyses(datasets: Path) -> tuple[Analysis, Analysis]:
    """Both cohorts analysed (journeys continue after the approval: one journey per case)."""
    with Workspace("duckdb://") as workspace:
        import_events(workspace, log_path(datasets), RULES)
        events = workspace.events()
        starts = events.group_by("person_id").aggregate(start=events.ts.min())
        dated = events.join(starts, "person_id")
        cut = ibis.timestamp("2012-01-01 00:00:00+00:00")
        found = []
        for cohort in (dated.start < cut, dated.start >= cut):
            analysis = analyze(
                LOAN_MAP, dated.filter(cohort).drop("start"), after_conversion="continue"
            )
            analysis.close()  # the tables stay; the workspace closes with the block
            found.append(analysis)
    return found[0], found[1]


@dataclass
class Cohort:
    """What the raw log says of one cohort, case by case."""

    journeys: int = 0
    conversions: int = 0
    met: Counter[str] = field(default_factory=Counter)
    met_converted: Counter[str] = field(default_factory=Counter)
    ended: Counter[str] = field(default_factory=Counter)
    seconds_to_convert: list[float] = field(default_factory=list)


def raw_cohorts(datasets: Path) -> tuple[Cohort, Cohort]:
    """Both cohorts counted from the raw XES: COMPLETE events, in time order (file order ties)."""
    before, after = Cohort(), Cohort()
    current: list[tuple[dt.datetime, str]] = []
    with gzip.open(log_path(datasets), "rb") as handle:
        for _, element in ET.iterparse(handle, events=("end",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "event":
                values = {child.get("key"): child.get("value") for child in element}
                if values.get("lifecycle:transition") == "COMPLETE":
                    stamp = dt.datetime.fromisoformat(str(values["time:timestamp"]))
                    current.append((stamp, str(values["concept:name"])))
                element.clear()
            elif tag == "trace":
                if current:
                    case = sorted(current, key=lambda item: item[0])
                    _count(before if case[0][0] < CUT else after, case)
                current = []
                element.clear()
    return before, after


def _count(cohort: Cohort, case: list[tuple[dt.datetime, str]]) -> None:
    activities = {activity for _stamp, activity in case}
    approved = [stamp for stamp, activity in case if activity == "A_APPROVED"]
    cohort.journeys += 1
    cohort.met.update(activities)
    if approved:
        cohort.conversions += 1
        cohort.met_converted.update(activities)
        cohort.seconds_to_convert.append((approved[0] - case[0][0]).total_seconds())
    else:
        cohort.ended[case[-1][1]] += 1
