"""The workspace's tables: their columns, and the columns an older workspace lacks."""

from __future__ import annotations

from journeymap.errors import WorkspaceError
from journeymap.i18n.messages import _

EVENTS_SCHEMA: dict[str, str] = {
    "person_id": "VARCHAR NOT NULL",
    "account_id": "VARCHAR",
    "ts": "TIMESTAMPTZ NOT NULL",
    "touchpoint": "VARCHAR NOT NULL",
    "phase": "VARCHAR",
    "persona": "VARCHAR",
    "conversion": "BOOLEAN NOT NULL",
    "value": "DOUBLE",
    "source": "VARCHAR NOT NULL",
    "event_key": "VARCHAR NOT NULL",
    "row_number": "BIGINT NOT NULL",
    "extra": "VARCHAR",
    "rules_fingerprint": "VARCHAR",
}
QUARANTINE_SCHEMA: dict[str, str] = {
    "source": "VARCHAR NOT NULL",
    "row_number": "BIGINT NOT NULL",
    "reason": "VARCHAR NOT NULL",
    "raw": "VARCHAR NOT NULL",
    "event_key": "VARCHAR NOT NULL",
    "rules_fingerprint": "VARCHAR",
}
IMPORTS_SCHEMA: dict[str, str] = {
    "source": "VARCHAR NOT NULL",
    "fingerprint": "VARCHAR NOT NULL",
    "imported_at": "TIMESTAMPTZ NOT NULL",
    "rows_read": "BIGINT NOT NULL",
    "rows_imported": "BIGINT NOT NULL",
    "rows_quarantined": "BIGINT NOT NULL",
    "rows_duplicate": "BIGINT NOT NULL",
    "rules_fingerprint": "VARCHAR",
    "rows_replaced": "BIGINT",
    "key_scheme": "BIGINT",
    "events_quarantined": "BIGINT",
}
TABLES = {"events": EVENTS_SCHEMA, "quarantine": QUARANTINE_SCHEMA, "imports": IMPORTS_SCHEMA}
# ``rules_fingerprint`` (the mapping rules that made a row), ``rows_replaced``, ``key_scheme``
# (how its event keys were made) and ``events_quarantined`` (events of ``events_per_row``
# quarantined alone; NULL for an import without it) came later: opening an older workspace
# adds them, empty (NULL: not recorded). Columns added this way must be nullable.


def _missing_columns(name: str, schema: dict[str, str], present: set[str]) -> list[str]:
    """``column TYPE`` of each column of ``schema`` an older workspace's table lacks.

    Raises:
        WorkspaceError: A missing column may not be empty (not added by journeymap later).
    """
    missing = [column for column in schema if column not in present]
    required = [column for column in missing if "NOT NULL" in schema[column]]
    if required:
        raise WorkspaceError(
            _(
                "the workspace's {name} table lacks the columns {columns}; it was not made by "
                "journeymap"
            ).format(name=name, columns=", ".join(required))
        )
    return [f"{column} {schema[column]}" for column in missing]


def _ibis_types(schema: dict[str, str]) -> dict[str, str]:
    kinds = {
        "VARCHAR": "string",
        "TIMESTAMPTZ": "timestamp('UTC')",
        "BOOLEAN": "boolean",
        "DOUBLE": "float64",
        "BIGINT": "int64",
    }
    out = {}
    for column, kind in schema.items():
        base = kind.split()[0]
        nullable = "NOT NULL" not in kind
        out[column] = ("" if nullable else "!") + kinds[base]
    return out
