"""The registry of settings: every setting's name, default, help text and reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from journeymap._settings_values import _READERS

REGISTRARS = (
    "journeymap.attribution._settings",
    "journeymap.engine._options",
    "journeymap.ingest.workspace",
    "journeymap.mapfile._limits",
)
"""The modules that register settings: imported before a settings file's names are judged."""


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

    def read(self, text: str) -> Any:
        """The value written as ``text``, read by :attr:`parse` (``int``: a whole number).

        Raises:
            ValueError: (or :class:`UsageError`) for text the setting cannot read; the
                message says why in a user's words.
        """
        return _READERS.get(self.parse, self.parse)(text)


SETTINGS: dict[str, Setting] = {}


def register(setting: Setting) -> Setting:
    """Add a setting to the registry (idempotent for an identical re-registration)."""
    existing = SETTINGS.get(setting.name)
    if existing is not None and existing != setting:
        raise ValueError(f"setting {setting.name!r} registered twice with different values")
    SETTINGS[setting.name] = setting
    return setting
