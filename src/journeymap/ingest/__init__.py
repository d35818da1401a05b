"""Event import: readers, mapping rules, the workspace and the importer.

Every input row ends up either in the workspace's ``events`` table or in its ``quarantine``
table with a reason; :class:`ImportReport` accounts for each one.
"""

from __future__ import annotations

from journeymap.ingest.importer import import_events, row_keys
from journeymap.ingest.readers import FORMATS, detect_format, read_events
from journeymap.ingest.report import DUPLICATE, ImportReport
from journeymap.ingest.rules import MISSING_ID, NO_RULE, UNMAPPED, apply_rules
from journeymap.ingest.workspace import DEFAULT_URL, Workspace

__all__ = [
    "DEFAULT_URL",
    "DUPLICATE",
    "FORMATS",
    "MISSING_ID",
    "NO_RULE",
    "UNMAPPED",
    "ImportReport",
    "Workspace",
    "apply_rules",
    "detect_format",
    "import_events",
    "read_events",
    "row_keys",
]
