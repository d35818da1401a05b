"""Event import: readers, mapping rules, the workspace and the importer.

Every input row ends up either in the workspace's ``events`` table or in its ``quarantine``
table with a reason; :class:`ImportReport` accounts for each one. Quarantine reasons:
``missing person id``, ``unparseable timestamp``, ``unparseable value`` (no number, or no
finite one: ``NaN``, ``inf``, ``1e400``), ``no rule matched`` (unless ``unmatched: keep``,
which keeps the row as touchpoint ``unmapped``), ``filtered out`` (the rules' ``only``
conditions), ``exact duplicate`` (a later copy of an equal row), ``same event already
imported`` (a row whose event, equal in every mapped field, another row made: stored before,
or earlier in the input; neither of these two with ``duplicates: keep``) and ``malformed row``
(a CSV line with the wrong number of fields).

Sources without a person id or a time (survey-like files where one row is one journey) use
``columns.person_from_row`` (person = ``<source>:<row>``) and ``columns.timestamp_constant``;
the file order is kept in the events' ``row_number``, the stable tie-breaker.

Imports are atomic on DuckDB, PostgreSQL and SQLite (one transaction) and idempotent
everywhere: each row's ``event_key`` is a hash of its column names and raw values, and rows
whose key is already in the workspace are counted as already imported; the same events in
another export (other rows, the same mapped events) are quarantined as ``same event already
imported``. A row is never both an event and quarantined: an import that stores copies an
earlier one quarantined (``duplicates: keep``), or a line it had quarantined cut off, takes
them out of the quarantine. Each stored row also
records the fingerprint of the mapping rules that made it: rows imported before with other
rules keep their mapping and are counted (``rows_other_rules``), unless the import is asked to
``replace`` them, which maps them again and replaces their events and quarantine rows. On Ibis
engines not tried the rows are inserted table by table, so a failure midway can leave part of
an import behind; importing the file again completes it without doubling anything.
"""

from __future__ import annotations

import typing as _typing

from journeymap._lazy import lazy_names as _lazy_names

if _typing.TYPE_CHECKING:
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

# Imported on first use: an analysis of events already imported reads the workspace alone,
# not the readers, the rules and the importer (what the benchmark tasks import took
# 0.53-0.58 s so, 0.59-0.63 s before; six runs each).
_LAZY = {
    "DEFAULT_URL": "journeymap.ingest.workspace",
    "DUPLICATE": "journeymap.ingest.report",
    "FORMATS": "journeymap.ingest.readers",
    "MISSING_ID": "journeymap.ingest.rules",
    "NO_RULE": "journeymap.ingest.rules",
    "UNMAPPED": "journeymap.ingest.rules",
    "ImportReport": "journeymap.ingest.report",
    "Workspace": "journeymap.ingest.workspace",
    "apply_rules": "journeymap.ingest.rules",
    "detect_format": "journeymap.ingest.readers",
    "import_events": "journeymap.ingest.importer",
    "read_events": "journeymap.ingest.readers",
    "row_keys": "journeymap.ingest.importer",
}

__getattr__, __dir__ = _lazy_names(__name__, _LAZY, globals())
