"""``events_per_row`` on an email tool's export: sent, opened and clicked on one row.

The sent mail's touchpoint comes from the rules' ``touchpoints`` list (by channel), the open
and the click from their own time columns; the click only when the tool counted one.
"""

from __future__ import annotations

from pathlib import Path

from shop_files import FILTERS

from journeymap.ingest import Workspace, import_events
from journeymap.model.mapping import MappingRules

pytestmark = FILTERS

EXPORT = (
    "email,channel,sent_at,opened_at,clicked_at,clicks\n"
    'a@example.com,newsletter,2024-03-01 09:00,2024-03-01 10:00,2024-03-01 10:05,"2,0"\n'
    "b@example.com,promo,2024-03-01 09:00,,,0\n"
    "c@example.com,survey,2024-03-01 09:00,2024-03-02 08:00,2024-03-02 08:01,0\n"
)
RULES = {
    "columns": {"person_id": "email", "timestamp": "sent_at", "timezone": "Europe/Copenhagen"},
    "touchpoints": [
        {"touchpoint": "newsletter", "when": [{"field": "channel", "equals": "newsletter"}]},
        {"touchpoint": "promo-mail", "when": [{"field": "channel", "equals": "promo"}]},
    ],
    "events_per_row": [
        {"touchpoint_rules": True},
        {"touchpoint": "email-open", "timestamp": "opened_at"},
        {
            "touchpoint": "email-click",
            "timestamp": "clicked_at",
            "when": [{"field": "clicks", "at_least": 1}],
        },
    ],
}


def test_sent_opened_and_clicked_mails_as_events(tmp_path: Path) -> None:
    path = tmp_path / "mails.csv"
    path.write_text(EXPORT, encoding="utf-8")
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, path, MappingRules.model_validate(RULES))
        events = workspace.events().order_by(["person_id", "ts"]).to_pyarrow().to_pylist()
    assert report.touchpoints == {
        "newsletter": 1,
        "promo-mail": 1,
        "email-open": 2,
        "email-click": 1,
    }
    # The survey mail's channel has no touchpoint rule: that event alone is refused, the
    # open of the same row imports. The click of c@ was not counted (0 clicks): no event.
    assert report.events_quarantined == {"no rule matched": 1}
    assert (report.rows_read, report.rows_with_events, report.rows_quarantined) == (3, 3, 0)
    trail = [(e["person_id"][0], e["touchpoint"], e["ts"].strftime("%H:%M")) for e in events]
    assert trail == [
        ("a", "newsletter", "08:00"),  # 09:00 in Copenhagen, stored in UTC
        ("a", "email-open", "09:00"),
        ("a", "email-click", "09:05"),
        ("b", "promo-mail", "08:00"),
        ("c", "email-open", "07:00"),
    ]
