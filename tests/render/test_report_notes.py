"""The report says what ``journeymap analyze`` notes under its tables.

Found by a B2B marketer with Olist: the report read "Decision: 0 reached, 0 converted" though
842 deals were won, while only the terminal said why (no journey reached Consideration, the
phases after it read 0) and that 15 journeys never reached the first phase.
"""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa
import pytest

from journeymap import analyze
from journeymap.model import JourneyMap, Persona, Phase, Touchpoint
from journeymap.render import render_report_html

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

T0 = dt.datetime(2018, 1, 1, tzinfo=dt.UTC)


def _deals(language: str) -> tuple[JourneyMap, pa.Table]:
    """Leads by channel, won deals; the map has a Consideration phase no event shows, a
    Newsletter nobody meets, and persona 'owner' (the events also carry 'reseller')."""
    journey_map = JourneyMap(
        id="olist",
        name="Olist",
        language=language,
        phases=[
            Phase(id="awareness", name="Awareness", order=1),
            Phase(id="consideration", name="Consideration", order=2),
            Phase(id="decision", name="Decision", order=3),
        ],
        personas=[Persona(id="owner", first_name="Owner")],
        touchpoints=[
            Touchpoint(id="search", name="Search", phases=["awareness"]),
            Touchpoint(id="newsletter", name="Newsletter", phases=["awareness"]),
            Touchpoint(id="call", name="Call", phases=["consideration"]),
            Touchpoint(id="won", name="Deal won", phases=["decision"]),
        ],
    )
    rows = []
    for lead in range(40):
        rows.append((f"l{lead}", T0, "search", False, "owner"))
        if lead % 4 == 0:
            rows.append((f"l{lead}", T0 + dt.timedelta(days=9), "won", True, "reseller"))
    rows.append(("l99", T0, "won", True, "owner"))  # a deal with no lead row
    events = pa.table(
        {
            "person_id": [r[0] for r in rows],
            "ts": pa.array([r[1] for r in rows], pa.timestamp("us", "UTC")),
            "touchpoint": [r[2] for r in rows],
            "conversion": [r[3] for r in rows],
            "persona": [r[4] for r in rows],
            "account_id": pa.nulls(len(rows), pa.string()),
            "phase": pa.nulls(len(rows), pa.string()),
            "value": pa.nulls(len(rows), pa.float64()),
        }
    )
    return journey_map, events


def _notes(html: str) -> list[str]:
    block = re.search(r'<ul class="notes">(.*?)</ul>', html, re.S)
    assert block, "the report has no notes"
    return [re.sub(r"\s+", " ", item) for item in re.findall(r"<li>(.*?)</li>", block.group(1))]


def test_the_report_notes_what_the_terminal_notes() -> None:
    journey_map, events = _deals("en")
    notes = _notes(render_report_html(journey_map, analyze(journey_map, events, attribution=False)))
    assert notes[0].startswith(
        "Note: the phase funnel above leaves out 1 of 41 journeys (including 1 of 11 "
        "conversions), which never reached the first phase, Awareness."
    )
    assert notes[1].startswith("Note: no journey reached Consideration.")
    assert any("Newsletter (newsletter)" in note for note in notes)
    assert any(note.startswith("Note: 10 events carry personas") for note in notes)


def test_the_report_notes_in_the_maps_language() -> None:
    journey_map, events = _deals("de")
    notes = _notes(render_report_html(journey_map, analyze(journey_map, events, attribution=False)))
    assert notes[1].startswith("Hinweis: Keine Journey hat Consideration erreicht")
    assert any(
        note.startswith("Hinweis: 2 Touchpoints der Map haben keine Ereignisse") for note in notes
    )
    # The touchpoint funnel is a table of the analysis' output, not of the report.
    assert not any("touchpoint_funnel" in note for note in notes)


def test_a_touchpoint_in_several_phases_is_counted_once(
    example_map: JourneyMap, example_measured: tuple[dict[str, pa.Table], dict[str, object]]
) -> None:
    """The payment-provider map draws Blogs in Awareness and Consideration, each card with
    Blogs' whole share: the shares on the map add up to more than 100 %."""
    assert any(len(touchpoint.phases) > 1 for touchpoint in example_map.touchpoints)
    html = render_report_html(example_map, example_measured)
    assert "shows its whole share in each: count it once when adding up." in html
    single = example_map.model_copy(
        update={
            "touchpoints": [
                touchpoint.model_copy(update={"phases": touchpoint.phases[:1], "order": {}})
                for touchpoint in example_map.touchpoints
            ]
        }
    )
    assert "count it once" not in render_report_html(single, example_measured)


def test_the_report_names_the_attribution_parameters_the_analysis_ran_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Markov order 2 and a 14-day lookback from settings: the report said only 'Markov
    chain', so its reader could not reproduce the figures."""
    monkeypatch.setenv("JOURNEYMAP_ATTRIBUTION_MARKOV_ORDER", "2")
    monkeypatch.setenv("JOURNEYMAP_ATTRIBUTION_LOOKBACK", "14d")
    journey_map, events = _deals("en")
    analysis = analyze(journey_map, events)
    assert analysis.summary["attribution_used"]["order"] == 2
    html = render_report_html(journey_map, analysis)
    row = re.search(r'<th scope="row">Attribution parameters</th><td>(.*?)</td>', html, re.S)
    assert row, "no attribution parameters in 'What was measured'"
    text = row.group(1)
    assert text.startswith("lookback 14d; Markov order 2, repeats collapsed;")
    assert "time-decay half-life 7d" in text and "position-based 40/20/40" in text
    german = render_report_html(journey_map.model_copy(update={"language": "de"}), analysis)
    assert "Rückblick 14d; Markov-Ordnung 2, Wiederholungen zusammengefasst" in german
