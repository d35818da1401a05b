"""The settings files and variables: nested keys, typos, bad values and broken YAML are said.

Found running journeymap nightly (ops report, finding 3): ``paths: {top: 3}`` in
``journeymap.yaml`` was silently ignored, ``paths.topp`` and ``paths.top: many`` were accepted
(the latter failed later as ``top_paths='many'``), broken YAML gave a 90-line traceback on
every command, and ``JOURNEYMAP_PATHS_TOP=many`` answered in Python's words. ``journeymap
settings`` did not say where a value came from, nor show the language variable.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from journeymap.cli.app import app, console
from journeymap.cli.settings_cmd import load_all_settings
from journeymap.engine import JourneyOptions
from journeymap.errors import UsageError
from journeymap.examples import example_path
from journeymap.i18n import LOCALE_DIR
from journeymap.settings import REGISTRARS, SETTINGS, Setting, parse_size, resolve

ROOT = Path(__file__).resolve().parents[2]
WIDE = {"COLUMNS": "200", "JOURNEYMAP_LANG": "en"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder as the working directory, with a home of its own."""
    folder = tmp_path / "project"
    folder.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("HOME", str(home))
    for name in SETTINGS:
        monkeypatch.delenv(SETTINGS[name].env_var, raising=False)
    return folder


def _write(folder: Path, text: str) -> Path:
    path = folder / "journeymap.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(*args: str, **env: str) -> tuple[int, str]:
    saved = console._width
    console.width = 300  # the console was made before COLUMNS is set: widen it for the rows
    try:
        result = CliRunner().invoke(app, list(args), env={**WIDE, **env})
    finally:
        console._width = saved
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _rows(output: str) -> dict[str, list[str]]:
    """Each table row's name and the lines of its value cell."""
    rows: dict[str, list[str]] = {}
    name = ""
    for line in output.splitlines():
        cells = line.split("│")
        if len(cells) < 4:
            continue
        if cells[1].strip():
            name = cells[1].strip()
            rows[name] = []
        if name and cells[2].strip():
            rows[name].append(cells[2].strip())
    return rows


def test_nested_keys_work_like_dotted_keys(project: Path) -> None:
    _write(project, "settings:\n  paths:\n    top: 3\n  funnel:\n    conversion_window: 7d\n")
    options = JourneyOptions.from_settings()
    assert options.top_paths == 3
    assert options.conversion_window is not None and options.conversion_window.days == 7
    code, output = _run("settings")
    assert code == 0, output
    assert _rows(output)["paths.top"] == ["3", "default: 10", "(project file)"]
    _write(project, "settings:\n  paths.top: 4\n")
    assert JourneyOptions.from_settings().top_paths == 4


def test_a_mistyped_name_is_refused_with_file_line_column_and_a_suggestion(
    project: Path,
) -> None:
    _write(project, "settings:\n  paths.topp: 3\n")
    code, output = _run("settings")
    assert code == 2
    assert "journeymap.yaml:2:3: unknown setting 'paths.topp'; did you mean 'paths.top'?" in output
    _write(project, "settings:\n  paths:\n    topp: 3\n")
    code, output = _run("settings")
    assert code == 2
    assert "journeymap.yaml:3:5: unknown setting 'paths.topp'; did you mean 'paths.top'?" in output
    _write(project, "setings:\n  paths.top: 3\n")
    code, output = _run("settings")
    assert code == 2
    assert "journeymap.yaml:1:1: unknown setting 'setings'; did you mean 'settings'?" in output


def test_a_bad_value_is_refused_when_read_naming_the_setting(project: Path) -> None:
    _write(project, "settings:\n  paths:\n    top: many\n")
    expected = "journeymap.yaml:3:10: paths.top: 'many' is not a whole number"
    code, output = _run("settings")
    assert code == 2
    assert expected in output
    with pytest.raises(UsageError) as raised:
        JourneyOptions.from_settings()  # what analyze does: it failed as top_paths='many'
    assert str(raised.value) == expected
    assert "top_paths" not in str(raised.value)


def test_a_setting_given_twice_is_refused(project: Path) -> None:
    _write(project, "settings:\n  paths:\n    top: 3\n  paths.top: 4\n")
    code, output = _run("settings")
    assert code == 2
    assert "journeymap.yaml:4:14: paths.top is given twice (also at journeymap.yaml:3:10)" in output


def test_broken_yaml_is_a_located_error_for_every_command(project: Path) -> None:
    _write(project, "settings:\n  paths.top: [3\n")
    events = project / "events.csv"
    events.write_text("person_id,ts,touchpoint\np1,2025-01-01T10:00:00Z,web\n", encoding="utf-8")
    rules = str(example_path("payment-provider").with_name("payment-provider.rules.yaml"))
    commands = [
        ("settings",),
        ("validate", str(example_path("online-yoga"))),
        ("import", str(events), "--map", str(example_path("payment-provider")), "--rules", rules),
    ]
    for command in commands:
        done = subprocess.run(
            [sys.executable, "-m", "journeymap", *command],
            capture_output=True,
            text=True,
            env={**_environment(), **WIDE},
            check=False,
        )
        assert done.returncode == 2, (command, done.stderr)
        assert "Traceback" not in done.stderr
        assert done.stderr.startswith("Error: journeymap.yaml:3:1: YAML syntax error:"), (
            command,
            done.stderr,
        )
    assert not (project / "journeymap.duckdb").exists()  # refused before anything was done


