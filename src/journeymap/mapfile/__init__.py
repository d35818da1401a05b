"""Map files: read and write journey maps as YAML or JSON, with located, actionable errors.

YAML is the primary format and keeps its comments through :class:`MapDocument`; JSON is
supported alike. Unsafe YAML (custom tags, alias bombs, oversized or too deep documents) is
refused before anything is constructed. :func:`map_json_schema` gives editors a JSON Schema.
"""

from __future__ import annotations

from journeymap.mapfile._document import MapDocument, load_map_document
from journeymap.mapfile._dump import dump_map, save_map
from journeymap.mapfile._load import (
    holds_rules,
    load_map,
    load_rules,
    loads_map,
    locate_rules_issues,
    rules_from,
)
from journeymap.mapfile._origins import locate_in_rules
from journeymap.mapfile._schema import map_json_schema

__all__ = [
    "MapDocument",
    "dump_map",
    "holds_rules",
    "load_map",
    "load_map_document",
    "load_rules",
    "loads_map",
    "locate_in_rules",
    "locate_rules_issues",
    "map_json_schema",
    "rules_from",
    "save_map",
]
