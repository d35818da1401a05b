"""A settings file's names are judged without loading the engine: light commands stay light.

A ``journeymap.yaml`` naming a setting that the command had not registered (a typo, or an
attribution setting in ``journeymap validate``) made the command import every layer that
registers settings, the engine and the importer among them, only to judge the name.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from journeymap.cli.settings_cmd import load_all_settings
from journeymap.examples import example_path
from journeymap.settings import REGISTRARS, SETTINGS

# Runs journeymap's command line in a fresh interpreter and prints, after it, whether the
# engine and the importer were loaded.
PROBE = """
import sys
from journeymap.cli import main
try:
    main()
except SystemExit as done:
    print("exit", done.code)
print("engine", "journeymap.engine" in sys.modules, "ingest", "journeymap.ingest" in sys.modules)
"""


def _run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEYMAP")}
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        cwd=project,
        env={**environment, "HOME": str(project), "COLUMNS": "200", "JOURNEYMAP_LANG": "en"},
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


def test_validate_refuses_an_unknown_setting_without_loading_the_engine(project: Path) -> None:
    (project / "journeymap.yaml").write_text("settings:\n  paths.tops: 3\n", encoding="utf-8")
    done = _run(project, "validate", str(example_path("online-yoga")))
    assert "exit 2" in done.stdout
    assert (
        "Error: journeymap.yaml:2:3: unknown setting 'paths.tops'; did you mean 'paths.top'?"
        in done.stderr
    )
    assert "engine False ingest False" in done.stdout


def test_validate_with_settings_of_other_layers_loads_none_of_them(project: Path) -> None:
    (project / "journeymap.yaml").write_text(
        "settings:\n  attribution.half_life: 3d\n  paths:\n    top: 4\n  workspace.url: x.duckdb\n",
        encoding="utf-8",
    )
    done = _run(project, "validate", str(example_path("online-yoga")))
    assert "exit 0" in done.stdout, done.stderr
    assert "is a valid journey map" in done.stdout
    assert "engine False ingest False" in done.stdout


def test_a_bad_value_of_a_layer_not_loaded_is_refused_when_the_layer_reads_it(
    project: Path,
) -> None:
    (project / "journeymap.yaml").write_text("settings:\n  paths.top: many\n", encoding="utf-8")
    done = _run(project, "settings")
    assert "exit 2" in done.stdout
    assert "journeymap.yaml:2:14: paths.top: 'many' is not a whole number" in done.stderr


def test_the_list_of_names_is_what_each_module_registers() -> None:
    """Each registrar registers exactly the names the list gives it, and no setting is missing."""
    from journeymap._settings_registry import REGISTRAR_OF

    load_all_settings()
    assert sorted(REGISTRAR_OF) == sorted(SETTINGS)
    for module in REGISTRARS:
        probe = (
            "import importlib, journeymap.settings as s\n"
            f"importlib.import_module({module!r})\n"
            "print(','.join(sorted(s.SETTINGS)))"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        )
        registered = set(done.stdout.strip().split(","))
        listed = {name for name, owner in REGISTRAR_OF.items() if owner == module}
        assert listed <= registered, module
        assert importlib.import_module(module) is not None
