"""``journeymap analyze`` says how many journeys the phase funnel leaves out, and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.mapfile import save_map
from journeymap.model import JourneyMap

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
# (person, hours, touchpoint, conversion). p2 and p3 never touch Awareness (ad, blog): the
# funnel counts only p1 and p4, and of the two purchases only p1's.
EVENTS = [
    ("p1", 0, "ad", False),
    ("p1", 1, "reviews", False),
    ("p1", 2, "buy", True),
    ("p2", 0, "reviews", False),
    ("p2", 1, "checkout", False),
    ("p3", 0, "checkout", False),
    ("p3", 1, "buy", True),
    ("p4", 0, "ad", False),
]

NOTES = {
    "en": "Note: the phase funnel above leaves out 2 of 4 journeys (including 1 of 2 "
    "conversions), which never reached the first phase, Awareness. Every ordering counts from "
    "the first phase (--ordering any too); check that the touchpoints of Awareness occur in "
    "the events, and whether the events start mid-journey.",
    "da": "Bemærk: fasetragten ovenfor udelader 2 af 4 rejser (heriblandt 1 af 2 "
    "konverteringer), som aldrig nåede den første fase, Awareness. Alle rækkefølger tæller fra "
    "den første fase (også --ordering any); kontrollér, at touchpoints i Awareness forekommer "
    "i hændelserne, og om hændelserne starter midt i rejserne.",
    "de": "Hinweis: 2 von 4 Journeys (darunter 1 von 2 Conversions) haben die erste Phase, "
    "Awareness, nie erreicht; der Phasen-Funnel oben lässt sie aus. Jede Reihenfolge zählt ab "
    "der ersten Phase (auch --ordering any); prüfen Sie, ob die Touchpoints von Awareness in "
    "den Ereignissen vorkommen und ob die Ereignisse mitten in Journeys beginnen.",
}


def _analyze(
    tmp_path: Path,
    shop_map: JourneyMap,
    fill: Callable[[Path, pa.Table], Path],
    events: list[tuple[str, int, str, bool]],
    *options: str,
    language: str = "en",
) -> str:
    db = tmp_path / "ws.duckdb"
    if not db.exists():
        rows = pa.table(
            {
                "person_id": [e[0] for e in events],
                "ts": pa.array(
                    [T0 + dt.timedelta(hours=e[1]) for e in events], pa.timestamp("us", "UTC")
                ),
                "touchpoint": [e[2] for e in events],
                "conversion": [e[3] for e in events],
            }
        )
        fill(db, rows)
        save_map(shop_map, tmp_path / "shop.yaml")
    args = ["analyze", "--map", str(tmp_path / "shop.yaml"), "--db", str(db)]
    args += ["--out", str(tmp_path / "out"), "--no-attribution", *options]
    env = {"COLUMNS": "100000", "JOURNEYMAP_LANG": language}
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("language", ["en", "da", "de"])
def test_the_note_counts_journeys_and_conversions_left_out(
    tmp_path: Path,
    shop_map: JourneyMap,
    fill_workspace: Callable[[Path, pa.Table], Path],
    language: str,
) -> None:
    output = _analyze(tmp_path, shop_map, fill_workspace, EVENTS, language=language)
    lines = output.splitlines()
    assert NOTES[language] in lines
    # Under the funnel: after its last row, before the drop-offs.
    funnel_end = min(i for i, line in enumerate(lines) if "Purchase" in line)
    drops = {"en": "Top drop-offs", "da": "Største frafald", "de": "Größte Absprünge"}[language]
    drops_start = min(i for i, line in enumerate(lines) if drops in line)
    assert funnel_end < lines.index(NOTES[language]) < drops_start


@pytest.mark.parametrize("ordering", ["any", "strict"])
def test_no_ordering_counts_them(
    tmp_path: Path,
    shop_map: JourneyMap,
    fill_workspace: Callable[[Path, pa.Table], Path],
    ordering: str,
) -> None:
    # `--ordering any` needs the first phase too: the note says so rather than promise it.
    output = _analyze(tmp_path, shop_map, fill_workspace, EVENTS, "--ordering", ordering)
    assert NOTES["en"] in output.splitlines()


def test_conversions_are_left_out_of_the_note_when_none_is_missing(
    tmp_path: Path, shop_map: JourneyMap, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    events = [e for e in EVENTS if e[0] != "p3"]
    output = _analyze(tmp_path, shop_map, fill_workspace, events)
    assert (
        "Note: the phase funnel above leaves out 1 of 3 journeys, which never reached the "
        "first phase, Awareness. Every ordering"
    ) in output


def test_one_journey_of_one(
    tmp_path: Path, shop_map: JourneyMap, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    output = _analyze(tmp_path, shop_map, fill_workspace, [e for e in EVENTS if e[0] == "p3"])
    assert (
        "Note: the phase funnel above leaves out 1 of 1 journey (including 1 of 1 "
        "conversion), which never reached the first phase, Awareness."
    ) in output


def test_no_note_when_every_journey_reaches_the_first_phase(
    tmp_path: Path, shop_map: JourneyMap, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    events = [e for e in EVENTS if e[0] in {"p1", "p4"}]
    output = _analyze(tmp_path, shop_map, fill_workspace, events, "--breakdown", "persona")
    assert "never reached the first phase" not in output


def test_repeat_conversions_in_a_journey_are_counted_and_said(
    tmp_path: Path, shop_map: JourneyMap, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    """With continue, value and credits count every conversion event, the headline journeys."""
    events = [("p1", 0, "ad", False), ("p1", 1, "buy", True), ("p1", 2, "buy", True)]
    events += [("p2", 0, "ad", False)]
    output = _analyze(tmp_path, shop_map, fill_workspace, events, "--after-conversion", "continue")
    assert "Conversions: 1 " in output
    assert "2 conversion events in 1 converted journeys" in output
    ended = _analyze(tmp_path, shop_map, fill_workspace, events)
    assert "Conversions: 2 " in ended and "conversion events" not in ended


def test_no_conversion_at_all_is_said(
    tmp_path: Path, shop_map: JourneyMap, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    output = _analyze(tmp_path, shop_map, fill_workspace, [("p1", 0, "ad", False)])
    assert "Note: no event is a conversion, so every conversion figure" in output


def test_events_kept_as_unmapped_get_their_own_advice(monkeypatch: pytest.MonkeyPatch) -> None:
    """No rule names them, so "change the rules that name them" was no advice."""
    from journeymap.cli.app import off_map_note

    monkeypatch.setenv("JOURNEYMAP_LANG", "en")
    both = off_map_note({"unmapped": 1728, "cpc": 3})
    assert both.splitlines() == [
        "Note: 3 events have touchpoints the map does not have: cpc (3). They are measured, but "
        "no phase of the map shows them; add them to the map, or change the rules that name "
        "them.",
        "Note: 1,728 events are kept as unmapped: no rule matched them. Add rules that do, or "
        "quarantine them (unmatched: quarantine).",
    ]
    assert off_map_note({"unmapped": 2}).startswith("Note: 2 events are kept as unmapped")
