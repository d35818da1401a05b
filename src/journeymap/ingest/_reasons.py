"""The quarantine reasons the mapping rules give a row that cannot become an event."""

from __future__ import annotations

from journeymap.i18n import N_

MISSING_ID = "missing person id"
BAD_TIMESTAMP = "unparseable timestamp"
BAD_VALUE = "unparseable value"
NO_RULE = "no rule matched"
FILTERED = "filtered out"
# With ``events_per_row`` (and ``unmatched: quarantine``): a row none of whose entries holds.
NO_ENTRY = N_("no entry of events_per_row matched")
