"""One registry of every setting, with name, default and help text.

Layers declare their settings here by calling :func:`register` at import time. Values resolve
in layers, later wins: packaged default < user config (``~/.config/journeymap/config.yaml``)
< project file (``journeymap.yaml`` in the working directory, key ``settings``) < environment
(``JOURNEYMAP_<NAME>``, upper case, dots as ``_``) < an explicit value (command line or API
argument). ``docs/settings.md`` documents every registered setting; a test keeps it complete.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from numbers import Integral, Real
from pathlib import Path
from typing import Any

from journeymap.errors import UsageError
from journeymap.i18n.messages import _

__all__ = [
    "SETTINGS",
    "Setting",
    "parse_bool",
    "parse_names",
    "register",
    "resolve",
    "settings_table",
]


@dataclass(frozen=True)
class Setting:
    """A named setting: its default, its help text and how to parse it from text."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env_var(self) -> str:
        """The environment variable that overrides it."""
        return "JOURNEYMAP_" + self.name.upper().replace(".", "_").replace("-", "_")


SETTINGS: dict[str, Setting] = {}


def register(setting: Setting) -> Setting:
    """Add a setting to the registry (idempotent for an identical re-registration)."""
    existing = SETTINGS.get(setting.name)
    if existing is not None and existing != setting:
        raise ValueError(f"setting {setting.name!r} registered twice with different values")
    SETTINGS[setting.name] = setting
    return setting


def _file_settings(path: Path) -> Mapping[str, Any]:
    if not path.is_file():
        return {}
    from ruamel.yaml import YAML

    loaded = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    section = loaded.get("settings", loaded) if isinstance(loaded, dict) else {}
    return section if isinstance(section, dict) else {}


def parse_names(text: str) -> list[str]:
    """Parse a comma-separated list of names (``"web, demo"`` -> ``["web", "demo"]``)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_bool(text: str) -> bool:
    """Parse yes/no, true/false, 1/0, on/off."""
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    # A user's value (an environment variable's): resolve() shows the message as the reason.
    raise ValueError(_("{text} is not a yes/no value").format(text=repr(text)))


def as_bool(value: Any) -> bool | None:
    """``value`` as a boolean, as a user may hand one over; None if it is none.

    True and False (NumPy's too), the integers 1 and 0, and the texts :func:`parse_bool` reads.

    Examples:
        >>> as_bool("no"), as_bool(1), as_bool(True), as_bool("maybe"), as_bool(2)
        (False, True, True, None, None)
    """
    if isinstance(value, str):
        try:
            return parse_bool(value)
        except ValueError:
            return None
    if isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", None) == "b":
        return bool(value)
    if isinstance(value, Integral) and value in (0, 1):
        return bool(value)
    return None


def as_whole_number(value: Any) -> int | None:
    """``value`` as an int: a whole number, or text or a float that is one; else None.

    A boolean is no number.

    Examples:
        >>> [as_whole_number(v) for v in (" 2 ", 7.0, 2.5, True)]
        [2, 7, None, None]
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, Integral):
        return int(value)
    number: Any = value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            try:
                number = float(value)
            except ValueError:
                return None
    if isinstance(number, Real):
        real = float(number)
        if math.isfinite(real) and real.is_integer():
            return int(real)
    return None


def resolve(name: str, explicit: Any = None, *, project_dir: Path | None = None) -> Any:
    """The value of setting ``name`` after applying every layer."""
    try:
        setting = SETTINGS[name]
    except KeyError:
        known = ", ".join(sorted(SETTINGS))
        raise UsageError(
            _("unknown setting {name}; known: {known}").format(name=repr(name), known=known)
        ) from None
    if explicit is not None:
        return explicit
    environment = os.environ.get(setting.env_var)
    if environment is not None:
        try:
            return setting.parse(environment)
        except ValueError as exc:
            raise UsageError(f"{setting.env_var}={environment!r}: {exc}") from None
    for path in (
        (project_dir or Path.cwd()) / "journeymap.yaml",
        Path.home() / ".config" / "journeymap" / "config.yaml",
    ):
        values = _file_settings(path)
        if name in values:
            return values[name]
    return setting.default


def written(value: Any) -> str:
    """A setting's value as a user writes it in an environment variable or a config file.

    Examples:
        >>> from datetime import timedelta
        >>> [written(v) for v in (None, True, ("decision",), timedelta(days=30), 0.95, [])]
        ['none', 'true', 'decision', '30d', '0.95', '']
    """
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
        for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
            if seconds and seconds % size == 0:
                return f"{int(seconds // size)}{unit}"
        return f"{seconds:g}s"
    if isinstance(value, list | tuple):
        return ",".join(written(item) for item in value)
    return str(value)


def settings_table() -> list[tuple[str, str, str, str]]:
    """(name, default as written, environment variable, help) for every setting, by name."""
    return [
        (s.name, written(s.default), s.env_var, s.help)
        for s in sorted(SETTINGS.values(), key=lambda s: s.name)
    ]


def settings_markdown() -> str:
    """The settings reference as Markdown (``docs/settings.md`` is generated from this)."""
    lines = [
        "# Settings",
        "",
        "Every setting journeymap reads, with its default and the environment variable that",
        "overrides it. Values resolve in layers, later wins: packaged default < user config",
        "(`~/.config/journeymap/config.yaml`) < project file (`journeymap.yaml`, key `settings`)",
        "< environment < command-line option or API argument.",
        "",
        "Regenerate with `journeymap settings --markdown > docs/settings.md`.",
        "",
        "| setting | default | environment variable | what it does |",
        "|---|---|---|---|",
    ]
    for name, default, env_var, text in settings_table():
        shown = f"`{default}`" if default else "(empty)"
        lines.append(f"| `{name}` | {shown} | `{env_var}` | {text} |")
    return "\n".join(lines) + "\n"
