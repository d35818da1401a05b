"""Breakdown columns: a real column of the events, else a key of their ``extra`` JSON."""

from __future__ import annotations

import weakref

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from journeymap.engine._checks import unknown_name_message
from journeymap.errors import UsageError
from journeymap.i18n import N_
from journeymap.i18n.messages import translate

# Keys of the events' extra JSON, per events table object (see :func:`extra_keys`).
_EXTRA_KEYS: dict[int, tuple[weakref.ref[ir.Table], frozenset[str] | None]] = {}


@ibis.udf.scalar.builtin(name="json_keys")  # type: ignore[untyped-decorator]
def _json_keys(text: str) -> list[str]:  # type: ignore[empty-body]
    """DuckDB's keys of a JSON object."""


@ibis.udf.scalar.builtin(name="json_valid")  # type: ignore[untyped-decorator]
def _json_valid(text: str) -> bool:  # type: ignore[empty-body]
    """DuckDB's test for valid JSON text."""


@ibis.udf.scalar.builtin(name="json_object_keys")  # type: ignore[untyped-decorator]
def _postgres_json_keys(document: dt.JSON) -> str:  # type: ignore[empty-body]
    """PostgreSQL's keys of a JSON object, one row each (a set-returning function)."""


@ibis.udf.scalar.builtin(name="json_typeof")  # type: ignore[untyped-decorator]
def _postgres_json_type(document: dt.JSON) -> str:  # type: ignore[empty-body]
    """PostgreSQL's JSON type of a value: object, array, string, number, boolean or null."""


@ibis.udf.scalar.builtin(name="json_extract_string")  # type: ignore[untyped-decorator]
def _duckdb_json_text(text: str, path: str) -> str:  # type: ignore[empty-body]
    """DuckDB's value at a JSON path as text, whatever its JSON type."""


@ibis.udf.scalar.builtin(name="json_extract_path_text")  # type: ignore[untyped-decorator]
def _postgres_json_text(document: dt.JSON, key: str) -> str:  # type: ignore[empty-body]
    """PostgreSQL's value of a JSON key as text, whatever its JSON type."""


def extra_text(events: ir.Table, name: str) -> ir.StringValue:
    """The value of key ``name`` of the events' ``extra`` JSON, as text (null when absent).

    Numbers and booleans too: the importer keeps every value as text, but an events table
    made elsewhere may hold typed JSON, and Ibis's ``.str`` reads only JSON strings (it gave
    every number null). Ibis's own unwrapping also
    compiles to invalid SQL on PostgreSQL, so the engines' own functions are used there.
    """
    backend = ibis.get_backend(events).name
    text = events.extra.cast(dt.string)
    if backend == "duckdb":
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return _duckdb_json_text(text, f'$."{quoted}"')
    if backend == "postgres":
        return _postgres_json_text(events.extra.cast(dt.json), name)
    return events.extra.cast(dt.json)[name].str


def extra_keys(events: ir.Table) -> frozenset[str] | None:
    """The keys found in the events' ``extra`` JSON (empty without one); None if unknowable.

    One query, run once per events table object (a breakdown by several keys, or a check
    before :func:`build_journeys`, asks again for free); a fresh table object (as
    ``Workspace.events()`` returns) queries again. DuckDB and PostgreSQL list the keys; on
    other backends the answer is None and :func:`breakdown_column` checks each name instead.
    """
    if "extra" not in events.columns:
        return frozenset()
    remembered = _EXTRA_KEYS.get(id(events))
    if remembered is not None and remembered[0]() is events:
        return remembered[1]
    keys: frozenset[str] | None = None
    backend = ibis.get_backend(events).name
    found = None
    if backend == "duckdb":
        text = events.extra.cast(dt.string)
        valid = _json_valid(text).fill_null(False)
        listed = ibis.ifelse(valid, _json_keys(text), ibis.null(dt.Array(dt.string)))
        found = events.select(key=listed.unnest()).distinct().to_pyarrow()
    elif backend == "postgres":
        # A set-returning function in the select list: one row per key of each object.
        objects = events.filter(_postgres_json_type(events.extra.cast(dt.json)) == "object")
        query = objects.select(key=_postgres_json_keys(objects.extra.cast(dt.json)))
        found = query.distinct().to_pyarrow()
    if found is not None:
        keys = frozenset(str(key) for key in found.column("key").to_pylist() if key is not None)
    identity = id(events)
    _EXTRA_KEYS[identity] = (weakref.ref(events, lambda _: _EXTRA_KEYS.pop(identity, None)), keys)
    return keys


def breakdown_column(events: ir.Table, name: str) -> ir.Value:
    """The expression of a breakdown column: a real column, else a key of the ``extra`` JSON.

    An empty text is no value, as a missing one: a CSV file has an empty field where a JSON
    Lines file leaves the key out, and the same events should break down alike.

    Raises:
        UsageError: if ``name`` is neither a column nor a key found in the ``extra`` JSON.
    """
    if name in events.columns:
        return events[name].cast(dt.string).nullif("")
    keys = extra_keys(events)
    if "extra" in events.columns:
        value = extra_text(events, name)
        if keys is None:  # a backend that cannot list keys: ask about this one
            keys = frozenset([name]) if bool(value.notnull().any().execute()) else frozenset()
        if name in keys:
            return value.nullif("")
    columns = [column for column in events.columns if column != "extra"]
    raise UsageError(
        unknown_name_message(
            translate(
                N_("cannot break down by {name}: no column or key of the events has that name")
            ).format(name=repr(name)),
            name,
            [
                (translate(N_("columns")), columns),
                (translate(N_("keys of the extra JSON")), sorted(keys or ())),
            ],
        )
    )
