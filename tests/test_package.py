"""The package's public surface: exact exports, a documented error tree, documented settings."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import journeymap
from journeymap import errors
from journeymap.cli.settings_cmd import load_all_settings
from journeymap.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent


def _import_everything() -> None:
    for module in pkgutil.walk_packages(journeymap.__path__, "journeymap."):
        if module.name.endswith("__main__"):
            continue
        importlib.import_module(module.name)


def test_public_names_are_exactly_all() -> None:
    public = {
        name for name in dir(journeymap) if not name.startswith("_") and name != "annotations"
    }
    modules = {name for name in public if inspect.ismodule(getattr(journeymap, name))}
    assert public - modules == set(journeymap.__all__) - {"__version__"}


def test_every_error_class_is_drawn_in_the_tree() -> None:
    doc = errors.__doc__ or ""
    classes = [
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, errors.JourneymapError)
    ]
    assert len(classes) >= 10
    for name in classes:
        assert name in doc, f"{name} is missing from the tree in errors.py's docstring"


def test_every_setting_is_documented() -> None:
    load_all_settings()
    documented = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert SETTINGS, "no settings registered"
    missing = [name for name in SETTINGS if f"`{name}`" not in documented]
    assert not missing, f"undocumented settings (add them to docs/settings.md): {missing}"
