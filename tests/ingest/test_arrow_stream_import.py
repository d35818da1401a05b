"""An Arrow stream (a RecordBatchReader, a DuckDB relation) imports as a table of it does."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from journeymap.examples import example_path
from journeymap.ingest import Workspace, import_events

RULES = str(example_path("payment-provider")).replace(".yaml", ".rules.yaml")
ROWS = pa.table(
    {
        "contact_id": ["c1", "c2", ""],
        "company_id": ["a", "a", "b"],
        "timestamp": ["2026-03-02T10:15:00+01:00", "2026-03-03T10:15:00+01:00", "2026-03-04"],
        "event": ["contract_signed", "qr_scan", "qr_scan"],
        "utm_source": ["", "insert", "insert"],
        "utm_medium": ["", "", ""],
        "crm_activity": ["", "", ""],
        "page_url": ["", "", ""],
        "deal_value": ["100", "", ""],
        "contact_role": ["", "", ""],
    }
)


def test_a_record_batch_reader_and_a_duckdb_relation_import_their_rows(tmp_path: Path) -> None:
    reader = pa.RecordBatchReader.from_batches(ROWS.schema, ROWS.to_batches())
    with Workspace(str(tmp_path / "reader.duckdb")) as workspace:
        report = import_events(workspace, reader, RULES)
    # The third row has no contact id: quarantined, not lost.
    assert (report.rows_read, report.rows_imported, report.rows_quarantined) == (3, 2, 1)
    con = duckdb.connect()
    con.register("rows", ROWS)
    with Workspace(str(tmp_path / "relation.duckdb")) as workspace:
        report = import_events(workspace, con.sql("SELECT * FROM rows"), RULES)
    assert (report.rows_read, report.rows_imported, report.rows_quarantined) == (3, 2, 1)
