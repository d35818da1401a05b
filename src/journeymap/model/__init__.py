"""The domain model: journey maps, phases, personas, touchpoints, cells, evidence, rules.

Pure: no file, network or database access. Everything validates on construction.
"""

from __future__ import annotations

from journeymap.model._base import ID_PATTERN, ascii_id
from journeymap.model.cells import KPI, Emotion, StageCell
from journeymap.model.diff import ElementChange, ElementRename, MapDiff, diff_maps
from journeymap.model.evidence import EvidenceSource
from journeymap.model.journey_map import JourneyMap
from journeymap.model.mapping import (
    AgeBand,
    ColumnMapping,
    Condition,
    MappingRules,
    TouchpointRule,
)
from journeymap.model.personas import BuyingCenterRole, Persona
from journeymap.model.phases import PHASE_TEMPLATES, Phase, phase_template
from journeymap.model.touchpoints import CATALOG, CatalogEntry, Touchpoint, catalog_touchpoint
from journeymap.model.validation import UNMAPPED, did_you_mean, suggestion, validate_map

__all__ = [
    "CATALOG",
    "ID_PATTERN",
    "KPI",
    "PHASE_TEMPLATES",
    "UNMAPPED",
    "AgeBand",
    "BuyingCenterRole",
    "CatalogEntry",
    "ColumnMapping",
    "Condition",
    "ElementChange",
    "ElementRename",
    "Emotion",
    "EvidenceSource",
    "JourneyMap",
    "MapDiff",
    "MappingRules",
    "Persona",
    "Phase",
    "StageCell",
    "Touchpoint",
    "TouchpointRule",
    "ascii_id",
    "catalog_touchpoint",
    "did_you_mean",
    "diff_maps",
    "phase_template",
    "suggestion",
    "validate_map",
]
