"""One kind of condition everywhere in the rules: ``not_empty`` and the comparisons too.

``not_empty``, ``greater_than``, ``at_least``, ``less_than`` and ``at_most`` worked only in an
``events_per_row`` entry's ``when``; users write them in the rules' ``only``, in
``conversion`` and in a touchpoint rule's ``when`` as well. Checked on UCI Bank Marketing
(Moro, Laureano & Cortez, 2011; CC BY 4.0) against pandas on the raw CSV, and on small
exports with a decimal comma.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from shop_files import FILTERS
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import RulesValidationError
from journeymap.ingest import Workspace, import_events
from journeymap.ingest.rules import RuleState, apply_rules
from journeymap.model.mapping import Condition, MappingRules

pytestmark = FILTERS

# Each row is a client of the bank's phone campaign, without a date: one event per client.
BANK: dict[str, Any] = {
    "columns": {"person_from_row": True, "timestamp_constant": "2008-05-01"},
    "duplicates": "keep",  # the one repeated row is a client too, for pandas' count
}


@pytest.fixture(scope="module")
def bank_csv(datasets: Path) -> Path:
    return datasets / "uci-bank-marketing" / "bank-full.csv"


@pytest.fixture(scope="module")
def clients(bank_csv: Path) -> pd.DataFrame:
    """The raw CSV as pandas reads it: the independent count."""
    return pd.read_csv(bank_csv)


def test_only_keeps_the_calls_that_lasted(bank_csv: Path, clients: pd.DataFrame) -> None:
    rules = {
        **BANK,
        "only": [{"field": "duration", "greater_than": 0}],
        "touchpoints": [{"touchpoint_from": "contact"}],
        # Subscribed, with money in the account: the comparison reads "-1" and "0" too.
        "conversion": [{"field": "y", "equals": "yes"}, {"field": "balance", "greater_than": 0}],
    }
    lasted = clients[clients["duration"] > 0]
    assert len(clients) - len(lasted) == 3
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, bank_csv, rules)
    assert report.rows_read == len(clients) == 45_212
    assert report.quarantined == {"filtered out": 3}
    assert report.rows_imported == len(lasted)
    assert report.touchpoints == lasted["contact"].value_counts().to_dict()
    converted = (lasted["y"] == "yes") & (lasted["balance"] > 0)
    assert report.conversions == int(converted.sum()) == 4_787


def test_touchpoint_rules_on_the_number_of_calls(bank_csv: Path, clients: pd.DataFrame) -> None:
    rules = {
        **BANK,
        "touchpoints": [
            {"touchpoint": "persistent-calls", "when": [{"field": "campaign", "at_least": 3}]},
            {"touchpoint": "one-call", "when": [{"field": "campaign", "at_most": 1}]},
            {"touchpoint": "two-calls", "when": [{"field": "campaign", "less_than": 3}]},
        ],
        "conversion": [{"field": "y", "equals": "yes"}],
    }
    calls = clients["campaign"]
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, bank_csv, rules)
    assert report.touchpoints == {
        "persistent-calls": int((calls >= 3).sum()),
        "one-call": int((calls <= 1).sum()),
        "two-calls": int((calls == 2).sum()),
    }
    assert report.touchpoints["persistent-calls"] == 15_162
    assert report.quarantined == {}


def _mapped(rows: dict[str, list[str]], rules: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """(touchpoint, conversion) and the reason of each row."""
    batch = pa.RecordBatch.from_pydict({k: pa.array(v, pa.string()) for k, v in rows.items()})
    rules = {"columns": {"person_id": "user", "timestamp": "when"}, **rules}
    rules["columns"] = {**rules["columns"], **rules.pop("decimal", {})}
    found = apply_rules(
        batch, MappingRules.model_validate(rules), source="t", first_row=1, state=RuleState()
    )
    events = pa.table(found.columns).to_pylist()
    return [(e["touchpoint"], e["conversion"]) for e in events], found.reasons


ORDERS = {
    "user": ["u1", "u2", "u3", "u4", "u5", "u6"],
    "when": ["2024-03-01"] * 6,
    "amount": ["1,5", "2.500,75", "", "n/a", "0,99", " 12 "],
    "coupon": ["SPRING", "", " ", "SPRING", "", "X"],
}


def test_a_comparison_reads_the_decimal_comma_the_rules_name() -> None:
    rules: dict[str, Any] = {
        "decimal": {"decimal": ","},
        "only": [{"field": "amount", "at_least": 1.5}],
        "touchpoints": [{"touchpoint": "order"}],
        "conversion": [{"field": "amount", "greater_than": 1000}],
    }
    events, reasons = _mapped(ORDERS, rules)
    # 1,5 and 12 pass; 2.500,75 is 2500.75 (the point groups thousands); the empty amount
    # and n/a are no number and do not meet the comparison, nor does 0,99.
    assert reasons == [None, None, "filtered out", "filtered out", "filtered out", None]
    assert [e for e, r in zip(events, reasons, strict=True) if r is None] == [
        ("order", False),
        ("order", True),
        ("order", False),
    ]


def test_without_a_decimal_each_value_is_read_as_it_looks() -> None:
    rules: dict[str, Any] = {"only": [{"field": "amount", "less_than": 2}]}
    rules["touchpoints"] = [{"touchpoint": "order"}]
    _events, reasons = _mapped(ORDERS, rules)
    assert [r is None for r in reasons] == [True, False, False, False, True, False]
    # With decimal '.', 1,5 is no number: the comma groups thousands in threes.
    _events, reasons = _mapped(ORDERS, {**rules, "decimal": {"decimal": "."}})
    assert [r is None for r in reasons] == [False, False, False, False, False, False]


def test_not_empty_in_a_touchpoint_rule_and_in_only() -> None:
    rules: dict[str, Any] = {
        "only": [{"field": "amount", "not_empty": True}],
        "touchpoints": [
            {"touchpoint": "coupon", "when": [{"field": "coupon", "not_empty": True}]},
            {"touchpoint": "plain", "when": [{"field": "coupon", "not_empty": False}]},
        ],
    }
    events, reasons = _mapped(ORDERS, rules)
    assert reasons == [None, None, "filtered out", None, None, None]
    kept = [e[0] for e, r in zip(events, reasons, strict=True) if r is None]
    assert kept == ["coupon", "plain", "coupon", "plain", "coupon"]  # " " is empty


def test_every_test_is_described() -> None:
    described = [
        Condition.model_validate({"field": "duration", name: value}).describe()
        for name, value in [
            ("greater_than", 0),
            ("at_least", 2.5),
            ("less_than", 10),
            ("at_most", -1),
            ("not_empty", False),
            ("in", ["a", "b"]),
        ]
    ]
    assert described == [
        "duration > 0",
        "duration >= 2.5",
        "duration < 10",
        "duration <= -1",
        "duration is empty",
        "duration in ['a', 'b']",
    ]


def test_a_condition_in_only_needs_exactly_one_test() -> None:
    with pytest.raises(RulesValidationError) as caught:
        MappingRules(
            columns={"person_from_row": True, "timestamp_constant": "2019-01-01"},
            only=[{"field": "duration", "greater_than": 0, "not_empty": True}],
        )
    assert (
        "a condition on 'duration' needs exactly one of equals, in, prefix, regex, not_empty, "
        "greater_than, at_least, less_than, at_most (found not_empty, greater_than)"
    ) in str(caught.value)


BANK_MAP = """\
id: bank
name: Term deposits
phases: [{id: contact, name: Contact}]
touchpoints:
  - {id: persistent-calls, name: Three calls or more, phases: [contact]}
