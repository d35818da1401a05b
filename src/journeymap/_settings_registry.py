"""The registry of settings: every setting's name, default, help text and reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from journeymap._settings_values import _READERS

# Every setting's name, by the module that registers it. A settings file's names are judged
# against this list, not against the registry: to know every registered name, a command that
# reads one setting imported every layer (the engine and the importer, seconds for
# ``journeymap validate``). A test keeps the list equal to what the modules register.
_NAMES_BY_REGISTRAR: dict[str, tuple[str, ...]] = {
    "journeymap.attribution._settings": (
        "attribution.conversion_touch",
        "attribution.decision_phases",
        "attribution.direct_touchpoints",
        "attribution.half_life",
        "attribution.lead_phases",
        "attribution.lookback",
        "attribution.markov_order",
        "attribution.shapley_cap",
        "attribution.u_weights",
    ),
    "journeymap.analysis._steps": ("analysis.threads",),
    "journeymap.engine._options": (
        "analysis.breakdown",
        "analysis.separate_breakdowns",
        "analysis.since",
        "analysis.until",
        "correlation.confidence",
        "correlation.min_support",
        "correlation.prior",
        "dropoff.checkout",
        "funnel.conversion_window",
        "funnel.ordering",
        "funnel.touchpoints",
        "journeys.after_conversion",
        "journeys.by",
        "journeys.session_gap",
        "paths.collapse_repeats",
        "paths.sankey_steps",
        "paths.top",
    ),
    "journeymap.ingest.workspace": ("workspace.memory_limit", "workspace.url"),
    "journeymap.mapfile._limits": ("mapfile.max_bytes",),
}

REGISTRARS = tuple(_NAMES_BY_REGISTRAR)
"""The modules that register settings (``journeymap settings`` imports them all)."""

REGISTRAR_OF: dict[str, str] = {
    name: module for module, names in _NAMES_BY_REGISTRAR.items() for name in names
}
"""Every setting's name -> the module that registers it, known without importing it."""


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
