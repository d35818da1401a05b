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
    (note,) = funnel_notes(analysis, current_map, "en")
    assert note.startswith("Note: the phase funnel above leaves out 1 of 5 journeys, which")
    (danish,) = funnel_notes(analysis, current_map, "da")
    assert "1 af 5" in danish
