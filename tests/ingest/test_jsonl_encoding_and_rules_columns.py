"""JSON Lines not in UTF-8, and the rules' unknown columns located in the rules file.

Found in a user test: a latin-1 JSON Lines file stopped the import with a traceback
(``UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9 in position 8``), and the one
rules error without file:line:column was a column the events lack (``'contcat'``).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from shop_files import FILTERS, MAP
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import ReaderError, RulesError
from journeymap.ingest import Workspace, import_events, read_events

pytestmark = FILTERS

LATIN1_LINES = (
    '{"user": "u1", "when": "2024-02-01T10:00:00Z", "city": "Caf\xe9 Odense"}\n'
    '{"user": "u2", "when": "2024-02-01T11:00:00Z", "city": "K\xf8benhavn"}\n'
)
RULES = """\
columns: {person_id: user, timestamp: when}
touchpoints:
  - touchpoint: search-ads
    when:
      - field: city
        prefix: K
keep: [city]
unmatched: keep
"""


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "300", "JOURNEYMAP_LANG": "en"})
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture
def latin1(tmp_path: Path) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_bytes(LATIN1_LINES.encode("latin-1"))
    return path


def test_a_latin1_jsonl_file_is_refused_naming_the_line_the_byte_and_the_fix(
    latin1: Path, tmp_path: Path
) -> None:
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    code, output = invoke(
        "import", str(latin1), "--map", str(tmp_path / "map.yaml"),
        "--rules", str(tmp_path / "rules.yaml"), "--db", str(tmp_path / "ws.duckdb"),
    )  # fmt: skip
    assert code == 1, output
    assert output.startswith(
        f"Error: {latin1}: line 1, column 60: byte 0xe9 is not UTF-8, the encoding of JSON "
        "Lines files (read as cp1252:"
    ), output
    assert "Café Odense" in output and "--encoding cp1252" in output
    assert "Traceback" not in output and not (tmp_path / "ws.duckdb").exists()


def test_a_jsonl_file_is_read_in_the_encoding_given(latin1: Path) -> None:
    rules = {
        "columns": {"person_id": "user", "timestamp": "when"},
        "touchpoints": [{"touchpoint": "visit"}],
        "keep": ["city"],
    }
    with Workspace("duckdb://") as workspace:
        report = import_events(workspace, latin1, rules, encoding="latin-1")
        assert report.rows_imported == 2
        extras = workspace.events().order_by("person_id").extra.execute().tolist()
    assert extras == ['{"city": "Café Odense"}', '{"city": "København"}']


def test_a_wrong_encoding_given_is_said_as_such(latin1: Path) -> None:
    with pytest.raises(ReaderError, match=r"line 1, column 60: byte 0xe9 is not utf-8 text; "):
        list(read_events(latin1, encoding="utf-8"))


def test_utf16_with_its_mark_and_gzip_are_read_without_being_told(tmp_path: Path) -> None:
    text = '{"user": "u1", "city": "Århus"}\n{"user": "u2", "city": "Köln"}\n'
    utf16 = tmp_path / "utf16.jsonl"
    utf16.write_text(text, encoding="utf-16")
    packed = tmp_path / "events.jsonl.gz"
    packed.write_bytes(gzip.compress(text.encode("utf-8")))
    for path in (utf16, packed):
        rows = [row for batch in read_events(path) for row in batch.to_pylist()]
        assert [row["city"] for row in rows] == ["Århus", "Köln"], path


# 5. Unknown columns located in the rules file ------------------------------------------------

TYPO_RULES = """\
columns: {person_id: user, timestamp: when}
touchpoints:
  - touchpoint: search-ads
    when:
      - field: contcat
        equals: mail
"""


@pytest.fixture
def typo(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "map": tmp_path / "shop.yaml",
        "rules": tmp_path / "typo.yaml",
        "csv": tmp_path / "events.csv",
        "jsonl": tmp_path / "events.jsonl",
    }
    paths["map"].write_text(MAP, encoding="utf-8")
    paths["rules"].write_text(TYPO_RULES, encoding="utf-8")
    paths["csv"].write_text("user,when,contact\nu1,2024-02-01,mail\n", encoding="utf-8")
    paths["jsonl"].write_text(
        '{"user": "u1", "when": "2024-02-01", "contact": "mail"}\n', encoding="utf-8"
    )
    return paths


@pytest.mark.parametrize("events", ["csv", "jsonl"])
def test_a_column_the_events_lack_is_located_in_the_rules_file(
    typo: dict[str, Path], tmp_path: Path, events: str
) -> None:
    code, output = invoke(
        "import", str(typo[events]), "--map", str(typo["map"]), "--rules", str(typo["rules"]),
        "--db", str(tmp_path / "ws.duckdb"),
    )  # fmt: skip
    assert code == 1, output
    assert output.startswith(
        f"Error: {typo['rules']}:5:16: the mapping rules use column(s) 'contcat' that the "
        "events do not have; did you mean 'contact'?"
    ), output


def test_a_column_in_the_maps_own_mapping_is_located_in_the_map(
    typo: dict[str, Path], tmp_path: Path
) -> None:
    mapped = tmp_path / "mapped.yaml"
    rules = "".join(f"  {line}\n" for line in TYPO_RULES.splitlines())
    mapped.write_text(MAP + "mapping:\n" + rules, encoding="utf-8")
    code, output = invoke(
        "import", str(typo["csv"]), "--map", str(mapped), "--db", str(tmp_path / "ws.duckdb"),
        "--unmatched", "keep",
    )  # fmt: skip
    line = MAP.count("\n") + 1 + 5
    assert code == 1, output
    assert output.startswith(f"Error: {mapped}:{line}:18: the mapping rules use column(s)")


def test_rules_given_as_a_path_or_a_dict_in_python(typo: dict[str, Path]) -> None:
    with Workspace("duckdb://") as workspace:
        with pytest.raises(RulesError, match=rf"^{typo['rules']}:5:16: the mapping rules use"):
            import_events(workspace, typo["csv"], typo["rules"])
        plain = {
            "columns": {"person_id": "user", "timestamp": "when"},
            "touchpoints": [{"touchpoint": "x", "when": [{"field": "contcat", "equals": "a"}]}],
        }
        with pytest.raises(RulesError, match=r"^the mapping rules use column\(s\) 'contcat'"):
            import_events(workspace, typo["csv"], plain)
