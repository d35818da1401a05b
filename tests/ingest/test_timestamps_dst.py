"""Local times at the daylight-saving changes become the same UTC instant in every format.

In the spring gap (02:00-03:00 on 2025-03-30 in Copenhagen) no wall time exists; it is read
with the offset in force just before the gap (CET, +01:00), as Python's ``fold=0`` and Java's
``ZonedDateTime`` do. In the autumn overlap (02:00-03:00 on 2025-10-26 happens twice) the first
occurrence counts (CEST, +02:00). ISO text is parsed by Python, a ``strptime`` format by Arrow;
both must agree.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from journeymap.ingest import Workspace, import_events
from journeymap.model.mapping import MappingRules

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

# Wall-clock time in Europe/Copenhagen -> the UTC instant, worked out by hand.
EXPECTED = {
    (2025, 1, 15, 12, 0, 0): datetime(2025, 1, 15, 11, 0, 0, tzinfo=UTC),  # winter, +01:00
    (2025, 7, 1, 12, 0, 0): datetime(2025, 7, 1, 10, 0, 0, tzinfo=UTC),  # summer, +02:00
    # Spring forward: 02:00 CET becomes 03:00 CEST.
    (2025, 3, 30, 1, 59, 59): datetime(2025, 3, 30, 0, 59, 59, tzinfo=UTC),
    (2025, 3, 30, 2, 0, 0): datetime(2025, 3, 30, 1, 0, 0, tzinfo=UTC),  # in the gap
    (2025, 3, 30, 2, 30, 0): datetime(2025, 3, 30, 1, 30, 0, tzinfo=UTC),  # in the gap
    (2025, 3, 30, 2, 59, 59): datetime(2025, 3, 30, 1, 59, 59, tzinfo=UTC),  # in the gap
    (2025, 3, 30, 3, 0, 0): datetime(2025, 3, 30, 1, 0, 0, tzinfo=UTC),
    # Fall back: 03:00 CEST becomes 02:00 CET.
    (2025, 10, 26, 1, 59, 59): datetime(2025, 10, 25, 23, 59, 59, tzinfo=UTC),
    (2025, 10, 26, 2, 0, 0): datetime(2025, 10, 26, 0, 0, 0, tzinfo=UTC),  # twice: first
    (2025, 10, 26, 2, 30, 0): datetime(2025, 10, 26, 0, 30, 0, tzinfo=UTC),  # twice: first
    (2025, 10, 26, 3, 0, 0): datetime(2025, 10, 26, 2, 0, 0, tzinfo=UTC),
}

DAY_FIRST = "{2:02d}.{1:02d}.{0:04d} {3:02d}:{4:02d}:{5:02d}"
# Form -> (text template, timestamp_format given or None, how the import says it read them).
FORMS = {
    "iso-detected": ("{0:04d}-{1:02d}-{2:02d} {3:02d}:{4:02d}:{5:02d}", None, "ISO 8601"),
    "iso-given": ("{0:04d}-{1:02d}-{2:02d}T{3:02d}:{4:02d}:{5:02d}", "ISO 8601", "ISO 8601"),
    "day-first-detected": (DAY_FIRST, None, "%d.%m.%Y %H:%M:%S"),
    "day-first-given": (DAY_FIRST, "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S"),
}


def _imported(texts: list[str], timestamp_format: str | None) -> tuple[list[datetime], str]:
    """Import one row per text with timezone Europe/Copenhagen; the stored UTC instants."""
    columns = {"person_id": "user", "timestamp": "when", "timezone": "Europe/Copenhagen"}
    if timestamp_format:
        columns["timestamp_format"] = timestamp_format
    rules = MappingRules.model_validate({"columns": columns, "touchpoints": [{"touchpoint": "x"}]})
    users = [f"u{index:02d}" for index in range(len(texts))]
    events = pa.table({"user": users, "when": texts})
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, events, rules)
        assert report.rows_imported == len(texts), report.quarantined
        rows = workspace.events().order_by("person_id").to_pyarrow().to_pylist()
    return [row["ts"].astimezone(UTC) for row in rows], str(report.timestamp_format)


@pytest.mark.parametrize("form", FORMS)
def test_every_format_reads_the_changeover_hours_alike(form: str) -> None:
    template, given, read_as = FORMS[form]
    texts = [template.format(*wall) for wall in EXPECTED]
    stored, reported = _imported(texts, given)
    assert reported == read_as
    assert dict(zip(texts, stored, strict=True)) == dict(zip(texts, EXPECTED.values(), strict=True))


def test_a_constant_timestamp_in_the_gap_is_read_alike() -> None:
    rules = MappingRules.model_validate(
        {
            "columns": {
                "person_from_row": True,
                "timestamp_constant": "2025-03-30 02:30:00",
                "timezone": "Europe/Copenhagen",
            },
            "touchpoints": [{"touchpoint": "x"}],
        }
    )
    with Workspace("duckdb://") as workspace:
        import_events(workspace, pa.table({"answer": ["yes"]}), rules, source_name="survey")
        (row,) = workspace.events().to_pyarrow().to_pylist()
    assert row["ts"].astimezone(UTC) == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
