"""Help desk log (Polato, 2017; 4TU.ResearchData) end to end through the CLI, with a German map.

Polato, M. (2017), Dataset belonging to the help desk log of an Italian Company: the ticketing
process of an Italian software company, an XES log of 4,580 cases and 21,348 events.

Used as a user would: a map with German phase names (Eingang, Bearbeitung, Lösung, Abschluss)
and a rules file are written to disk, checked with ``journeymap validate``, the log goes in
with ``journeymap import``, and ``journeymap analyze`` and ``journeymap attribute`` run on the
workspace. Mapping: person = case (trace ``concept:name``), touchpoint = activity, conversion =
``Closed``; the four rare activities (VERIFIED, RESOLVED, INVALID, DUPLICATE) have no rule and
are quarantined as ``no rule matched``. Every expected number is computed here from the raw
XES with a line-based parser and plain per-case walks, not with journeymap's reader or engine.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from ordered_funnel import furthest_step
from typer.testing import CliRunner

from journeymap.cli.app import app

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

# English messages (the phase names stay German: they come from the map) and wide tables.
ENV = {"JOURNEYMAP_LANG": "en", "COLUMNS": "200"}

MAP_YAML = """\
id: helpdesk
name: Ticket beim Helpdesk
language: de
phases:
  - {id: eingang, name: Eingang, order: 1}
  - {id: bearbeitung, name: Bearbeitung, order: 2}
  - {id: loesung, name: Lösung, order: 3}
  - {id: abschluss, name: Abschluss, order: 4}
touchpoints:
  - {id: assign-seriousness, name: Dringlichkeit festlegen, phases: [eingang]}
  - {id: insert-ticket, name: Ticket anlegen, phases: [eingang]}
  - {id: take-in-charge, name: Ticket übernehmen, phases: [bearbeitung]}
  - {id: wait, name: Warten, phases: [bearbeitung]}
  - {id: require-upgrade, name: Upgrade nötig, phases: [bearbeitung]}
  - {id: create-sw-anomaly, name: Softwarefehler melden, phases: [bearbeitung]}
  - {id: resolve-sw-anomaly, name: Softwarefehler beheben, phases: [bearbeitung]}
  - {id: schedule-intervention, name: Einsatz planen, phases: [bearbeitung]}
  - {id: resolve-ticket, name: Ticket lösen, phases: [loesung]}
  - {id: closed, name: Ticket geschlossen, phases: [abschluss]}
"""

RULES_YAML = """\
columns:
  person_id: case:concept:name
  timestamp: time:timestamp
conversion:
  - {field: concept:name, equals: Closed}
keep: [product, seriousness]
touchpoints:
  - touchpoint: assign-seriousness
    when: [{field: concept:name, equals: Assign seriousness}]
  - touchpoint: insert-ticket
    when: [{field: concept:name, equals: Insert ticket}]
  - touchpoint: take-in-charge
    when: [{field: concept:name, equals: Take in charge ticket}]
  - touchpoint: wait
    when: [{field: concept:name, equals: Wait}]
  - touchpoint: require-upgrade
    when: [{field: concept:name, equals: Require upgrade}]
  - touchpoint: create-sw-anomaly
    when: [{field: concept:name, in: [Create SW anomaly]}]
  - touchpoint: resolve-sw-anomaly
    when: [{field: concept:name, in: [Resolve SW anomaly]}]
  - touchpoint: schedule-intervention
    when: [{field: concept:name, equals: Schedule intervention}]
  - touchpoint: resolve-ticket
    when: [{field: concept:name, equals: Resolve ticket}]
  - touchpoint: closed
    when: [{field: concept:name, equals: Closed}]
