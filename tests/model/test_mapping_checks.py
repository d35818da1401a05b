"""Rules that ``journeymap validate`` passes must not fail at import: RE2 regexes, zones, formats.

The importer matches regexes with RE2 (pyarrow) and converts times with the IANA zone database;
validation used to compile regexes with Python's ``re`` and not look at the zone at all, so
``validate`` said "valid" to rules the import then refused.
"""

from __future__ import annotations

import random
import re
import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

import journeymap
from journeymap.cli.app import app
from journeymap.errors import RulesError, RulesValidationError
from journeymap.ingest import Workspace, import_events
from journeymap.model.mapping import Condition, MappingRules

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

MAP = """\
id: shop
name: Shop
phases:
  - {id: awareness, name: Awareness, order: 1}
touchpoints:
  - {id: social-ads, name: Social ads, phases: [awareness]}
  - {id: newsletter, name: Newsletter, phases: [awareness]}
"""

# Line 4 holds the zone, line 9 the regex (column 16), line 10 the case option.
RULES = """\
columns:
  person_id: user
  timestamp: when
  timezone: Europe/Copenhagen
touchpoints:
  - touchpoint: social-ads
    when:
      - field: utm_source
        regex: '^paid[^x]social'
        case_sensitive: true
  - touchpoint: newsletter
    when: [{field: utm_source, prefix: news}]
"""

EVENTS = (
    "user,when,utm_source\n"
    "u1,2025-03-01 10:00,paid_social\n"
    "u2,2025-03-01 11:00,PAID-SOCIAL\n"
    "u3,2025-03-01 12:00,paidxsocial\n"
    "u4,2025-03-01 13:00,newsletter\n"
)

RE2_REFUSES = "which RE2, the regex engine of the import, does not support: "


