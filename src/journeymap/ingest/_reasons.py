"""The quarantine reasons the mapping rules give a row that cannot become an event."""

from __future__ import annotations

MISSING_ID = "missing person id"
BAD_TIMESTAMP = "unparseable timestamp"
BAD_VALUE = "unparseable value"
NO_RULE = "no rule matched"
FILTERED = "filtered out"
