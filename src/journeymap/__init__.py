"""journeymap: customer journey maps that are both designed and measured."""

from __future__ import annotations

from journeymap.errors import JourneymapError
from journeymap.model import JourneyMap, Persona, Phase, StageCell, Touchpoint

__all__ = [
    "JourneyMap",
    "JourneymapError",
    "Persona",
    "Phase",
    "StageCell",
    "Touchpoint",
    "__version__",
]

__version__ = "0.1.0"