def _validate(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", str(path)], env={"JOURNEYMAP_LANG": "en"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _rules_file(folder: Path, rules: str) -> Path:
    path = folder / "rules.yaml"
    path.write_text(rules, encoding="utf-8")
    return path


BROKEN = [
    pytest.param(
        ("regex: '^paid[^x]social'", "regex: '^paid(?!x)social'"),
        "9:16: error: touchpoints[1].when[1].regex: regex '^paid(?!x)social' uses the negative "
        f"look-ahead '(?!' (position 5), {RE2_REFUSES}RE2 has no look-around or "
        "backreferences; match the text itself, e.g. [^x]",
        id="look-ahead",
    ),
    pytest.param(
        ("regex: '^paid[^x]social'", r"regex: '(paid)_\1'"),
        r"9:16: error: touchpoints[1].when[1].regex: regex '(paid)_\\1' uses the backreference "
        rf"'\1' (position 7), {RE2_REFUSES}RE2 has no look-around or backreferences; spell out "
        "the text the group matches, or list variants with |",
        id="backreference",
    ),
    pytest.param(
        (
            "regex: '^paid[^x]social'\n        case_sensitive: true",
            "regex: '(?<=paid)social'\n        case_sensitive: false",
        ),
        "9:16: error: touchpoints[1].when[1].regex: regex '(?<=paid)social' uses the "
        f"look-behind '(?<=' (position 0), {RE2_REFUSES}RE2 has no look-around or "
        "backreferences; match the text itself",
        id="look-behind-case-insensitive",
    ),
    pytest.param(
        ("timezone: Europe/Copenhagen", "timezone: Europe/Copenhagn"),
        "4:13: error: columns.timezone: unknown time zone 'Europe/Copenhagn' (did you mean "
        "'Europe/Copenhagen'?); use an IANA name such as 'Europe/Berlin' or 'UTC'",
        id="misspelt-zone",
    ),
    pytest.param(
        ("timezone: Europe/Copenhagen", "timezone: Europe/Copenhagen\n  timestamp_format: '%s.%f'"),
        "5:21: error: columns.timestamp_format: timestamp_format '%s.%f' uses %f (fractions of a "
        "second), which the importer's strptime cannot read; leave timestamp_format out, and "
        "ISO 8601 times with fractions are detected",
        id="fraction-directive",
    ),
]


@pytest.mark.parametrize(("change", "message"), BROKEN)
def test_validate_refuses_what_the_import_would_refuse_with_its_place(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    assert change[0] in RULES
    path = _rules_file(tmp_path, RULES.replace(*change))
    code, output = _validate(path)
    assert code == 1
    assert output.startswith("Error: the mapping rules file has 1 problem:\n")
    assert f"  {path}:{message} (at " in output
    # The same problem, at the same place, through the API.
    with pytest.raises(RulesValidationError) as raised:
        journeymap.load_rules(path)
    (issue,) = raised.value.issues
    line, column, _ = message.split(":", 2)
    assert (issue.location.line, issue.location.column) == (int(line), int(column))
    assert issue.message in message


def test_valid_re2_rules_validate_and_import_in_either_case(tmp_path: Path) -> None:
    map_path = tmp_path / "shop.yaml"
    map_path.write_text(MAP, encoding="utf-8")
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    matched = {}
    for case_sensitive in ("true", "false"):
        rules = RULES.replace("case_sensitive: true", f"case_sensitive: {case_sensitive}")
        path = _rules_file(tmp_path, rules)
        assert _validate(path) == (0, f"✓ {path} holds valid mapping rules\n")
        db = tmp_path / f"case-{case_sensitive}.duckdb"
        result = CliRunner().invoke(
            app,
            ["import", str(events), "--map", str(map_path), "--rules", str(path), "--db", str(db)],
            env={"JOURNEYMAP_LANG": "en"},
        )
        assert result.exit_code == 0, result.output
        with Workspace(f"duckdb:///{db}") as workspace:
            rows = workspace.events().order_by("person_id").to_pyarrow().to_pylist()
        matched[case_sensitive] = {row["person_id"]: row["touchpoint"] for row in rows}
    assert matched == {
        "true": {"u1": "social-ads", "u4": "newsletter"},  # u3 has the x the class excludes
        "false": {"u1": "social-ads", "u2": "social-ads", "u4": "newsletter"},
    }


def test_zones_formats_and_constants_the_import_cannot_read() -> None:
    columns = {"person_id": "user", "timestamp": "when"}
    for field, value, message in [
        ("timezone", "copenhagen", "'copenhagen' \\(did you mean 'Europe/Copenhagen'\\?\\)"),
        ("timezone", "Europe", "unknown time zone 'Europe'; use an IANA name"),
        ("timezone", "CEST", "unknown time zone 'CEST'; use"),  # not EST, 5 hours off
        ("timestamp_format", "%d.%m.%Y %Q", "has the unknown directive '%Q'"),
        ("timestamp_format", "day", "has no % directive"),
    ]:
        with pytest.raises(ValidationError, match=message):  # a regex
            MappingRules.model_validate({"columns": {**columns, field: value}})
    with pytest.raises(ValidationError, match="timestamp_constant '1st May' is not an ISO date"):
        MappingRules.model_validate(
            {"columns": {"person_from_row": True, "timestamp_constant": "1st May"}}
        )
    for fmt in ("ISO 8601", "%d.%m.%Y %H:%M:%S", "%Y%m%d", "%d/%b/%Y:%H:%M:%S %z", "%Od 100%%"):
        rules = MappingRules.model_validate({"columns": {**columns, "timestamp_format": fmt}})
        assert rules.columns.timestamp_format == fmt


def _import_accepts(pattern: str, ignore_case: bool) -> bool:
    """Whether the importer's RE2 (condition_mask's call) compiles ``pattern``."""
    try:  # RE2 compiles on first use: an empty array would compile nothing
        pc.match_substring_regex(pa.array([""]), pattern, ignore_case=ignore_case)
    except pa.ArrowInvalid:
        return False
    return True


def _validation_accepts(pattern: str, case_sensitive: bool) -> bool:
    try:
        Condition(field="f", regex=pattern, case_sensitive=case_sensitive)
    except RulesValidationError:
        return False
    return True


# Python reads these, and they read differently to RE2, or not at all.
PATTERNS = [
    *[r"^paid.*social$", r"(?i)^Paid", r"(?P<n>a)+", r"\d{2,4}", r"[[:alpha:]]+", r"a{1000}"],
    *[r"(?:a{10}){100}", r"[\x41-\x5a]", r"[\012]", r"\0", r"\123", r"[]a]", r"\b\B\A$"],
    *[r"(?=a)", r"(?!a)", r"(?<=a)", r"(?<!a)", r"(a)\1", r"(?P<n>a)(?P=n)", r"(?>a)", r"(?#c)"],
    *[r"(a)(?(1)b)", r"a*+", r"a{2}+", r"a{1001}", r"(?:a{10}){101}", r"(?:a{0}){1001}", r"\Z"],
    *[r"\u0041", r"\N{DIGIT ONE}", r"\é", r"[\b]", r"[\1]", r"(?x)a", r"(?a)\w", r"[[:alfa:]]"],
    *[r"[[:alpha:]", r"[1-[:digit:]]", r"[]-a[:alpha:]"],
]
TOKENS = [
    *"ab1é.^$|()[]{}*+?-:,\\=!<>P#i ",
    *["(?:", "(?i)", "(?x)", "(?P<n>", "(?P=n)", "(?=", "(?<!", "(?>", "{2}", "{2,}", "{101}"],
    *["{1000}", "[:alpha:]", "[:foo:]", "\\1", "\\12", "\\123", "\\Z", "\\u0041", "\\x41"],
]


def _random_patterns(count: int) -> list[str]:
    """``count`` random patterns Python compiles, the same ones on every run."""
    generator = random.Random(2025)
    compiled: list[str] = []
    while len(compiled) < count:
        text = "".join(generator.choices(TOKENS, k=generator.randint(1, 9)))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # "possible nested set"
                re.compile(text)
        except re.error:
            continue
        compiled.append(text)
    return compiled


@pytest.mark.parametrize("case_sensitive", [True, False])
def test_validation_accepts_exactly_the_regexes_the_import_compiles(case_sensitive: bool) -> None:
    patterns = PATTERNS + _random_patterns(3000)
    differ = [
        pattern
        for pattern in patterns
        if _validation_accepts(pattern, case_sensitive)
        # The pattern reaches the import as written, spaces included.
        != _import_accepts(pattern, ignore_case=not case_sensitive)
    ]
    # {,n}: Python repeats 0 to n times, RE2 reads the text "{,n}"; validation refuses it.
    assert [pattern for pattern in differ if "{," not in pattern] == []
    assert pc.match_substring_regex(pa.array(["a{,3}", "aa"]), "^a{,3}$").to_pylist() == [
        True,
        False,
    ]
    with pytest.raises(RulesValidationError, match=r"the count '\{,3\}' .*write \{0,3\}"):
        Condition(field="f", regex="a{,3}")


def test_a_pattern_too_large_for_re2_is_still_a_clear_import_error() -> None:
    """The one refusal validation cannot foresee: the size of RE2's compiled program."""
    pattern = "(?:" + "|".join(f".{{{count}}}" for count in range(900, 1000)) + ")"
    rules = MappingRules.model_validate(
        {
            "columns": {"person_id": "user", "timestamp": "when"},
            "touchpoints": [{"touchpoint": "x", "when": [{"field": "page", "regex": pattern}]}],
        }
    )
    table = pa.table({"user": ["u1"], "when": ["2025-03-01 10:00"], "page": ["/"]})
    advice = r"pattern too large.*; make it smaller: fewer alternatives"
    with Workspace("duckdb://") as workspace, pytest.raises(RulesError, match=advice):
        import_events(workspace, table, rules)


def test_rule_values_keep_their_spaces() -> None:
    """The model strips other texts; a regex ' $' became '$' and matched every value."""
    condition = Condition.model_validate({"field": "f", "regex": " $", "in": None})
    assert condition.regex == " $"
    assert Condition.model_validate({"field": "f", "in": [" x "]}).in_ == [" x "]
    assert Condition(field="f", prefix="/ ").prefix == "/ "
