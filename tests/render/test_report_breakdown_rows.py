"""A breakdown table shows the map's personas, rows in their own order, and shares that do not lie.

- The top-10 cut hid Emil, a persona of the map (students, the second-best segment), while
  seven off-map job codes were shown.
- Age bands the rules made came as ``30-39, 40-49, 50-59, <30, 60+``, months as ``May, Nov,
  Mar, ...``: by size, not in band or calendar order.
- 12,292 of 12,330 read "100 %", 38 sessions that never saw a product page hidden.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pyarrow as pa
import pytest

from journeymap.analysis import analyze
from journeymap.model import JourneyMap
from journeymap.render import render_report_html

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
PERSONAS = [("lars", "Lars", "Holm"), ("bo", "Bo", "Hansen"), ("emil", "Emil", "Berg")]


def _map(language: str = "en") -> JourneyMap:
    return JourneyMap.model_validate(
        {
            "id": "bank",
            "name": "Bank",
            "language": language,
            "phases": [
                {"id": "contact", "name": "Contact", "order": 1},
                {"id": "deposit", "name": "Deposit", "order": 2},
            ],
            "personas": [
                {"id": pid, "first_name": first, "last_name": last} for pid, first, last in PERSONAS
            ],
            "touchpoints": [
                {"id": "call", "name": "Call", "phases": ["contact"]},
                {"id": "sign", "name": "Signed", "phases": ["deposit"]},
            ],
        }
    )


def _events(groups: list[tuple[dict[str, Any], int, int]]) -> pa.Table:
    """``count`` journeys per group (its columns), the first ``converted`` of them converting."""
    rows: list[dict[str, Any]] = []
    for index, (columns, count, converted) in enumerate(groups):
        for number in range(count):
            person = f"g{index}-{number}"
            base = {
                "person_id": person,
                "account_id": None,
                "phase": None,
                "value": None,
                "source": "test",
                "persona": None,
                **columns,
            }
            rows.append({**base, "ts": T0, "touchpoint": "call", "conversion": False})
            if number < converted:
                rows.append(
                    {
                        **base,
                        "ts": T0 + dt.timedelta(hours=1),
                        "touchpoint": "sign",
                        "conversion": True,
                    }
                )
    return pa.Table.from_pylist(rows)


def _breakdown_rows(html: str) -> list[list[str]]:
    table = re.search(r'<table class="breakdown"[^>]*>(.*?)</table>', html, re.S)
    assert table, "no breakdown table"
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)[1:]:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def test_the_maps_own_personas_are_shown_beyond_the_top_ten() -> None:
    off_map = [(f"job-{i:02d}", 40 - i) for i in range(10)]  # 10 off-map values, 31-40 each
    groups = [({"persona": "lars"}, 60, 6), ({"persona": "bo"}, 50, 5)]
    groups += [({"persona": job}, count, 1) for job, count in off_map]
    groups.append(({"persona": "emil"}, 12, 4))  # the smallest: cut before
    html = render_report_html(
        _map(), analyze(_map(), _events(groups), breakdown=["persona"], attribution=False)
    )
    labels = [row[0] for row in _breakdown_rows(html)]
    assert "Emil Berg" in labels and "Lars Holm" in labels and "Bo Hansen" in labels
    assert labels[labels.index("Emil Berg")][:4] == "Emil"
    emil = _breakdown_rows(html)[labels.index("Emil Berg")]
    assert emil[-2:] == ["4", "33.3%"]
    # Ten values besides the map's personas, the other two counted in the note.
    assert len([label for label in labels if label.startswith("job-")]) == 8
    assert "2 other values are not shown (63 journeys in Contact)." in html


@pytest.mark.parametrize(
    ("column", "values", "expected"),
    [
        (
            "age_band",
            ["30-39", "40-49", "50-59", "<30", "60+"],
            ["<30", "30-39", "40-49", "50-59", "60+"],
        ),
        (
            "Month",
            ["May", "Nov", "Mar", "Dec", "Oct", "Sep", "Aug", "Jul", "June", "Feb", "Jan", "Apr"],
            ["Jan", "Feb", "Mar", "Apr", "May", "June", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        ),
        (
            "weekday",
            ["Sunday", "Monday", "Friday", "Wednesday"],
            ["Monday", "Wednesday", "Friday", "Sunday"],
        ),
        ("region", ["9", "1", "10", "3", "2"], ["1", "2", "3", "9", "10"]),
        ("VisitorType", ["Returning", "New", "Other"], ["Returning", "New", "Other"]),
    ],
)
def test_rows_come_in_their_own_order(column: str, values: list[str], expected: list[str]) -> None:
    """The first value has the most journeys, the last the fewest: size order is ``values``."""
    groups = [({column: value}, 100 - 5 * index, 3) for index, value in enumerate(values)]
    analysis = analyze(_map(), _events(groups), breakdown=[column], attribution=False)
    labels = [row[0] for row in _breakdown_rows(render_report_html(_map(), analysis))]
    # All twelve months are shown: a calendar with two months cut reads as a gap in the data.
    assert labels == ["All journeys", *expected]


def test_a_share_just_under_all_is_not_written_100_percent() -> None:
    """12,292 of 12,330 sessions saw a product page: 99.7 %, and 1 of 4,000 is < 0.1 %."""
    groups = [({"visitor": "returning"}, 2000, 1999), ({"visitor": "new"}, 4000, 1)]
    html = render_report_html(
        _map("da"), analyze(_map("da"), _events(groups), breakdown=["visitor"], attribution=False)
    )
    rows = {row[0]: row for row in _breakdown_rows(html)}
    assert rows["returning"][2] == "1.999 (> 99,9\xa0%)" and rows["returning"][4] == "> 99,9\xa0%"
    assert rows["new"][2] == "1 (< 0,1\xa0%)" and rows["new"][4] == "< 0,1\xa0%"
    assert rows["Alle rejser"][2] == "2.000 (33\xa0%)"
    assert "100\xa0%" not in "".join(rows["returning"]) and "0,0\xa0%" not in "".join(rows["new"])