"""

# activity -> (touchpoint, phase), as the map and rules above say it.
ACTIVITIES = {
    "Assign seriousness": ("assign-seriousness", "eingang"),
    "Insert ticket": ("insert-ticket", "eingang"),
    "Take in charge ticket": ("take-in-charge", "bearbeitung"),
    "Wait": ("wait", "bearbeitung"),
    "Require upgrade": ("require-upgrade", "bearbeitung"),
    "Create SW anomaly": ("create-sw-anomaly", "bearbeitung"),
    "Resolve SW anomaly": ("resolve-sw-anomaly", "bearbeitung"),
    "Schedule intervention": ("schedule-intervention", "bearbeitung"),
    "Resolve ticket": ("resolve-ticket", "loesung"),
    "Closed": ("closed", "abschluss"),
}
PHASE_OF = {touchpoint: phase for touchpoint, phase in ACTIVITIES.values()}
PHASES = {
    "eingang": "Eingang",
    "bearbeitung": "Bearbeitung",
    "loesung": "Lösung",
    "abschluss": "Abschluss",
}
FUNNEL = ["assign-seriousness", "take-in-charge", "resolve-ticket", "closed"]
WINDOW = dt.timedelta(days=30)  # the default conversion window

ATTRIBUTE = re.compile(r'<(?:string|date|int|float|boolean|id) key="([^"]+)" value="([^"]*)"')
ROW = re.compile(r"^│(.*)│$")

# One journey: its events (time, touchpoint) in the engine's order.
Journey = list[tuple[dt.datetime, str]]


@dataclass
class RawLog:
    """What the raw XES says, computed without journeymap."""

    events: int
    duplicates: int
    unmatched: Counter[str]
    imported: int
    cases: int
    journeys: list[Journey]


def _traces(path: Path) -> Iterator[tuple[dict[str, str], list[dict[str, str]]]]:
    """Each trace's attributes and its events' attributes, in file order, by scanning lines."""
    trace: dict[str, str] | None = None
    events: list[dict[str, str]] = []
    event: dict[str, str] | None = None
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            stripped = line.strip()
            if stripped == "<trace>":
                trace, events = {}, []
            elif stripped == "</trace>" and trace is not None:
                yield trace, events
                trace = None
            elif stripped == "<event>":
                event = {}
            elif stripped == "</event>" and event is not None:
                events.append(event)
                event = None
            else:
                match = ATTRIBUTE.search(stripped)
                if match is None:
                    continue
                if event is not None:
                    event[match.group(1)] = match.group(2)
                elif trace is not None:  # a log-level attribute (origin) is no row's
                    trace[match.group(1)] = match.group(2)


def _raw_log(path: Path) -> RawLog:
    """Counts and journeys of the raw log, as the import and the default analysis define them.

    An exact duplicate is a row with the same values as an earlier row: the importer's
    ``row_keys`` hash a row's non-null values with their column names, and an XES row is the
    trace's attributes (``case:concept:name``) plus the event's attributes. So: same case, same
    attribute keys and values as an earlier event (a missing attribute differs from an empty
    one, as in ``row_keys``). The importer checks duplicates before the rules, so a copy of an
    unmatched event counts as a duplicate, not as ``no rule matched``.

    Journeys: a case's imported events ordered by time, ties in file order (the engine sorts
    by ``ts`` then ``row_number``), cut after every ``Closed`` (``after_conversion=end``).
    """
    seen: set[tuple[tuple[str, str], ...]] = set()
    events = duplicates = imported = cases = 0
    unmatched: Counter[str] = Counter()
    journeys: list[Journey] = []
    for trace, trace_events in _traces(path):
        cases += 1
        kept: list[tuple[dt.datetime, int, str]] = []
        for event in trace_events:
            events += 1
            row = tuple(sorted({f"case:{k}": v for k, v in trace.items()}.items()))
            key = row + tuple(sorted(event.items()))
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            activity = event["concept:name"]
            if activity not in ACTIVITIES:
                unmatched[activity] += 1
                continue
            imported += 1
            stamp = dt.datetime.fromisoformat(event["time:timestamp"])
            kept.append((stamp, events, ACTIVITIES[activity][0]))
        journey: Journey = []
        for stamp, _row, touchpoint in sorted(kept):
            journey.append((stamp, touchpoint))
            if touchpoint == "closed":
                journeys.append(journey)
                journey = []
        if journey:
            journeys.append(journey)
    return RawLog(events, duplicates, unmatched, imported, cases, journeys)


def _reached(journeys: list[Journey], steps: list[str], phase_steps: bool = False) -> list[int]:
    """Journeys reaching each step of an ordered funnel (of touchpoints or of phases)."""
    if phase_steps:
        journeys = [[(stamp, PHASE_OF[tp]) for stamp, tp in journey] for journey in journeys]
    levels = [furthest_step(journey, steps, WINDOW) for journey in journeys]
    return [sum(level >= k for level in levels) for k in range(1, len(steps) + 1)]


def _rows(output: str, title: str) -> list[list[str]]:
    """The cells of the rows of the printed table titled ``title``."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip() or line.lstrip()[0] not in "┏┃┡│└":
            break
        match = ROW.match(line.strip())
        if match:
            rows.append([cell.strip() for cell in match.group(1).split("│")])
    return rows


def _invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), env=ENV)
    assert result.exit_code == 0, result.output
    return result


@dataclass
class Files:
    """The user's files: map, rules, workspace, and what ``import`` and ``analyze`` printed."""

    map_path: Path
    rules_path: Path
    db: Path
    imported: str
    analyzed: str
    analysis: dict[str, Any]


@pytest.fixture(scope="module")
def raw(datasets: Path) -> RawLog:
    return _raw_log(datasets / "helpdesk" / "helpdesk.xes.gz")


