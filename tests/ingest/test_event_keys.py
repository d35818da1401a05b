"""A row is its own values, whatever else its reader read with it: its key, its fields."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from journeymap.errors import RulesError
from journeymap.ingest import Workspace, _convert, _keys, import_events, importer, row_keys
from journeymap.model.mapping import MappingRules

pytestmark = pytest.mark.filterwarnings(
    r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"
)

RULES = MappingRules.model_validate(
    {
        "columns": {"person_id": "user", "timestamp": "when"},
        "touchpoints": [{"touchpoint_from": "event"}],
    }
)

XES_RULES = MappingRules.model_validate(
    {
        "columns": {"person_id": "case:concept:name", "timestamp": "time:timestamp"},
        "touchpoints": [{"touchpoint_from": "concept:name"}],
    }
)


def _jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


JANUARY = [
    {"user": "u1", "when": "2024-01-05T10:00:00Z", "event": "visit"},
    {"user": "u2", "when": "2024-01-09T11:00:00Z", "event": "visit"},
    {"user": "u1", "when": "2024-01-20T12:00:00Z", "event": "order"},
]
# The longer export repeats January and adds a February row with a field January lacks, on
# its first line: the reader's batch then has a `coupon` column, null for January's rows.
FEBRUARY = {"user": "u3", "when": "2024-02-01T09:00:00Z", "event": "order", "coupon": "SALE"}


def test_a_longer_export_with_a_new_field_adds_only_its_new_rows(tmp_path: Path) -> None:
    january = _jsonl(tmp_path / "january.jsonl", JANUARY)
    both = _jsonl(tmp_path / "january-february.jsonl", [FEBRUARY, *JANUARY])
    with Workspace("duckdb://") as workspace:
        import_events(workspace, january, RULES)
        report = import_events(workspace, both, RULES)
        assert (report.rows_read, report.rows_already_imported, report.rows_imported) == (4, 3, 1)
        assert workspace.events().count().execute() == 4


def test_keys_ignore_column_order_and_missing_values_but_not_empty_ones() -> None:
    narrow = pa.record_batch({"user": ["u1"], "when": ["t"]})
    wide = pa.record_batch({"when": ["t", "t"], "coupon": [None, ""], "user": ["u1", "u1"]})
    keys = row_keys(wide)
    assert keys[0] == row_keys(narrow)[0]
    assert keys[1] != keys[0]  # an empty coupon is a value


def test_a_rows_key_is_the_scheme_2_digest_of_its_named_values() -> None:
    """The keys stored by every earlier import: a row imported again must get the same one.

    Scheme 2 is BLAKE2b (16 bytes) of ``2 \x1d`` and, per non-null value in column-name
    order, ``name \x01 value \x1f``.
    """
    import hashlib

    batch = pa.record_batch(
        {"when": ["2024-01-05 10:00:00Z", "t"], "user": ["u1", None], "note": ["", "a\x1fb"]}
    )
    texts = [
        "note\x01\x1fuser\x01u1\x1fwhen\x012024-01-05 10:00:00Z\x1f",
        "note\x01a\x1fb\x1fwhen\x01t\x1f",
    ]

    assert row_keys(batch) == [
        hashlib.blake2b(b"2\x1d" + text.encode(), digest_size=16).hexdigest() for text in texts
    ]


def _event(name: str, extra: str = "") -> str:
    return (
        f'<event><string key="concept:name" value="{name}"/>{extra}'
        '<date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>'
    )


def test_an_xes_copy_read_after_a_new_attribute_appeared_is_a_duplicate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The XES reader adds a column when an attribute first appears, from that batch on."""
    monkeypatch.setattr("journeymap.ingest.readers.xes.BATCH_ROWS", 2)
    log = tmp_path / "log.xes"
    traces = [
        ("c1", _event("A") + _event("A")),  # an exact copy inside the first batch
        ("c2", _event("A", '<string key="channel" value="x"/>')),  # a new attribute
        ("c1", _event("A")),  # a copy of c1's event, read in the second batch
    ]
    log.write_text(
        '<?xml version="1.0" encoding="UTF-8" ?>\n<log xes.version="1.0">\n'
        + "".join(
            f'<trace><string key="concept:name" value="{case}"/>{events}</trace>\n'
            for case, events in traces
        )
        + "</log>\n",
        encoding="utf-8",
    )
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, log, XES_RULES)
        assert (report.rows_read, report.rows_imported, report.rows_duplicate) == (4, 2, 2)


