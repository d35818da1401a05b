"""What the tables do not say by themselves, said in the user's language (analysis.notes).

Found by a CX manager keeping a shop's map current: ``analyze`` named the touchpoints of the
events that the map lacks, but never the map's touchpoints that no event shows (they only
carried a grey tag on the drawn map), and persona values the map has no persona for (the
online shoppers' VisitorType ``Other``, 85 sessions) passed without a word.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from journeymap import analyze
from journeymap.analysis.notes import funnel_notes, map_currency_notes
from journeymap.model import JourneyMap, Persona, Touchpoint

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]


@pytest.fixture
def current_map(shop_map: JourneyMap) -> JourneyMap:
    """The shop with persona anna (bob is not on it) and a newsletter nobody meets."""
    newsletter = Touchpoint(id="newsletter", name="Newsletter", phases=["awareness"])
    return shop_map.model_copy(
        update={
            "personas": [Persona(id="anna", first_name="Anna")],
            "touchpoints": [*shop_map.touchpoints, newsletter],
        }
    )


def _with_podcast(events: pa.Table) -> pa.Table:
    """One more event, of a touchpoint the map does not have."""
    extra = events.slice(0, 1).to_pylist()[0] | {"person_id": "p9", "touchpoint": "podcast"}
    return pa.concat_tables([events, pa.Table.from_pylist([extra], schema=events.schema)])


def test_the_map_and_the_events_disagree_in_so_many_words(
    current_map: JourneyMap, shop_events: pa.Table
) -> None:
    analysis = analyze(current_map, _with_podcast(shop_events), attribution=False)
    assert analysis.summary["personas_off_map"] == {"bob": 5}
    english = map_currency_notes(analysis, current_map, "en")
    assert english == [
        "Note: 1 events have touchpoints the map does not have: podcast (1). They are "
        "measured, but no phase of the map shows them; add them to the map, or change the "
        "rules that name them.",
        "Note: 1 touchpoint of the map has no events: Newsletter (newsletter). Either "
        "customers do not meet it, or no mapping rule names it; check the rules, or take it "
        "off the map.",
        "Note: 5 events carry personas the map does not have: bob (5). They are measured "
        "under these values; add the personas to the map, or change the rules that set them.",
    ]
    german = map_currency_notes(analysis, current_map, "de")
    assert german[1].startswith("Hinweis: 1 Touchpoint der Map hat keine Ereignisse: Newsletter")
    assert german[2].startswith("Hinweis: 5 Ereignisse tragen Personas, die die Map nicht hat")


def test_a_map_that_matches_its_events_gets_no_note(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    with_personas = shop_map.model_copy(
        update={
            "personas": [Persona(id="anna", first_name="Anna"), Persona(id="bob", first_name="Bob")]
        }
    )
    analysis = analyze(with_personas, shop_events, attribution=False)
    assert analysis.summary["personas_off_map"] == {}
    assert map_currency_notes(analysis, with_personas, "en") == []


def test_the_funnel_notes_read_the_same_in_the_report_as_in_the_terminal(
    current_map: JourneyMap, shop_events: pa.Table
) -> None:
    """p9 only heard the podcast: the funnel leaves that journey out, and says so."""
    analysis = analyze(current_map, _with_podcast(shop_events), attribution=False)
    note = funnel_notes(analysis, current_map, "en")[0]
    assert note.startswith("Note: the phase funnel above leaves out 1 of 5 journeys, which")
    assert "1 af 5" in funnel_notes(analysis, current_map, "da")[0]


def test_a_default_touchpoint_funnel_over_alternatives_is_said_to_be_one(
    current_map: JourneyMap, shop_events: pa.Table
) -> None:
    """Ad, blog and newsletter are three ways into awareness, not three steps: the default
    touchpoint funnel asks for all in a row and reads 0 from blog on, though reviews, checkout
    and buy occur. Named steps need no note."""
    analysis = analyze(current_map, shop_events, attribution=False)
    steps = {r["touchpoint"]: r["reached"] for r in analysis.table("touchpoint_funnel").to_pylist()}
    assert steps["ad"] > 0 and steps["buy"] == 0
    notes = funnel_notes(analysis, current_map, "en")
    assert notes[-1] == (
        "Note: the touchpoint funnel (touchpoint_funnel in the output) takes the map's 6 "
        "touchpoints as steps one after another, but Awareness alone holds 3: alternatives, "
        "not steps, so it reads 0 from blog on although later steps' touchpoints occur in the "
        "events. Name the steps a journey should take with --funnel-step a,b,c (setting "
        "funnel.touchpoints)."
    )
    named = analyze(current_map, shop_events, attribution=False, funnel_touchpoints=["ad", "buy"])
    assert not any("touchpoint funnel" in note for note in funnel_notes(named, current_map, "en"))


def test_the_touchpoint_funnel_note_names_the_phase_that_stops_it(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    """BPIC's note named the map's most crowded phase (Decision, 8) while the funnel fell to
    0 in Application. Here it falls at blog, in Awareness (2), not in Purchase (4)."""
    extra = [Touchpoint(id=tp, name=tp.title(), phases=["purchase"]) for tp in ("gift", "wrap")]
    crowded = shop_map.model_copy(update={"touchpoints": [*shop_map.touchpoints, *extra]})
    analysis = analyze(crowded, shop_events, attribution=False)
    note = funnel_notes(analysis, crowded, "en")[-1]
    assert (
        "but Awareness alone holds 2: alternatives, not steps, so it reads 0 from blog on" in note
    )


def test_off_map_ids_a_map_cannot_hold_get_their_way_onto_it() -> None:
    """BPIC's 'W_Completeren aanvraag' was advised onto the map, where an id cannot hold a
    space: the note now says so and names the rule that can."""
    from journeymap.analysis.notes import off_map_note

    note = off_map_note({"W_Completeren aanvraag": 5, "podcast": 2}, "en") or ""
    assert note.endswith(
        "1 of them cannot be a map's ids as they are (spaces or other signs): give each a rule "
        "that names an id, e.g. touchpoint: W_Completeren-aanvraag when the field equals "
        "'W_Completeren aanvraag'."
    )
    assert "cannot be" not in (off_map_note({"podcast": 2}, "en") or "")
