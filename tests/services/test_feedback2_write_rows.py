"""The quarantine listings' shared helpers: ``write_rows`` and ``stored_name``.

``journeymap quarantine`` and ``journeymap feedback quarantine`` write their rows and resolve
``--source`` with the same public helpers of :mod:`journeymap.services.quarantine`; an Arrow
table already read (the feedback's fixable rows) and an Ibis table (the events' quarantine)
are both written as they are.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from journeymap.errors import UsageError
from journeymap.services.quarantine import stored_name, write_rows

ROWS = pa.table(
    {
        "source": ["web.csv", "web.csv", "crm.csv"],
        "row_number": pa.array([3, 9, 1], pa.int64()),
        "reason": ["no rule matched", "exact duplicate", "malformed row"],
    }
)


@pytest.mark.parametrize("given", ["arrow", "ibis"])
@pytest.mark.parametrize("out_format", ["csv", "parquet"])
def test_an_arrow_table_and_an_ibis_table_are_written_alike(
    given: str, out_format: str, tmp_path: Path
) -> None:
    rows = ROWS if given == "arrow" else ibis.memtable(ROWS)
    path = tmp_path / "new" / f"rows.{out_format}"
    assert write_rows(rows, path, out_format) == 3
    read = pacsv.read_csv(path) if out_format == "csv" else pq.read_table(path)
    assert read.to_pylist() == ROWS.to_pylist()


def test_a_file_where_a_folder_should_be_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("a file", encoding="utf-8")
    with pytest.raises(UsageError, match=r"cannot write .*rows\.csv: .*out is a file, not a"):
        write_rows(ROWS, tmp_path / "out" / "rows.csv")


def test_stored_name_takes_a_path_to_the_file_and_suggests_the_one_meant() -> None:
    assert stored_name("exports/web.csv", ["crm.csv", "web.csv"], "web.csv") == "web.csv"
    with pytest.raises(UsageError, match=r"did you mean 'web\.csv'\? \(there are: 'crm"):
        stored_name("wbe.csv", ["crm.csv", "web.csv"], "wbe.csv")