"""
RULES_HEAD = """\
columns: {person_from_row: true, timestamp_constant: '2008-05-01'}
touchpoints:
  - touchpoint: persistent-calls
"""


def _import(folder: Path, bank_csv: Path, rules_text: str) -> tuple[str, Path]:
    """Run ``journeymap import``: (exit code and output in one line, the rules file)."""
    (folder / "bank.yaml").write_text(BANK_MAP, encoding="utf-8")
    rules = folder / "rules.yaml"
    rules.write_text(rules_text, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            *("import", str(bank_csv), "--map", str(folder / "bank.yaml")),
            *("--rules", str(rules), "--db", str(folder / "ws.duckdb")),
        ],
        env={"JOURNEYMAP_LANG": "en", "COLUMNS": "300"},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert not (folder / "ws.duckdb").exists()  # nothing written
    return f"exit {result.exit_code}: {' '.join(result.output.split())}", rules


def test_a_comparison_with_true_is_located_in_a_touchpoint_rule(
    tmp_path: Path, bank_csv: Path
) -> None:
    text = RULES_HEAD + "    when: [{field: campaign, at_least: true}]\n"
    output, rules = _import(tmp_path, bank_csv, text)
    assert output.startswith("exit 1: ")
    assert (
        f"{rules}:4:40: error: touchpoints[1].when[1].at_least: a comparison needs a number "
        "such as 0, not true or false"
    ) in output


def test_two_tests_in_a_conversion_condition_are_located(tmp_path: Path, bank_csv: Path) -> None:
    text = RULES_HEAD + "conversion:\n  - {field: y, equals: 'yes', at_least: 1}\n"
    output, rules = _import(tmp_path, bank_csv, text)
    assert output.startswith("exit 1: ")
    assert (
        f"{rules}:5:5: error: conversion[1]: a condition on 'y' needs exactly one of equals, "
        "in, prefix, regex, not_empty, greater_than, at_least, less_than, at_most (found "
        "equals, at_least)"
    ) in output
