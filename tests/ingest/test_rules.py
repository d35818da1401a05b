"""Mapping rules: touchpoints, phases, conversions, values and timestamps from raw rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pytest
from pydantic import ValidationError

from journeymap.errors import RulesError
from journeymap.ingest.rules import NO_RULE, RuleState, apply_rules, repair_range
from journeymap.model.mapping import MappingRules


def mapped(
    data: dict[str, list[Any]], **rules: Any
) -> tuple[list[dict[str, Any]], list[str | None]]:
    rules.setdefault("columns", {"person_id": "user", "timestamp": "when"})
    batch = pa.RecordBatch.from_pydict(
        {name: pa.array(values, pa.string()) for name, values in data.items()}
    )
    result = apply_rules(
        batch, MappingRules.model_validate(rules), source="test", first_row=1, state=RuleState()
    )
    return pa.table(result.columns).to_pylist(), result.reasons


WEB = {
    "user": ["u1", "u2", "u3", "u4", "u5"],
    "when": ["2024-03-01T10:00:00Z"] * 5,
    "utm_source": ["google", "facebook", "newsletter-march", "Google", "bing"],
    "utm_medium": ["cpc", "paid_social", "email", "organic", "cpc"],
    "event": ["visit", "visit", "visit", "visit", "order"],
}


def test_equals_in_prefix_regex_first_match_wins() -> None:
    rows, reasons = mapped(
        WEB,
        touchpoints=[
            {
                "touchpoint": "checkout",
                "phase": "purchase",
                "when": [{"field": "event", "equals": "order"}],
            },
            {"touchpoint": "search-ads", "when": [{"field": "utm_medium", "equals": "cpc"}]},
            {
                "touchpoint": "social-ads",
                "when": [{"field": "utm_medium", "in": ["paid_social", "social"]}],
            },
            {"touchpoint": "newsletter", "when": [{"field": "utm_source", "prefix": "newsletter"}]},
            {
                "touchpoint": "search-organic",
                "when": [{"field": "utm_source", "regex": "^goo", "case_sensitive": False}],
            },
        ],
    )
    assert [row["touchpoint"] for row in rows] == [
        "search-ads",
        "social-ads",
        "newsletter",
        "search-organic",
        "checkout",
    ]
    assert [row["phase"] for row in rows] == [None, None, None, None, "purchase"]
    assert reasons == [None] * 5


def test_unmatched_rows_are_quarantined_or_kept_as_unmapped() -> None:
    rule = [{"touchpoint": "search-ads", "when": [{"field": "utm_medium", "equals": "cpc"}]}]
    rows, reasons = mapped(WEB, touchpoints=rule)
    assert reasons == [None, NO_RULE, NO_RULE, NO_RULE, None]
    rows, reasons = mapped(WEB, touchpoints=rule, unmatched="keep")
    assert reasons == [None] * 5
    assert [row["touchpoint"] for row in rows] == [
        "search-ads",
        "unmapped",
        "unmapped",
        "unmapped",
        "search-ads",
    ]


def test_phase_column_wins_over_rule_phase_and_touchpoint_from_field() -> None:
    rows, _ = mapped(
        {
            "user": ["u1", "u2"],
            "when": ["2024-01-01", "2024-01-02"],
            "activity": ["demo", ""],
            "stage": ["consideration", ""],
        },
        columns={"person_id": "user", "timestamp": "when", "phase": "stage"},
        touchpoints=[
            {"touchpoint_from": "activity", "phase": "awareness"},
            {"touchpoint": "other"},
        ],
    )
    assert [(r["touchpoint"], r["phase"]) for r in rows] == [
        ("demo", "consideration"),
        ("other", None),
    ]


def test_conversion_value_with_decimal_comma_and_bad_values() -> None:
    rows, reasons = mapped(
        {
            "user": ["u1", "u2", "u3", "u4"],
            "when": ["2024-01-01"] * 4,
            "event": ["order", "order", "visit", "order"],
            "revenue": ["1.234,50", "19,99", "", "lots"],
        },
        columns={"person_id": "user", "timestamp": "when", "value": "revenue"},
        touchpoints=[{"touchpoint": "shop"}],
        conversion=[{"field": "event", "equals": "order"}],
    )
    assert [r["conversion"] for r in rows] == [True, True, False, True]
    assert [r["value"] for r in rows[:3]] == [1234.5, 19.99, None]
    assert reasons == [None, None, None, "unparseable value"]


def test_day_first_dates_detected_and_time_zone_applied() -> None:
    rows, reasons = mapped(
        {
            "user": ["u1", "u2", "u3", "u4"],
            "when": ["25-12-2017 10:00", "03-01-2018", "not a date", ""],
        },
        columns={"person_id": "user", "timestamp": "when", "timezone": "Europe/Copenhagen"},
        touchpoints=[{"touchpoint": "shop"}],
    )
    assert rows[0]["ts"] == datetime(2017, 12, 25, 9, 0, tzinfo=UTC)
    assert rows[1]["ts"] == datetime(2018, 1, 2, 23, 0, tzinfo=UTC)  # 3 January, not 1 March
    assert reasons == [None, None, "unparseable timestamp", "unparseable timestamp"]


def test_timestamp_from_two_columns_and_given_format() -> None:
    rows, _ = mapped(
        {"user": ["u1"], "day": ["2024/02/01"], "time": ["08.30"]},
        columns={
            "person_id": "user",
            "timestamp": ["day", "time"],
            "timestamp_format": "%Y/%m/%d %H.%M",
        },
        touchpoints=[{"touchpoint": "shop"}],
    )
    assert rows[0]["ts"] == datetime(2024, 2, 1, 8, 30, tzinfo=UTC)


def test_rows_without_time_and_without_id() -> None:
    rows, reasons = mapped(
        {"age": ["25", "41", "67", "n/a"], "job": ["admin.", "", "retired", "student"]},
        columns={"person_from_row": True, "timestamp_constant": "2010-01-01"},
        touchpoints=[{"touchpoint": "phone"}],
        bands=[{"field": "age", "name": "age_band", "edges": [18, 30, 40, 50, 60]}],
        keep=["job"],
    )
    assert [r["person_id"] for r in rows] == ["test:1", "test:2", "test:3", "test:4"]
    assert {r["ts"] for r in rows} == {datetime(2010, 1, 1, tzinfo=UTC)}
    assert [r["extra"] for r in rows] == [
        '{"job": "admin.", "age_band": "18-29"}',
        '{"job": "", "age_band": "40-49"}',
        '{"job": "retired", "age_band": "60+"}',
        '{"job": "student", "age_band": null}',
    ]
    assert reasons == [None] * 4


def test_missing_person_id_and_filter() -> None:
    _, reasons = mapped(
        {
            "user": ["u1", "", "u3"],
            "when": ["2024-01-01"] * 3,
            "lc": ["COMPLETE", "COMPLETE", "START"],
        },
        touchpoints=[{"touchpoint": "shop"}],
        only=[{"field": "lc", "equals": "COMPLETE"}],
    )
    assert reasons == [None, "missing person id", "filtered out"]


def test_spreadsheet_dates_turned_back_into_ranges() -> None:
    assert [repair_range(t) for t in ("May-20", "01-May", "20-50", "200+")] == [
        "5-20",
        "1-5",
        None,
        None,
    ]


def test_rules_that_do_not_fit_are_clear_errors() -> None:
    with pytest.raises(ValidationError, match="does not compile"):
        MappingRules.model_validate(
            {
                "columns": {"person_id": "u", "timestamp": "t"},
                "touchpoints": [{"touchpoint": "x", "when": [{"field": "a", "regex": "("}]}],
            }
        )
    with pytest.raises(ValidationError, match="RE2"):  # found before the import starts
        mapped(
            WEB,
            touchpoints=[{"touchpoint": "x", "when": [{"field": "event", "regex": "(?=order)"}]}],
        )
    with pytest.raises(RulesError, match=r"'campaign'.*available: user, when"):
        mapped(WEB, touchpoints=[{"touchpoint_from": "campaign"}])
    with pytest.raises(ValidationError, match="unknown time zone 'Mars/Olympus'"):
        mapped(
            WEB,
            columns={"person_id": "user", "timestamp": "when", "timezone": "Mars/Olympus"},
            touchpoints=[{"touchpoint": "x"}],
        )
    with pytest.raises(ValidationError, match="exactly one of person_id, person_from_row"):
        MappingRules.model_validate({"columns": {"timestamp": "t"}})


def test_a_yaml_boolean_matches_a_boolean_column_in_any_case() -> None:
    # Parquet and DataFrame booleans read as TRUE/FALSE; CSV exports write true or True.
    rows, reasons = mapped(
        {"user": ["u1", "u2", "u3", "u4"], "when": ["2024-03-01T10:00:00Z"] * 4,
         "paid": ["TRUE", "true", "False", "True"]},
        touchpoints=[{"touchpoint": "shop"}],
        conversion=[{"field": "paid", "equals": True}],
    )  # fmt: skip
    assert [r["conversion"] for r in rows] == [True, True, False, True]
    assert reasons == [None] * 4
    strict = MappingRules.model_validate(
        {
            "columns": {"person_id": "user", "timestamp": "when"},
            "conversion": [{"field": "paid", "in": [True], "case_sensitive": True}],
        }
    )
    assert strict.conversion[0].in_ == ["true"]  # as written: only "true" would match
    assert strict.conversion[0].case_sensitive is True
