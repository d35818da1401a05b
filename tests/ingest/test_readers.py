"""Readers: every format arrives as text columns with the values as written."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeymap.errors import ReaderError
from journeymap.ingest import read_events


def rows(source: object, **options: object) -> list[dict[str, str | None]]:
    batches = list(read_events(source, **options))  # type: ignore[arg-type]
    return pa.Table.from_batches(batches).to_pylist()


def test_csv_with_semicolons_and_quoted_fields(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text('user;note;amount\nu1;"a; b";"1,5"\nu2;"say ""hi""";2\n', encoding="utf-8")
    assert rows(path) == [
        {"user": "u1", "note": "a; b", "amount": "1,5"},
        {"user": "u2", "note": 'say "hi"', "amount": "2"},
    ]


def test_csv_with_commas_keeps_leading_zeros_and_empty_values(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("user,zip,origin\n007,01234,\n", encoding="utf-8")
    assert rows(path) == [{"user": "007", "zip": "01234", "origin": ""}]


def test_excel_delimiter_line_is_read_as_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes("\ufeffsep=;\r\nuser;amount\r\nu1;1,5\r\n".encode())
    assert rows(path) == [{"user": "u1", "amount": "1,5"}]


def test_csv_whose_every_line_is_malformed_is_refused(tmp_path: Path) -> None:
    """Data lines that end in a delimiter the header lacks: no row, so no silent import."""
    path = tmp_path / "events.csv"
    path.write_text("user;when;event\nu1;2024-01-01;visit;\nu2;2024-01-02;visit;\n")
    with pytest.raises(ReaderError) as error:
        rows(path, on_malformed=lambda line: None)
    assert str(error.value) == (
        f"{path}: no line has the header's 3 fields (';'-separated: user, when, event); all 2 "
        "lines after it are malformed, the first with 4: 'u1;2024-01-01;visit;'. Check the "
        "delimiter, and that the header is the file's first line"
    )


def test_jsonl_whose_every_line_is_malformed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("user,when\nu1,2024-01-01\n")
    with pytest.raises(ReaderError, match=r"no line is a JSON object: all 2 lines are malformed"):
        rows(path, on_malformed=lambda line: None)


def test_csv_in_cp1252_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes("kunde,stadt\nk1,Köln €\n".encode("cp1252"))
    assert rows(path) == [{"kunde": "k1", "stadt": "Köln €"}]


def test_csv_with_byte_order_mark_has_clean_header(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes("\ufeffuser,event\nu1,visit\n".encode())
    assert rows(path) == [{"user": "u1", "event": "visit"}]


def test_gzipped_csv_is_sniffed_and_read_like_the_plain_file(tmp_path: Path) -> None:
    path = tmp_path / "events.csv.gz"
    text = 'kunde;stadt;betrag\nk1;Köln €;"1,5"\nk2;Århus;2\n'
    path.write_bytes(gzip.compress(text.encode("cp1252")))
    assert rows(path) == [
        {"kunde": "k1", "stadt": "Köln €", "betrag": "1,5"},
        {"kunde": "k2", "stadt": "Århus", "betrag": "2"},
    ]


def test_tsv_by_extension_and_by_format(tmp_path: Path) -> None:
    path = tmp_path / "events.tsv"
    path.write_text("user\tevent\nu1\tvisit, then left\n", encoding="utf-8")
    expected = [{"user": "u1", "event": "visit, then left"}]
    assert rows(path) == expected
    other = tmp_path / "events.data"
    other.write_text("user\tevent\nu1\tvisit, then left\n", encoding="utf-8")
    assert rows(other, format="tsv") == expected


def test_parquet_values_become_text(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(pa.table({"user": ["u1"], "amount": [2.5], "won": [True]}), path)
    assert rows(path) == [{"user": "u1", "amount": "2.5", "won": "TRUE"}]


def test_jsonl_with_missing_keys_and_nested_values(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text('{"user": "u1", "n": 3}\n\n{"user": "u2", "tags": ["a"]}\n', encoding="utf-8")
    assert rows(path) == [
        {"user": "u1", "n": "3", "tags": None},
        {"user": "u2", "n": None, "tags": '["a"]'},
    ]


def test_jsonl_bad_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text('{"user": "u1"}\n{"user": \n', encoding="utf-8")
    with pytest.raises(ReaderError, match="line 2"):
        rows(path)


def test_jsonl_bad_lines_go_to_the_callback_when_given(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text('{"user": "u1"}\n{"user": \n[1, 2]\n{"user": "u2"}\n', encoding="utf-8")
    bad: list[str] = []
    batches = list(read_events(path, on_malformed=bad.append))
    assert [row for batch in batches for row in batch.to_pylist()] == [
        {"user": "u1"},
        {"user": "u2"},
    ]
    assert bad == ['{"user": ', "[1, 2]"]


def test_a_cut_off_gzip_file_is_a_reader_error(tmp_path: Path) -> None:
    whole = gzip.compress(b"user,n\n" + b"".join(b"u%d,%d\n" % (i, i) for i in range(50_000)))
    path = tmp_path / "events.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ReaderError, match="cannot decompress the file"):
        rows(path)


XES = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <global scope="event"><string key="concept:name" value="UNKNOWN"/></global>
  <float key="meta:stats" value="1.0"><float key="nested" value="2.0"/></float>
  <trace>
    <string key="concept:name" value="case-1"/>
    <string key="AMOUNT_REQ" value="5000"/>
    <event>
      <string key="concept:name" value="A_SUBMITTED"/>
      <string key="lifecycle:transition" value="COMPLETE"/>
      <date key="time:timestamp" value="2011-10-01T00:38:44.546+02:00"/>
      <string key="org:resource" value="112"/>
    </event>
    <event>
      <string key="concept:name" value="A_APPROVED"/>
      <string key="lifecycle:transition" value="COMPLETE"/>
      <date key="time:timestamp" value="2011-10-02T10:00:00.000+02:00"/>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="case-2"/>
    <event>
      <string key="concept:name" value="A_SUBMITTED"/>
      <date key="time:timestamp" value="2011-10-03T09:00:00.000+02:00"/>
    </event>
  </trace>
</log>
"""


@pytest.mark.parametrize("name", ["log.xes", "log.xes.gz"])
def test_xes_rows_are_events_with_trace_attributes(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    data = XES.encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    read = rows(path)
    assert [(r["case:concept:name"], r["concept:name"]) for r in read] == [
        ("case-1", "A_SUBMITTED"),
        ("case-1", "A_APPROVED"),
        ("case-2", "A_SUBMITTED"),
    ]
    assert read[0]["case:AMOUNT_REQ"] == "5000"
    assert read[0]["org:resource"] == "112"
    assert read[2]["case:AMOUNT_REQ"] is None  # trace attributes do not leak between traces
    assert "nested" not in read[0] and "meta:stats" not in read[0]


def test_truncated_xes_is_a_reader_error(tmp_path: Path) -> None:
    path = tmp_path / "log.xes"
    path.write_text(XES[: len(XES) // 2], encoding="utf-8")
    with pytest.raises(ReaderError, match="not a readable XES log"):
        rows(path)


def test_dataframes_and_arrow_tables() -> None:
    expected = [{"user": "u1", "n": "1"}, {"user": "u2", "n": "2"}]
    assert rows(pd.DataFrame({"user": ["u1", "u2"], "n": [1, 2]})) == expected
    assert rows(pl.DataFrame({"user": ["u1", "u2"], "n": [1, 2]})) == expected
    assert rows(pl.LazyFrame({"user": ["u1", "u2"], "n": [1, 2]})) == expected
    assert rows(pa.table({"user": ["u1", "u2"], "n": [1, 2]})) == expected


def test_unknown_inputs_are_reader_errors(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match="cannot tell the format"):
        rows(tmp_path / "events.xlsx")
    with pytest.raises(ReaderError, match="file not found"):
        rows(tmp_path / "missing.csv")
    with pytest.raises(ReaderError, match="cannot read events from a dict"):
        rows({"user": ["u1"]})
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ReaderError, match="empty"):
        rows(empty)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_utc_times_become_the_text_arrow_writes_to_the_byte(tmp_path: Path, unit: str) -> None:
    """UTC times take a fast path to text; the rows' keys are made of that text, so it must be
    Arrow's own: the same bytes for every unit, before 1970, at the ends of the range, and
    missing values, from an Arrow table and from a Parquet file."""
    import numpy as np
    import pyarrow.compute as pc

    per_second = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]
    # 1677-09-22 to 2262-04-11 fit every unit (nanoseconds' range), with their fractions.
    low, high = -9_223_372_036 * per_second, 9_223_372_036 * per_second
    values = np.random.default_rng(7).integers(low, high, 20_000).tolist()
    values += [0, -1, 1, low, high, per_second * 951_782_400, None]  # 2000-02-29
    table = pa.table({"ts": pa.array(values, pa.timestamp(unit, tz="UTC"))})
    pq.write_table(table, tmp_path / "times.parquet")
    # Parquet has no seconds: such times come back in milliseconds.
    stored = pq.read_table(tmp_path / "times.parquet").column("ts")

    for source, column in ((table, table.column("ts")), (tmp_path / "times.parquet", stored)):
        read = [row["ts"] for row in rows(source)]

        assert read == pc.cast(column, pa.string()).to_pylist()
        assert read[-2].startswith("2000-02-29 00:00:00")
        assert read[-2].endswith("Z")
        assert read[-1] is None
