"""A persona breakdown: the map's personas by their names, other persona values by label."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from journeymap.analysis import analyze
from journeymap.model import JourneyMap
from journeymap.render.context import breakdown_funnels
from journeymap.render.measured import measured_from

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def _events(personas: dict[str | None, int]) -> pa.Table:
    rows = [
        {
            "person_id": f"{persona}-{number}",
            "account_id": None,
            "ts": T0,
            "touchpoint": "call",
            "phase": None,
            "persona": persona,
            "conversion": False,
            "value": None,
            "source": "test",
        }
        for persona, count in personas.items()
        for number in range(count)
    ]
    return pa.Table.from_pylist(rows)


def test_persona_names_win_and_other_values_take_their_label() -> None:
    bank = JourneyMap.model_validate(
        {
            "id": "bank",
            "name": "Bank",
            "language": "da",
            "phases": [{"id": "contact", "name": "Kontakt"}],
            "personas": [{"id": "lars", "first_name": "Lars", "last_name": "Holm"}],
            "touchpoints": [{"id": "call", "name": "Opkald", "phases": ["contact"]}],
            "labels": {"persona": {"lars": "ignored", "blue-collar": "Håndværker"}},
        }
    )
    events = _events({"lars": 5, "blue-collar": 4, "admin.": 3, None: 2})
    analysis = analyze(bank, events, breakdown=["persona"], attribution=False)
    (table,) = breakdown_funnels(bank, measured_from(analysis), "da")
    shown = {line["label"]: line["entered"] for line in table["lines"]}
    assert shown == {"Lars Holm": 5, "Håndværker": 4, "admin.": 3, "(ingen)": 2}
