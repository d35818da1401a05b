"""Values that are no finite number are quarantined, not stored (ops finding 2).

``NaN``, ``inf``, ``-inf`` and ``1e400`` (beyond a double: infinity) were stored as conversion
values; one such row of 900,000 turned every attribution share into ``NaN.0%`` and the
summary's value into null. They are quarantined as ``unparseable value`` now, and the import
says why: not a finite number.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from shop_files import FILTERS, MAP
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.ingest import Workspace, import_events
from journeymap.model.mapping import MappingRules
from journeymap.services.imports import import_notes

pytestmark = FILTERS

RULES = MappingRules.model_validate(
    {
        "columns": {"person_id": "person_id", "timestamp": "ts", "value": "value"},
        "touchpoints": [{"touchpoint_from": "touchpoint"}],
        "conversion": [{"field": "conversion", "equals": "true"}],
    }
)
# The tester's file: p2's and p4's to p6's conversions have values no number is.
CSV = (
    "person_id,account_id,ts,touchpoint,conversion,value\n"
    "p1,,2025-01-01T10:00:00Z,search-ads,false,\n"
    "p1,,2025-01-01T11:00:00Z,checkout,true,100\n"
    "p2,,2025-01-01T11:00:00Z,checkout,true,NaN\n"
    "p3,,2025-01-01T11:00:00Z,checkout,true,1.7e308\n"
    "p4,,2025-01-01T11:00:00Z,checkout,true,inf\n"
    "p5,,2025-01-01T11:00:00Z,checkout,true,-inf\n"
    "p6,,2025-01-01T11:00:00Z,checkout,true,1e400\n"
)


def _values(workspace: Workspace) -> list[float | None]:
    return workspace.events().order_by("person_id").value.to_pyarrow().to_pylist()


def test_nan_and_infinite_values_are_quarantined_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "nan.csv"
    path.write_text(CSV, encoding="utf-8")
    with Workspace(f"duckdb:///{tmp_path / 'ws.duckdb'}") as workspace:
        report = import_events(workspace, path, RULES)
        assert (report.rows_imported, report.quarantined) == (3, {"unparseable value": 4})
        assert report.value_not_finite == ("NaN", 4)
        assert _values(workspace) == [None, 100.0, 1.7e308]
        total = workspace.events().value.sum().execute()
        assert math.isfinite(total)
        raws = workspace.quarantine().order_by("row_number").raw.to_pyarrow().to_pylist()
        assert [json.loads(raw)["value"] for raw in raws] == ["NaN", "inf", "-inf", "1e400"]
    assert import_notes(report) == [
        "Note: conversion values that are no finite number (4; the first: 'NaN') were "
        "quarantined as unparseable value: NaN, infinity or a number beyond 1.8e308 would make "
        "every value figure NaN."
    ]


def test_a_typed_nan_of_a_parquet_file_is_quarantined_too(tmp_path: Path) -> None:
    path = tmp_path / "values.parquet"
    pq.write_table(
        pa.table(
            {
                "person_id": ["p1", "p2", "p3"],
                "ts": ["2025-01-01T10:00:00Z"] * 3,
                "touchpoint": ["checkout"] * 3,
                "conversion": ["true"] * 3,
                "value": pa.array([19.5, float("nan"), float("inf")], pa.float64()),
            }
        ),
        path,
    )
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, path, RULES)
        assert (report.rows_imported, report.quarantined) == (1, {"unparseable value": 2})
        assert _values(workspace) == [19.5]


def test_a_band_of_a_value_that_is_no_number_stays_empty() -> None:
    """``NaN`` compared below no edge, so its band was the last one (``60+``)."""
    bands = [{"field": "age", "name": "age_band", "edges": [30, 60]}]
    rules = MappingRules.model_validate({**RULES.model_dump(exclude_defaults=True), "bands": bands})
    table = pa.table(
        {
            "person_id": ["p1", "p2"],
            "ts": ["2025-01-01T10:00:00Z"] * 2,
            "touchpoint": ["checkout"] * 2,
            "conversion": ["false"] * 2,
            "value": ["", ""],
            "age": ["NaN", "61"],
        }
    )
    with Workspace("duckdb://") as workspace:
        import_events(workspace, table, rules)
        extras = workspace.events().order_by("person_id").extra.to_pyarrow().to_pylist()
        assert [json.loads(extra)["age_band"] for extra in extras] == [None, "60+"]


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "unparseable value"), ("da", "ulæselig værdi"), ("de", "Wert nicht lesbar")],
)
def test_the_import_command_counts_them(tmp_path: Path, language: str, label: str) -> None:
    (tmp_path / "events.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    rules = RULES.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    (tmp_path / "rules.yaml").write_text(json.dumps(rules), encoding="utf-8")
    args = ["import", str(tmp_path / "events.csv"), "--map", str(tmp_path / "map.yaml")]
    args += ["--rules", str(tmp_path / "rules.yaml"), "--db", str(tmp_path / "ws.duckdb")]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200", "JOURNEYMAP_LANG": language})
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert f"│ {label} (unparseable value) │ 4 │" in output or f"│ {label} │ 4 │" in output
