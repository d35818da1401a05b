"""BPI Challenge 2012 (van Dongen, 2012; 4TU.ResearchData) in two cohorts, for the comparisons.

Loan applications submitted before 1 Jan 2012 against those submitted after: the log is
imported with journeymap's importer once per test process (the ``bpic2012_events`` fixture of
tests/conftest.py), and each cohort is analysed through an Ibis filter
on the imported events (a case belongs to the cohort of its first event). The expected figures
come from the raw XES, read here with ``iterparse`` and counted case by case.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import ibis

from bpic_log import LOAN_MAP, log_path, raw_cases
from journeymap.analysis import Analysis, analyze

CUT = dt.datetime(2012, 1, 1, tzinfo=dt.UTC)


def cohort_analyses(events: ibis.Table) -> tuple[Analysis, Analysis]:
    """Both cohorts of the imported log (the ``bpic2012_events`` fixture) analysed; journeys
    continue after the approval: one journey per case."""
    starts = events.group_by("person_id").aggregate(start=events.ts.min())
    dated = events.join(starts, "person_id")
    cut = ibis.timestamp("2012-01-01 00:00:00+00:00")
    found = []
    for cohort in (dated.start < cut, dated.start >= cut):
        analysis = analyze(
            LOAN_MAP, dated.filter(cohort).drop("start"), after_conversion="continue"
        )
        analysis.close()  # the tables stay; the shared workspace is left as it was
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
    for case in raw_cases(log_path(datasets)):
        if case:
            _count(before if case[0][0] < CUT else after, case)
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
