"""What the import says about its timestamps: local times read as UTC, epoch numbers.

Timestamps without a UTC offset and rules without ``timezone:`` are read as UTC; the import
says so, since local-time exports then shift every event by the zone's offset. Epoch numbers
are read with ``timestamp_format: epoch_s | epoch_ms | epoch_us``; without one no value is
read, and the import names the format the digits look like.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from pydantic import ValidationError
from shop_files import FILTERS, MAP
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.ingest import ImportReport, Workspace, import_events
from journeymap.model.mapping import MappingRules

pytestmark = FILTERS

NAIVE_NOTE = (
    "Note: the timestamps carry no time zone and were read as UTC; if they are local times, "
    "set timezone: in the rules' columns (e.g. timezone: Europe/Copenhagen)."
)
EPOCH_MS_HINT = (
    "Note: the timestamps could not be read and look like epoch milliseconds; set "
    "timestamp_format: epoch_ms in the rules' columns and import again with --replace."
)


def _import_cli(
    tmp_path: Path, whens: list[str], columns: str = "", language: str = "en"
) -> tuple[str, int]:
    """Import one event per ``whens`` value with the CLI; its output on one line, exit code."""
    mapping = (
        "mapping:\n"
        f"  columns: {{person_id: user, timestamp: when{columns}}}\n"
        "  touchpoints:\n"
        "    - touchpoint: checkout\n"
    )
    (tmp_path / "shop.yaml").write_text(MAP + mapping, encoding="utf-8")
    rows = "".join(f"u{index},{when}\n" for index, when in enumerate(whens))
    (tmp_path / "events.csv").write_text("user,when\n" + rows, encoding="utf-8")
    args = ["import", str(tmp_path / "events.csv"), "--map", str(tmp_path / "shop.yaml")]
    args += ["--db", str(tmp_path / "ws.duckdb")]
    env = {"JOURNEYMAP_LANG": language, "COLUMNS": "200"}
    result = CliRunner().invoke(app, args, env=env)
    return " ".join(result.output.split()), result.exit_code


NAIVE = ["2025-03-30 10:15:00", "2025-03-30 11:40:00"]


def test_naive_iso_text_read_as_utc_is_noted(tmp_path: Path) -> None:
    output, code = _import_cli(tmp_path, NAIVE)
    assert code == 0, output
    assert f"Timestamps read as: ISO 8601 {NAIVE_NOTE}" in output


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("da", "Bemærk: tidsstemplerne har ingen tidszone og blev læst som UTC;"),
        ("de", "Hinweis: Die Zeitstempel haben keine Zeitzone und wurden als UTC gelesen;"),
    ],
)
def test_the_naive_note_is_translated(tmp_path: Path, language: str, note: str) -> None:
    output, code = _import_cli(tmp_path, NAIVE, language=language)
    assert code == 0, output
    assert note in output and "timezone: Europe/Copenhagen" in output


@pytest.mark.parametrize(
    ("whens", "columns"),
    [
        (["2025-03-30T10:15:00Z", "2025-03-30 11:40:00+02:00"], ""),  # every value has one
        (NAIVE, ", timezone: Europe/Copenhagen"),
        (NAIVE, ", timezone: UTC"),  # said outright: they are UTC
        (["2025-03-30", "2025-03-31"], ""),  # dates alone: no time of day to shift
        (["1743329700", "1743334800"], ", timestamp_format: epoch_s"),  # instants
    ],
    ids=["offsets", "zone-given", "utc-given", "dates", "epoch"],
)
def test_no_naive_note_when_the_zone_is_known(
    tmp_path: Path, whens: list[str], columns: str
) -> None:
    output, code = _import_cli(tmp_path, whens, columns)
    assert code == 0, output
    assert "imported │ 2 │" in output  # read, not quarantined
    assert "no time zone" not in output
    # Local times of day and no zone in the rules do get the note.
    (tmp_path / "local").mkdir()
    assert NAIVE_NOTE in _import_cli(tmp_path / "local", NAIVE)[0]


def test_naive_text_in_a_strptime_format_is_noted(tmp_path: Path) -> None:
    output, code = _import_cli(tmp_path, ["30.03.2025 10:15:00", "31.03.2025 11:40:00"])
    assert code == 0, output
    assert f"Timestamps read as: %d.%m.%Y %H:%M:%S (day first) {NAIVE_NOTE}" in output


def _report(events: pa.Table, **columns: str) -> tuple[ImportReport, list[datetime]]:
    """Import ``events`` (columns user, when); the report and the stored instants in order."""
    rules = MappingRules.model_validate(
        {
            "columns": {"person_id": "user", "timestamp": "when", **columns},
            "touchpoints": [{"touchpoint": "x"}],
        }
    )
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, events, rules, source_name="events")
        rows = workspace.events().order_by("person_id").to_pyarrow().to_pylist()
    return report, [row["ts"].astimezone(UTC) for row in rows]


def test_typed_tz_naive_timestamps_are_noted_and_tz_aware_ones_not() -> None:
    wall = [datetime(2025, 3, 30, 10, 15), datetime(2025, 3, 30, 11, 40)]
    naive = pa.table({"user": ["u1", "u2"], "when": pa.array(wall, pa.timestamp("us"))})
    report, _ = _report(naive)
    assert report.timestamp_type == "timestamp[us]"
    assert report.timestamps_naive is True
    aware = naive.set_column(1, "when", naive["when"].cast(pa.timestamp("us", tz="UTC")))
    report, _ = _report(aware)
    assert report.timestamps_naive is False


# Each format: (the epoch text of 2025-03-30 10:15 UTC, that instant, the text -86400, its
# instant: a day, 86.4 seconds or 86.4 milliseconds before 1970-01-01 UTC).
EPOCHS = {
    "epoch_s": (
        "1743329700",
        datetime(2025, 3, 30, 10, 15, 0, tzinfo=UTC),
        datetime(1969, 12, 31, 0, 0, 0, tzinfo=UTC),
    ),
    "%s": (
        "1743329700",
        datetime(2025, 3, 30, 10, 15, 0, tzinfo=UTC),
        datetime(1969, 12, 31, 0, 0, 0, tzinfo=UTC),
    ),
    "epoch_ms": (
        "1743329700123",
        datetime(2025, 3, 30, 10, 15, 0, 123000, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 58, 33, 600000, tzinfo=UTC),
    ),
    "epoch_us": (
        "1743329700123456",
        datetime(2025, 3, 30, 10, 15, 0, 123456, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 913600, tzinfo=UTC),
    ),
}


@pytest.mark.parametrize("timestamp_format", EPOCHS)
def test_epoch_values_import_to_their_utc_instant(timestamp_format: str) -> None:
    text, instant, before_1970 = EPOCHS[timestamp_format]
    events = pa.table({"user": ["u1", "u2"], "when": [text, " -86400 "]})
    # An epoch value is an instant: the zone of naive timestamps does not move it.
    report, stored = _report(
        events, timestamp_format=timestamp_format, timezone="Europe/Copenhagen"
    )
    assert report.rows_imported == 2, report.quarantined
    assert stored == [instant, before_1970]
    assert report.timestamps_naive is False and report.timestamp_format_hint is None


def test_typed_integer_epoch_milliseconds_import() -> None:
    """A Parquet or DataFrame int64 column of GA4-style epoch values."""
    events = pa.table({"user": ["u1"], "when": pa.array([1743329700123456], pa.int64())})
    report, stored = _report(events, timestamp_format="epoch_us")
    assert report.rows_imported == 1
    assert stored == [datetime(2025, 3, 30, 10, 15, 0, 123456, tzinfo=UTC)]


def test_epoch_values_in_another_unit_are_quarantined_not_misread() -> None:
    """Milliseconds read as seconds would be the year 57,000: no value is read."""
    events = pa.table({"user": ["u1", "u2"], "when": ["1743329700123", "12:00"]})
    report, stored = _report(events, timestamp_format="epoch_s")
    assert stored == []
    assert report.quarantined == {"unparseable timestamp": 2}


def test_the_epoch_hint_names_the_format_the_digits_fit(tmp_path: Path) -> None:
    output, code = _import_cli(tmp_path, ["1743329700123", "1743334800456", ""])
    assert code == 0, output
    assert "unparseable timestamp │ 3 │" in output  # the quarantine stands
    assert EPOCH_MS_HINT in output
    assert "no time zone" not in output


@pytest.mark.parametrize(
    ("whens", "columns", "hint"),
    [
        (["1743329700", "1743334800"], "", "epoch_s"),
        (["1743329700123456"], "", "epoch_us"),
        (["1743329700123456"], ", timestamp_format: epoch_ms", "epoch_us"),  # wrong unit
        (["1743329700123", "soon"], "", None),  # not all digits
        (["1743329700123", "1743329700"], "", None),  # digits of two lengths
        (["17433297001"], "", None),  # 11 digits: no epoch length
    ],
)
def test_the_epoch_hint_only_when_no_value_was_read_and_all_fit(
    whens: list[str], columns: str, hint: str | None
) -> None:
    given = {"timestamp_format": columns.split(": ")[1]} if columns else {}
    events = pa.table({"user": [f"u{i}" for i in range(len(whens))], "when": whens})
    report, _ = _report(events, **given)
    assert report.rows_imported == 0
    assert report.timestamp_format_hint == hint


def test_epoch_formats_are_valid_rules_and_near_misses_are_refused() -> None:
    for name in ("epoch_s", "epoch_ms", "epoch_us", "%s"):
        columns = {"person_id": "user", "timestamp": "when", "timestamp_format": name}
        assert MappingRules.model_validate({"columns": columns}).columns.timestamp_format == name
    columns = {"person_id": "user", "timestamp": "when", "timestamp_format": "epoch_ns"}
    with pytest.raises(ValidationError, match="name one of 'ISO 8601', 'epoch_s', 'epoch_ms'"):
        MappingRules.model_validate({"columns": columns})


def test_seconds_read_as_milliseconds_are_noted_with_the_date_they_became(
    tmp_path: Path,
) -> None:
    """Read as epoch_ms, 10-digit seconds become dates in January 1970, imported without a
    word: the import now names the format the digits fit and the first date it made."""
    output, code = _import_cli(
        tmp_path, ["1743329700", "1743334800"], ", timestamp_format: epoch_ms"
    )
    assert code == 0, output
    assert (
        "Note: the timestamps were read as epoch_ms, but their digits look like epoch_s: the "
        "first became 1970-01-21 04:15:29. If so, set timestamp_format: epoch_s in the rules' "
        "columns and import again with --replace."
    ) in output


@pytest.mark.parametrize(
    ("whens", "fmt", "misread"),
    [
        (["1743329700"], "epoch_s", None),  # the digits fit the unit
        (["1743329700123"], "epoch_s", None),  # too large for seconds: none read at all
        (["1743329700123"], "epoch_us", "epoch_ms"),
        (["1743329700"], "%s", None),  # the alias of epoch_s
        (["2025-03-30 10:15:00"], "ISO 8601", None),
    ],
)
def test_the_misread_note_only_for_epoch_digits_of_another_unit(
    whens: list[str], fmt: str, misread: str | None
) -> None:
    events = pa.table({"user": [f"u{i}" for i in range(len(whens))], "when": whens})
    report, _ = _report(events, timestamp_format=fmt)
    found = report.timestamp_misread[0] if report.timestamp_misread else None
    assert found == misread