def test_rows_an_older_journeymap_stored_are_known_by_their_older_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workspace filled before the keys left out missing values takes the same rows again."""
    january = _jsonl(tmp_path / "january.jsonl", JANUARY)
    both = _jsonl(tmp_path / "january-february.jsonl", [FEBRUARY, *JANUARY])
    db = tmp_path / "old.duckdb"
    with Workspace(f"duckdb:///{db}") as workspace:
        monkeypatch.setattr(_convert, "row_keys", _keys.legacy_row_keys)
        # An older journeymap had no same-event check: let the re-import double January.
        monkeypatch.setattr(importer, "SameEvents", lambda *args, **kwargs: None)
        import_events(workspace, january, RULES)
        import_events(workspace, both, RULES)  # the older keys doubled January here
        assert workspace.events().count().execute() == 7
        workspace.execute("UPDATE imports SET key_scheme = NULL")  # as an older import left it
        monkeypatch.undo()
    with Workspace(f"duckdb:///{db}") as workspace:
        again = import_events(workspace, both, RULES)
        assert (again.rows_already_imported, again.rows_imported) == (4, 0)
        assert again.file_already_imported
        once_more = import_events(workspace, january, RULES)
        assert (once_more.rows_already_imported, once_more.rows_imported) == (3, 0)
        assert workspace.events().count().execute() == 7


SPARSE_RULES = MappingRules.model_validate(
    {
        "columns": {"person_id": "user", "timestamp": "when"},
        "touchpoints": [
            {"touchpoint": "search-ads", "when": [{"field": "utm_medium", "equals": "cpc"}]},
            {"touchpoint_from": "event"},
        ],
        "keep": ["coupon"],
    }
)


def test_a_field_that_first_appears_in_a_later_batch_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A UTM field on the first campaign hit, after the first batch of a JSON Lines file."""
    monkeypatch.setattr("journeymap.ingest.readers.columnar.BATCH_ROWS", 2)
    later = [
        {"user": "u3", "when": "2024-02-01T09:00:00Z", "event": "visit", "utm_medium": "cpc"},
        {**FEBRUARY, "user": "u4"},
    ]
    source = _jsonl(tmp_path / "hits.jsonl", [*JANUARY, *later])
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, source, SPARSE_RULES)
        assert (report.rows_read, report.rows_imported) == (5, 5)
        assert report.touchpoints == {"visit": 2, "order": 2, "search-ads": 1}
        rows = workspace.events().order_by("row_number").to_pyarrow().to_pylist()
        assert [json.loads(row["extra"] or "{}").get("coupon") for row in rows] == [
            None,
            None,
            None,
            None,
            "SALE",
        ]


def test_a_field_no_row_has_is_refused_after_reading_and_nothing_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("journeymap.ingest.readers.columnar.BATCH_ROWS", 2)
    source = _jsonl(tmp_path / "hits.jsonl", [*JANUARY, FEBRUARY])
    misspelt = SPARSE_RULES.model_copy(update={"keep": ["cupon"]})
    with Workspace("duckdb://") as workspace:
        with pytest.raises(RulesError) as error:
            import_events(workspace, source, misspelt)
        assert str(error.value) == (
            "the mapping rules use column(s) 'cupon', 'utm_medium' that the events do not "
            "have; did you mean 'coupon' for 'cupon'? (available: user, when, event, coupon)"
        )
        assert workspace.events().count().execute() == 0
        assert workspace.imports().count().execute() == 0


def test_a_field_no_row_has_is_refused_before_the_rows_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column the first batch lacks is looked up in the file's bytes at once: a typo was
    said only after every row was read (34 s of BPIC 2012 into PostgreSQL), a field that
    appears later still imports."""
    monkeypatch.setattr("journeymap.ingest.readers.columnar.BATCH_ROWS", 2)
    read: list[int] = []
    source = _jsonl(tmp_path / "hits.jsonl", [*JANUARY, FEBRUARY])
    misspelt = RULES.model_copy(update={"keep": ["cupon"]})
    with Workspace("duckdb://") as workspace:
        with pytest.raises(RulesError, match=r"'cupon'.*did you mean 'coupon'"):
            import_events(workspace, source, misspelt, progress=read.append)
        assert read == []  # refused before the first batch was stored
        later = import_events(workspace, source, RULES.model_copy(update={"keep": ["coupon"]}))
        assert later.rows_imported == 4


def test_a_trace_attribute_of_an_xes_log_is_found_in_its_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``case:<key>`` columns come from trace attributes, written as ``key="<key>"``."""
    monkeypatch.setattr("journeymap.ingest.readers.xes.BATCH_ROWS", 2)
    log = tmp_path / "log.xes"
    traces = [("c1", _event("A") + _event("A")), ("c2", _event("A"))]
    log.write_text(
        '<?xml version="1.0" encoding="UTF-8" ?>\n<log xes.version="1.0">\n'
        + "".join(
            f'<trace><string key="concept:name" value="{case}"/>'
            + ('<string key="amount" value="5"/>' if case == "c2" else "")
            + f"{events}</trace>\n"
            for case, events in traces
        )
        + "</log>\n",
        encoding="utf-8",
    )
    with Workspace("duckdb://") as workspace:
        kept = XES_RULES.model_copy(update={"keep": ["case:amount"]})
        assert import_events(workspace, log, kept).rows_imported == 2
        typo = XES_RULES.model_copy(update={"keep": ["case:amuont"]})
        with pytest.raises(RulesError, match=r"'case:amuont'.*did you mean 'case:amount'"):
            import_events(workspace, log, typo, replace=True)
