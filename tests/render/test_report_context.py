"""The report says what was measured, and shows the phase funnel per breakdown value."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pyarrow as pa
import pytest

from journeymap.analysis import Analysis, analyze
from journeymap.model import JourneyMap
from journeymap.render import render_report_html

MAP = {
    "id": "context",
    "name": "Context map",
    "kind": "b2b",
    "phases": [
        {"id": "awareness", "name": "Awareness", "order": 1},
        {"id": "consideration", "name": "Consideration", "order": 2},
        {"id": "decision", "name": "Decision", "order": 3},
    ],
    "personas": [
        {"id": "buyer", "first_name": "Berta", "last_name": "Buyer"},
        {"id": "user", "first_name": "Ulf", "last_name": "User"},
    ],
    "touchpoints": [
        {"id": "ads", "name": "Ads", "phases": ["awareness"]},
        {"id": "demo", "name": "Demo", "phases": ["consideration"]},
        {"id": "checkout", "name": "Checkout", "phases": ["decision"]},
    ],
}
# (account, person, persona, day of 2026, touchpoint, conversion): 4 accounts, 6 persons,
# 9 events from 5 January to 3 July 2026. A1 and A4 convert; A2 stops at the demo, A3 at the ad.
EVENTS = [
    ("A1", "p1", "buyer", (1, 5), "ads", False),
    ("A1", "p2", "user", (1, 10), "demo", False),
    ("A1", "p1", "buyer", (1, 20), "checkout", True),
    ("A2", "p3", "buyer", (2, 1), "ads", False),
    ("A2", "p3", "buyer", (2, 3), "demo", False),
    ("A3", "p4", "user", (3, 1), "ads", False),
    ("A4", "p5", "user", (3, 2), "ads", False),
    ("A4", "p5", "user", (3, 9), "demo", False),
    ("A4", "p6", "user", (7, 3), "checkout", True),
]
# Every option the context line reports, given explicitly: no settings file changes them.
OPTIONS: dict[str, Any] = {
    "by": "account",
    "conversion_window": "183d",
    "ordering": "ordered",
    "after_conversion": "continue",
    "session_gap": None,
}


def _map(language: str = "en") -> JourneyMap:
    return JourneyMap.model_validate({**MAP, "language": language})


def _events() -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "person_id": person,
                "account_id": account,
                "ts": dt.datetime(2026, *day, 9, tzinfo=dt.UTC),
                "touchpoint": touchpoint,
                "phase": None,
                "persona": persona,
                "conversion": conversion,
                "value": 1000.0 if conversion else None,
                "source": "test",
            }
            for account, person, persona, day, touchpoint, conversion in EVENTS
        ]
    )


def _texts(markup: str) -> str:
    """The text a reader sees: text nodes joined by spaces, no-break and thin spaces as spaces."""
    markup = re.sub(r"<(style|script|svg)\b.*?</\1>", "", markup, flags=re.S)
    nodes = (unescape(node).strip() for node in re.findall(r">([^<>]+)<", markup))
    text = " ".join(node for node in nodes if node)
    return text.replace("\xa0", " ").replace("\u2009", " ")  # CLDR spaces a date range thinly


def _section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def _breakdown_rows(html: str) -> dict[str, list[int]]:
    """Row label -> the reached count of each phase, from the rendered breakdown table."""
    rows = re.findall(r'<tr[^>]*><th scope="row">([^<]*)</th>(.*?)</tr>', html, flags=re.S)
    return {
        unescape(label): [int(n) for n in re.findall(r'data-reached="(\d+)"', cells)]
        for label, cells in rows
    }


@pytest.fixture(scope="module")
def plain() -> Analysis:
    return analyze(_map(), _events(), attribution=False, **OPTIONS)


@pytest.fixture(scope="module")
def by_persona() -> Analysis:
    return analyze(_map(), _events(), attribution=False, breakdown=["persona"], **OPTIONS)


CONTEXT = {
    "en": (
        "What was measured",
        "Journeys per account 4 accounts (6 persons, 9 events)",
        "Period Jan 5 – Jul 3, 2026",
        "conversion window 183 days; ordered funnel (phases count in the map's order); "
        "journeys continue after a conversion",
    ),
    "da": (
        "Hvad der blev målt",
        "Rejser pr. konto 4 konti (6 personer, 9 hændelser)",
        "Periode 5. jan.–3. jul. 2026",
        "konverteringsvindue 183 dage; ordnet tragt (faserne tæller i kortets rækkefølge); "
        "rejser fortsætter efter en konvertering",
    ),
    "de": (
        "Was gemessen wurde",
        "Journeys pro Account 4 Accounts (6 Personen, 9 Ereignisse)",
        "Zeitraum 5. Jan. – 3. Juli 2026",
        "Conversion-Fenster 183 Tage; geordneter Funnel",
    ),
}


@pytest.mark.parametrize("language", sorted(CONTEXT))
def test_report_says_what_was_measured_in_its_language(plain: Analysis, language: str) -> None:
    summary = _texts(_section(render_report_html(_map(language), plain), "summary"))
    assert plain.summary["accounts"] == 4 and plain.summary["persons"] == 6
    for text in CONTEXT[language]:
        assert text in summary


def test_journeys_that_are_not_the_actors_are_counted_as_journeys_of_them() -> None:
    # Per person with a 7-day session gap: p1's ad and checkout, 15 days apart, are two
    # journeys of one person.
    analysis = analyze(
        _map(),
        _events(),
        attribution=False,
        by="person",
        conversion_window=None,
        ordering="strict",
        after_conversion="end",
        session_gap="7d",
    )
    journeys, persons = analysis.summary["journeys"], analysis.summary["persons"]
    assert journeys > persons == 6
    text = _texts(_section(render_report_html(_map(), analysis), "summary"))
    assert f"Journeys per person {journeys} journeys of 6 persons (9 events)" in text
    assert "no conversion window" in text
    assert "strict funnel" in text and "a conversion ends the journey" in text
    assert "a new journey after 7 days without events" in text


def test_attribution_shares_name_their_model() -> None:
    analysis = analyze(_map(), _events(), **OPTIONS)
    html = render_report_html(_map("da"), analysis)
    summary = _texts(_section(html, "summary"))
    assert "Attribution Markov-kæde: andelene på kortet og i resuméet" in summary
    on_map = _texts(_section(html, "map"))
    assert "Attribution på kortet: hvert touchpoints andel af konverteringerne (Markov-kæde)." in (
        on_map
    )


@pytest.mark.parametrize(
    ("language", "heading", "total", "scope"),
    [
        ("en", "Phase funnel by persona", "All journeys", "Broken down by persona"),
        ("da", "Fasetragt efter persona", "Alle rejser", "Opdelt efter persona"),
    ],
)
def test_breakdown_section_shows_each_personas_phase_funnel(
    by_persona: Analysis, language: str, heading: str, total: str, scope: str
) -> None:
    html = render_report_html(_map(language), by_persona)
    section = _section(html, "breakdown")
    assert f"<h2>{heading}</h2>" in section
    rows = _breakdown_rows(section)
    funnel = by_persona.tables["phase_funnel"].to_pylist()
    expected = {total: [r["reached"] for r in funnel if r["breakdown"] is None]}
    names = {"buyer": "Berta Buyer", "user": "Ulf User"}
    for persona, name in names.items():
        expected[name] = [r["reached"] for r in funnel if r.get("persona") == persona]
    assert rows == expected
    # By account, each journey counts under its first persona: A1 and A2 start with a buyer.
    assert rows["Berta Buyer"] == [2, 2, 1] and rows["Ulf User"] == [2, 1, 1]
    assert scope in _texts(_section(html, "summary"))


def test_breakdown_rows_give_conversions_and_rate(by_persona: Analysis) -> None:
    section = _texts(_section(render_report_html(_map(), by_persona), "breakdown"))
    # Berta's accounts: A1 converted, A2 did not; Ulf's: A4 converted, A3 did not.
    assert "Berta Buyer 2 2 (100%) 1 (50%) 1 50.0%" in section
    assert "Ulf User 2 1 (50%) 1 (50%) 1 50.0%" in section
    assert "All journeys 4 3 (75%) 2 (50%) 2 50.0%" in section


def test_without_a_breakdown_there_is_no_breakdown_section(plain: Analysis) -> None:
    html = render_report_html(_map(), plain)
    assert 'id="breakdown"' not in html and "Phase funnel by" not in html
    scope = _texts(_section(html, "summary"))
    assert "What was measured" in scope and "Broken down by" not in scope


def test_a_breakdown_with_many_values_shows_the_biggest_and_counts_the_rest() -> None:
    # 12 regions; region r00 has 12 accounts, r01 11, ... r11 one.
    rows = []
    for region in range(12):
        for index in range(12 - region):
            account = f"r{region:02d}-{index}"
            rows.append(
                {
                    "person_id": f"{account}-p",
                    "account_id": account,
                    "ts": dt.datetime(2026, 1, 5 + index, tzinfo=dt.UTC),
                    "touchpoint": "ads",
                    "phase": None,
                    "persona": "buyer",
                    "conversion": False,
                    "value": None,
                    "source": "test",
                    "region": f"r{region:02d}",
                }
            )
    analysis = analyze(
        _map(), pa.Table.from_pylist(rows), attribution=False, breakdown=["region"], **OPTIONS
    )
    html = render_report_html(_map(), analysis)
    section = _section(html, "breakdown")
    shown = _breakdown_rows(section)
    assert list(shown) == ["All journeys", *(f"r{region:02d}" for region in range(10))]
    assert shown["r00"] == [12, 0, 0] and shown["r09"] == [3, 0, 0]
    assert "2 other values are not shown (3 journeys in Awareness)." in _texts(section)
    assert "<h2>Phase funnel by region</h2>" in section


def test_numbered_values_keep_their_order_and_the_journeys_without_one_are_shown() -> None:
    """Age bands read 30-39, 40-49, 18-29 by size; a missing origin hid among other values."""
    sizes = {"18-29": 2, "30-39": 5, "40-49": 4, "70+": 1, None: 3}
    rows = [
        {
            "person_id": f"{band}-{index}",
            "account_id": f"{band}-{index}",
            "ts": dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
            "touchpoint": "ads",
            "phase": None,
            "persona": None,
            "conversion": False,
            "value": None,
            "source": "test",
            "age_band": band,
        }
        for band, size in sizes.items()
        for index in range(size)
    ]
    analysis = analyze(
        _map(), pa.Table.from_pylist(rows), attribution=False, breakdown=["age_band"], **OPTIONS
    )
    shown = _breakdown_rows(_section(render_report_html(_map(), analysis), "breakdown"))
    assert list(shown)[1:] == ["18-29", "30-39", "40-49", "70+", "(none)"]
    assert shown["(none)"] == [3, 0, 0]


def test_the_report_says_when_the_conversion_event_credits_itself() -> None:
    """Both purchases are checkout events: with them, checkout earns every last touch."""
    kept = analyze(_map(), _events(), **OPTIONS)
    assert kept.summary["conversion_touchpoints"] == [{"touchpoint": "checkout", "conversions": 2}]
    summary = _texts(_section(render_report_html(_map(), kept), "summary"))
    assert (
        "2 of 2 conversions are Checkout events, credited for the conversion itself "
        "(attribution.conversion_touch: no leaves them out)"
    ) in summary
    danish = _texts(_section(render_report_html(_map("da"), kept), "summary"))
    assert "2 af 2 konverteringer er Checkout-hændelser" in danish
    left_out = analyze(_map(), _events(), attribution={"conversion_touch": False}, **OPTIONS)
    summary = _texts(_section(render_report_html(_map(), left_out), "summary"))
    assert "the conversion event's own touchpoint takes no credit, the touches before it do" in (
        summary
    )
    assert "credited for the conversion itself" not in summary


def test_a_breakdown_column_that_changes_along_journeys_is_said_to_count_the_first_value(
    by_persona: Analysis,
) -> None:
    """Per account, A1's buyer and user share one journey: it counts under the buyer."""
    assert by_persona.summary["breakdown_varies"] == {"persona": 1}
    section = _texts(render_report_html(_map(), by_persona))
    assert "Persona changes within 1 journey: each journey counts under its first value." in (
        section
    )
    danish = _texts(render_report_html(_map("da"), by_persona))
    assert "Persona skifter inden for 1 rejse: hver rejse tæller under sin første værdi." in (
        danish
    )


def test_a_breakdown_column_that_never_changes_gets_no_such_note() -> None:
    per_person = analyze(
        _map(), _events(), attribution=False, breakdown=["persona"], **{**OPTIONS, "by": "person"}
    )
    assert per_person.summary["breakdown_varies"] == {}
    assert "changes within" not in _texts(render_report_html(_map(), per_person))
