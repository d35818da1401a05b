"""The map commands through the real typer app: output and exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app, console
from journeymap.examples import EXAMPLES, example_path
from journeymap.mapfile import load_map

runner = CliRunner()


@pytest.fixture
def console_80() -> Iterator[None]:
    """An 80-column console, whatever terminal the test run is attached to."""
    saved = console._width
    console.width = 80
    yield
    console._width = saved


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"JOURNEYMAP_LANG": "en", "COLUMNS": "80"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("template", ["b2b", "webshop", "classic4"])
@pytest.mark.parametrize("lang", ["en", "da", "de"])
def test_init_from_template_then_validate(tmp_path: Path, template: str, lang: str) -> None:
    target = tmp_path / f"{template}-{lang}.yaml"
    code, output = _run("init", str(target), "--template", template, "--lang", lang)
    assert code == 0, output
    assert "Created" in output
    journey_map = load_map(target)
    assert journey_map.language == lang
    assert journey_map.kind == ("b2b" if template == "b2b" else "b2c")
    assert journey_map.issues() == []
    assert len(journey_map.cells) == len(journey_map.phases)
    assert "# " in target.read_text(encoding="utf-8")  # the skeleton explains itself
    code, output = _run("validate", str(target))
    assert code == 0, output
    assert f"✓ {target} is a valid journey map" in output
    shop = {t.id: t.name for t in journey_map.touchpoints}.get("online-shop")
    if shop is not None:  # the catalog's "(B2B) online shop" in B2B maps only
        assert shop.startswith("(B2B") == (template == "b2b"), shop


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_init_copies_an_example_with_its_comments(tmp_path: Path, name: str) -> None:
    target = tmp_path / "copy.yaml"
    code, output = _run("init", str(target), "--example", name)
    assert code == 0, output
    assert target.read_text(encoding="utf-8") == example_path(name).read_text(encoding="utf-8")
    assert _run("validate", str(target))[0] == 0


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "map.yaml"
    target.write_text("keep me\n", encoding="utf-8")
    code, output = _run("init", str(target))
    assert code == 2
    assert "already exists" in output and "--force" in output
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert _run("init", str(target), "--force")[0] == 0
    assert load_map(target).phases


def test_init_rejects_unknown_template_and_example(tmp_path: Path) -> None:
    code, output = _run("init", str(tmp_path / "a.yaml"), "--template", "funnel")
    assert code == 2 and "b2b, webshop, classic4" in output
    code, output = _run("init", str(tmp_path / "b.yaml"), "--example", "bikes")
    assert code == 2 and "payment-provider" in output
    assert "Traceback" not in output


def test_validate_reports_every_problem_with_its_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: shop\n"
        "name: Shop\n"
        "phases:\n"
        "  - {id: awareness, name: Awareness}\n"
        "touchpoints:\n"
        "  - id: ads\n"
        "    name: Ads\n"
        "    phases: [awarness]\n"
        "cells:\n"
        "  - phase: awareness\n"
        "    persona: nobody\n",
        encoding="utf-8",
    )
    code, output = _run("validate", str(bad))
    assert code == 1
    assert f"{bad}:8:14" in output
    assert f"{bad}:11:14" in output
    assert "'awarness'" in output and "'nobody'" in output
    assert "Traceback" not in output


def test_validate_prints_warnings_but_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "warn.yaml"
    path.write_text(
        "id: shop\nname: Shop\nphases:\n  - {id: awareness, name: Awareness}\n"
        "  - {id: loyalty, name: Loyalty, order: 2}\n"
        "touchpoints:\n  - {id: ads, name: Ads, phases: [awareness]}\n",
        encoding="utf-8",
    )
    code, output = _run("validate", str(path))
    assert code == 0
    assert "1 warning:" in output and "warning(s)" not in output
    assert f"{path}:5:5: warning: phase 'loyalty' has no touchpoints" in output


@pytest.mark.parametrize(
    ("language", "one", "three"),
    [
        ("en", "1 warning:", "3 warnings:"),
        ("da", "1 advarsel:", "3 advarsler:"),
        ("de", "1 Warnung:", "3 Warnungen:"),
    ],
)
def test_validate_counts_warnings_in_singular_and_plural(
    tmp_path: Path, language: str, one: str, three: str
) -> None:
    phases = "phases:\n  - {id: awareness, name: A}\n  - {id: loyalty, name: L, order: 2}\n"
    one_warning = tmp_path / "one.yaml"
    one_warning.write_text(
        f"id: shop\nname: Shop\n{phases}"
        "touchpoints:\n  - {id: ads, name: Ads, phases: [awareness]}\n",
        encoding="utf-8",
    )
    three_warnings = tmp_path / "three.yaml"
    three_warnings.write_text(
        f"id: shop\nname: Shop\n{phases}touchpoints:\n  - {{id: ads, name: Ads, phases: []}}\n",
        encoding="utf-8",
    )
    env = {"JOURNEYMAP_LANG": language}
    result = runner.invoke(app, ["validate", str(one_warning)], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == one
    result = runner.invoke(app, ["validate", str(three_warnings)], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == three
    assert "(s)" not in result.output and "/" not in result.output.splitlines()[1]


def test_validate_missing_file_is_an_error_without_traceback(tmp_path: Path) -> None:
    code, output = _run("validate", str(tmp_path / "nope.yaml"))
    assert code == 1
    assert "Error:" in output and "nope.yaml" in output
    assert "Traceback" not in output


def test_validate_without_argument_is_a_usage_error() -> None:
    code, output = _run("validate")
    assert code == 2
    assert "Missing argument" in output


@pytest.mark.usefixtures("console_80")
def test_show_prints_every_phase_touchpoint_and_persona() -> None:
    path = example_path("payment-provider")
    code, output = _run("show", str(path))
    assert code == 0, output
    journey_map = load_map(path)
    flat = " ".join(output.split())
    header = next(line for line in output.splitlines() if "Awareness" in line)
    for phase in journey_map.phases:  # whole names on one line at 80 columns, not folded
        assert phase.name in header
    for touchpoint in journey_map.touchpoints:
        first_word = touchpoint.name.split()[0]
        assert first_word in flat, touchpoint.name
    assert "Katrin" in output and "gatekeeper" in output
    assert "-1.5 ▼▼" in output and "joins" in output
    assert "Pain points" in output
    assert max(len(line) for line in output.splitlines()) <= 80


@pytest.mark.usefixtures("console_80")
def test_show_breaks_lane_text_between_words_when_the_columns_have_room() -> None:
    from journeymap.services.maps import show_map

    path = example_path("online-yoga")
    code, output = _run("show", str(path))
    assert code == 0, output
    # The Decision column used to be one character short: "automaticall" / "y?".
    assert "automatically?" in output.split()
    view = show_map(path)
    tokens = set(output.replace("•", " ").split())
    for lane in view.lanes.values():
        for items in lane.values():
            for item in items[:2]:  # the items a cell shows before "(+N more)"
                missing = [word for word in item.split() if word not in tokens]
                assert not missing, (item, missing)
    assert max(len(line) for line in output.splitlines()) <= 80


def test_show_one_persona(tmp_path: Path) -> None:
    code, output = _run("show", str(example_path("payment-provider")), "--persona", "thomas")
    assert code == 0
    assert "Thomas" in output and "Katrin" not in output
    code, output = _run("show", str(example_path("payment-provider")), "--persona", "zoe")
    assert code == 2 and "(known: jonas, katrin, mia, sabine, thomas)" in output


def test_show_points_a_short_persona_id_to_the_full_one(tmp_path: Path) -> None:
    code, output = _run("show", str(example_path("payment-provider")), "--persona", "thom")
    assert code == 2
    assert output.strip() == (
        "Error: the map has no persona 'thom' (did you mean 'thomas'?); give --persona one of "
        "its ids"
    )
    result = runner.invoke(
        app,
        ["show", str(example_path("payment-provider")), "--persona", "thom"],
        env={"JOURNEYMAP_LANG": "da"},
    )
    assert "kortet har ingen persona 'thom' (mente du 'thomas'?)" in result.output


def test_diff_equal_and_different(tmp_path: Path) -> None:
    old = example_path("fashion-webshop")
    assert _run("diff", str(old), str(old)) == (0, "The maps are equal.\n")
    new = tmp_path / "new.yaml"
    text = old.read_text(encoding="utf-8").replace("name: Size guide", "name: Fit finder")
    new.write_text(text.replace("status: researched", "status: live"), encoding="utf-8")
    code, output = _run("diff", str(old), str(new))
    assert code == 1
    assert "~ touchpoints: size-guide (name)" in output
    assert "~ status: 'researched' -> 'live'" in output
    code, output = _run("diff", str(old), str(new), "--json")
    assert code == 1
    data = json.loads(output)
    assert data["map_fields"]["status"] == {"old": "researched", "new": "live"}
    assert data["changed"][0]["id"] == "size-guide"


def test_diff_reports_added_and_removed(tmp_path: Path) -> None:
    code, output = _run(
        "diff", str(example_path("online-yoga")), str(example_path("fashion-webshop"))
    )
    assert code == 1
    assert "+ phases: purchase" in output
    assert "- phases: attention" in output


def test_diff_exits_2_when_a_map_cannot_be_read(tmp_path: Path) -> None:
    # 1 means "they differ": a script must not take a broken or missing map for a change.
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: shop\nname: [unclosed\n", encoding="utf-8")
    code, output = _run("diff", str(example_path("online-yoga")), str(broken))
    assert code == 2
    assert f"{broken}:" in output and "Traceback" not in output
    code, output = _run("diff", str(tmp_path / "missing.yaml"), str(example_path("online-yoga")))
    assert code == 2
    assert "missing.yaml" in output


def test_validate_checks_a_rules_file_as_rules(tmp_path: Path) -> None:
    rules = example_path("payment-provider").with_name("payment-provider.rules.yaml")
    code, output = _run("validate", str(rules))
    assert code == 0
    assert output.startswith(f"✓ {rules} holds valid mapping rules")
    # A misspelt key is the rules' mistake, told against the rules' own fields.
    broken = tmp_path / "rules.yaml"
    broken.write_text(
        rules.read_text(encoding="utf-8").replace("\nconversion:", "\nconversoin:"),
        encoding="utf-8",
    )
    code, output = _run("validate", str(broken))
    assert code == 1
    text = " ".join(output.split())
    assert "unknown field 'conversoin' in the top level (did you mean 'conversion'?)" in text
    assert "missing the required field 'id'" not in text
    assert text.count(" error: ") == 1


def test_schema_is_json_and_can_be_written(tmp_path: Path) -> None:
    code, output = _run("schema")
    assert code == 0
    schema = json.loads(output)
    assert "phases" in schema["properties"]
    out = tmp_path / "schema.json"
    code, output = _run("schema", "--out", str(out))
    assert code == 0 and str(out) in output
    assert json.loads(out.read_text(encoding="utf-8")) == schema


def test_show_of_a_broken_file_names_the_position(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: shop\nname: [unclosed\n", encoding="utf-8")
    code, output = _run("show", str(broken))
    assert code == 1
    assert f"{broken}:" in output and "Traceback" not in output


def test_validate_checks_a_rules_file_against_a_map(tmp_path: Path) -> None:
    """Before, a rule naming a touchpoint the map lacks validated, and failed only at import."""
    journey_map = tmp_path / "map.yaml"
    _run("init", str(journey_map), "--example", "payment-provider")
    rules = tmp_path / "rules.yaml"
    text = (
        example_path("payment-provider")
        .with_name("payment-provider.rules.yaml")
        .read_text(encoding="utf-8")
    )
    rules.write_text(text, encoding="utf-8")
    code, output = _run("validate", str(rules), "--map", str(journey_map))
    assert code == 0, output
    rules.write_text(text.replace("touchpoint: demo\n", "touchpoint: demoo\n"), encoding="utf-8")
    assert _run("validate", str(rules))[0] == 0  # alone, the rules are well formed
    code, output = _run("validate", str(rules), "--map", str(journey_map))
    assert code == 1
    line = next(n for n, t in enumerate(rules.read_text().splitlines(), 1) if "demoo" in t)
    assert f"rules.yaml:{line}:17: error: touchpoint rule #2 assigns touchpoint 'demoo'" in output
    assert "(did you mean 'demo'?)" in output
    code, output = _run("validate", str(journey_map), "--map", str(journey_map))
    assert code == 2 and "--map goes with a mapping rules file" in output


def test_an_error_message_keeps_its_square_brackets(tmp_path: Path) -> None:
    """Rich read ``[a-z]`` in a message as markup and dropped it: ``^+(?=x)`` was shown."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "columns: {person_id: user, timestamp: when}\n"
        "touchpoints:\n"
        "  - touchpoint: ad\n"
        "    when: [{field: utm, regex: '^[a-z]+(?=x)'}]\n",
        encoding="utf-8",
    )
    code, output = _run("validate", str(rules))
    assert code == 1
    assert "regex '^[a-z]+(?=x)' uses the look-ahead" in " ".join(output.split())