def _environment() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if not key.startswith("JOURNEYMAP")}


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "JOURNEYMAP_FUNNEL_CONVERSION_WINDOW",
            "abc",
            "JOURNEYMAP_FUNNEL_CONVERSION_WINDOW='abc' is not a duration; write a number",
        ),
        ("JOURNEYMAP_PATHS_TOP", "many", "JOURNEYMAP_PATHS_TOP='many' is not a whole number"),
        ("JOURNEYMAP_CORRELATION_PRIOR", "x", "JOURNEYMAP_CORRELATION_PRIOR='x' is not a number"),
        (
            "JOURNEYMAP_ATTRIBUTION_U_WEIGHTS",
            "0.4,a,0.4",
            "JOURNEYMAP_ATTRIBUTION_U_WEIGHTS='0.4,a,0.4' is not a list of numbers separated by "
            "commas",
        ),
        (
            "JOURNEYMAP_PATHS_COLLAPSE_REPEATS",
            "maybe",
            "JOURNEYMAP_PATHS_COLLAPSE_REPEATS='maybe' is not a yes/no value",
        ),
    ],
)
def test_a_bad_variable_is_named_in_journeymaps_words(
    project: Path, variable: str, value: str, message: str
) -> None:
    code, output = _run("settings", **{variable: value})
    assert code == 2
    assert message in " ".join(output.split())
    assert "invalid literal" not in output and "could not convert" not in output


def test_a_size_is_read_as_a_size() -> None:
    setting = Setting("test.memory", None, "A size.", parse_size)
    assert setting.read(" 2 gb ") == "2GB" and setting.read("none") is None
    with pytest.raises(ValueError, match=r"^'lots' is not a size; .*such as 2GB or 500MB"):
        setting.read("lots")


def test_a_memory_limit_that_is_no_size_is_refused_when_read(project: Path) -> None:
    code, output = _run("settings", JOURNEYMAP_WORKSPACE_MEMORY_LIMIT="lots")
    assert code == 2
    assert "JOURNEYMAP_WORKSPACE_MEMORY_LIMIT='lots' is not a size" in output
    assert "such as 2GB or 500MB" in " ".join(output.split())


def test_settings_says_where_each_value_comes_from(project: Path) -> None:
    user = Path.home() / ".config" / "journeymap" / "config.yaml"
    user.parent.mkdir(parents=True)
    user.write_text("settings:\n  paths.top: 7\n  paths.sankey_steps: 4\n", encoding="utf-8")
    project_file = _write(project, "settings:\n  paths:\n    top: 3\n")
    code, output = _run("settings", JOURNEYMAP_CORRELATION_PRIOR="2")
    assert code == 0, output
    rows = _rows(output)
    assert rows["paths.top"] == ["3", "default: 10", "(project file)"]  # beats the user file
    assert rows["paths.sankey_steps"] == ["4", "default: 6", "(user file)"]
    assert rows["correlation.prior"] == ["2.0", "default: 1.0", "(environment)"]
    assert rows["correlation.confidence"] == ["0.95"]  # the default says nothing more
    assert f"Project file: {project_file}\n" in output
    assert f"User file: {user}\n" in output


def test_settings_lists_the_language_variable_with_its_value(project: Path) -> None:
    code, output = _run("settings", JOURNEYMAP_LANG="deutsch")
    assert code == 0, output
    assert _rows(output)["JOURNEYMAP_LANG"] == ["de", "(Umgebung)"]
    assert "Die Sprache der Kommandozeile: en, da oder de" in output
    code, output = _run("settings", JOURNEYMAP_LANG="", LANG="da_DK.UTF-8", LC_ALL="")
    assert _rows(output)["JOURNEYMAP_LANG"] == ["da", "(LANG)"]


def test_settings_help_is_in_the_users_language(project: Path) -> None:
    code, output = _run("settings", JOURNEYMAP_LANG="de")
    assert code == 0, output
    text = " ".join(output.split())
    assert "Wie viele häufigste Pfade vor der Gruppe Sonstige aufgeführt werden." in text
    assert "How many top paths" not in text
    code, output = _run("settings", JOURNEYMAP_LANG="da")
    assert "Markovkædens orden (1 til 4)." in output


@pytest.mark.parametrize("language", ["da", "de"])
def test_every_settings_help_is_translated(language: str) -> None:
    load_all_settings()
    with (LOCALE_DIR / language / "LC_MESSAGES" / "journeymap.po").open("rb") as handle:
        translated = {m.id for m in read_po(handle, locale=language) if m.id and m.string}
    missing = sorted(s.help for s in SETTINGS.values() if s.help not in translated)
    assert missing == [], f"add these settings' help texts to the {language} catalog: {missing}"


def test_the_registrars_register_every_setting() -> None:
    """A settings file's names are judged against REGISTRARS' settings: none may be missing."""
    load_all_settings()
    probe = (
        "import importlib, journeymap.settings as s\n"
        "for m in s.REGISTRARS: importlib.import_module(m)\n"
        "print(','.join(sorted(s.SETTINGS)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().split(",") == sorted(SETTINGS), REGISTRARS


def test_the_settings_reference_is_generated(project: Path) -> None:
    code, output = _run("settings", "--markdown")
    assert code == 0
    assert (ROOT / "docs" / "settings.md").read_text(encoding="utf-8") == output
    assert "`JOURNEYMAP_LANG`" in output and "paths:\n    top: 3" in output


def test_resolve_reads_a_nested_list_and_null(project: Path) -> None:
    _write(
        project,
        "settings:\n  analysis:\n    breakdown: [persona, region]\n"
        "  journeys.session_gap: null\n  paths.collapse_repeats: no\n",
    )
    assert resolve("analysis.breakdown") == ["persona", "region"]
    assert resolve("journeys.session_gap") is None
    assert resolve("paths.collapse_repeats") is False