@pytest.fixture(scope="module")
def files(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Files:
    """The map and rules written, the log imported and analysed once for the module."""
    folder = tmp_path_factory.mktemp("helpdesk")
    map_path, rules_path = folder / "helpdesk.yaml", folder / "helpdesk.rules.yaml"
    map_path.write_text(MAP_YAML, encoding="utf-8")
    rules_path.write_text(RULES_YAML, encoding="utf-8")
    db, out = folder / "ws.duckdb", folder / "analysis"
    log = datasets / "helpdesk" / "helpdesk.xes.gz"
    imported = _invoke(
        "import", str(log), "--map", str(map_path), "--rules", str(rules_path), "--db", str(db)
    )
    steps = ",".join(FUNNEL)
    analyzed = _invoke(
        "analyze", "--map", str(map_path), "--db", str(db), "--out", str(out),
        "--funnel-step", steps,
    )  # fmt: skip
    analysis = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    return Files(map_path, rules_path, db, imported.output, analyzed.output, analysis)


def test_the_map_and_the_rules_are_valid(files: Files) -> None:
    checked = _invoke("validate", str(files.map_path))
    assert f"{files.map_path.name} is a valid journey map" in checked.output
    checked = _invoke("validate", str(files.rules_path))
    assert f"{files.rules_path.name} holds valid mapping rules" in checked.output


def test_import_counts_match_the_raw_log(files: Files, raw: RawLog) -> None:
    printed = {
        cells[0]: int(cells[1].replace(",", ""))
        for cells in _rows(files.imported, "helpdesk.xes.gz")
    }
    assert raw.events == 21_348
    assert printed["read"] == raw.events == 21_348
    assert printed["imported"] == raw.imported
    assert printed["exact duplicate"] == raw.duplicates
    assert printed["no rule matched"] == sum(raw.unmatched.values())
    assert printed["quarantined"] == raw.duplicates + sum(raw.unmatched.values())
    assert printed["read"] == printed["imported"] + printed["quarantined"]
    assert printed["already imported"] == 0
    assert set(raw.unmatched) == {"VERIFIED", "RESOLVED", "INVALID", "DUPLICATE"}
    assert "Timestamps read as: ISO 8601" in files.imported


def test_journeys_and_conversions_match_the_raw_log(files: Files, raw: RawLog) -> None:
    summary = files.analysis["summary"]
    # The defaults the independent numbers follow.
    options = summary["options"]
    assert options["after_conversion"] == "end" and options["ordering"] == "ordered"
    assert options["conversion_window"] == WINDOW.total_seconds()
    conversions = sum(journey[-1][1] == "closed" for journey in raw.journeys)
    assert summary["persons"] == raw.cases == 4_580
    assert summary["events"] == raw.imported
    assert summary["journeys"] == len(raw.journeys)
    assert summary["journeys"] > raw.cases  # events after Closed: a journey of their own
    assert summary["conversions"] == conversions
    assert f"Journeys: {len(raw.journeys):,}   Conversions: {conversions:,}" in files.analyzed
    assert f"{len(raw.journeys):,} journeys of {raw.cases:,} persons" in files.analyzed


def test_touchpoint_funnel_matches_the_raw_log(files: Files, raw: RawLog) -> None:
    funnel = files.analysis["tables"]["touchpoint_funnel"]
    assert [row["touchpoint"] for row in funnel] == FUNNEL
    assert [row["reached"] for row in funnel] == _reached(raw.journeys, FUNNEL)


def test_phases_are_named_in_german(files: Files, raw: RawLog) -> None:
    phases = list(PHASES)
    expected = _reached(raw.journeys, phases, phase_steps=True)
    funnel = files.analysis["tables"]["phase_funnel"]
    assert [row["phase_name"] for row in funnel] == list(PHASES.values())
    assert [row["reached"] for row in funnel] == expected
    printed = _rows(files.analyzed, "Phase funnel")
    assert [(cells[0], int(cells[1].replace(",", ""))) for cells in printed] == list(
        zip(PHASES.values(), expected, strict=True)
    )
    # Journeys that did not convert, by the phase and touchpoint of their last event.
    last = [journey[-1][1] for journey in raw.journeys]
    dropped = Counter((PHASES[PHASE_OF[tp]], tp) for tp in last if tp != "closed")
    assert len(dropped) <= 5  # the summary lists the top five: here all of them
    printed = _rows(files.analyzed, "Top drop-offs")
    assert {(cells[0], cells[1]): int(cells[2].replace(",", "")) for cells in printed} == dropped
    assert ("Lösung", "resolve-ticket") in dropped
    assert "loesung" not in files.analyzed


def test_w_shaped_credits_sum_to_the_conversions(files: Files) -> None:
    conversions = files.analysis["summary"]["conversions"]
    base = ["attribute", "--map", str(files.map_path), "--db", str(files.db)]
    printed = _invoke(*base, "--model", "w_shaped").output
    credits = {
        cells[0]: float(cells[1].split(" (")[0].replace(",", ""))
        for cells in _rows(printed, "Attribution by touchpoint")
    }
    # Printed to one decimal: each credit is off by at most 0.05.
    assert sum(credits.values()) == pytest.approx(conversions, abs=0.05 * len(credits))
    exact = {
        row["key"]: row["conversions"]
        for row in files.analysis["tables"]["attribution"]
        if row["model"] == "w_shaped" and row["level"] == "touchpoint"
    }
    assert sum(exact.values()) == pytest.approx(conversions, abs=1e-6)
    assert credits == {key: round(value, 1) for key, value in exact.items()}
    # The map has no consideration or decision phase: the lead and decision touches are then
    # the first of its second and third phase (Bearbeitung, Lösung). Nothing is printed about
    # it; the credits are those of naming them.
    named = _invoke(*base, "--model", "w_shaped", "--lead-phases", "bearbeitung",
                    "--decision-phases", "loesung")  # fmt: skip
    assert named.output == printed
