"""The events handed to ``analyze``: checked for the contract's columns and values, and typed."""

from __future__ import annotations

import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from journeymap.engine.journeys import EVENT_COLUMNS
from journeymap.errors import AnalysisError
from journeymap.i18n.messages import _, count, n_
from journeymap.model import did_you_mean


def _check_events(events: ir.Table) -> int:
    """Refuse events the journeys cannot be cut from: events without a time or a person.

    The importer quarantines such rows; a DataFrame or table handed to ``analyze`` may hold
    them, and they would be cut into one journey of their own (no person) or sorted last in
    theirs (no time). A column of the contract that is missing is named first: asked for by
    the checks below, it came back as Ibis's AttributeError or KeyError.
    """
    _check_columns(events)
    kind = events.ts.type()
    if not kind.is_timestamp():
        raise AnalysisError(
            _(
                "the events' ts column holds {kind}, not timestamps; parse it first (pandas: "
                "pd.to_datetime, polars: str.to_datetime) or import the events with "
                "`journeymap import`, which reads times written as text"
            ).format(kind=kind)
        )
    types = events.schema()
    for column, wanted, fits in (
        ("value", _("numbers"), types["value"].is_numeric()),
        (
            "conversion",
            "true/false",
            types["conversion"].is_boolean() or types["conversion"].is_integer(),
        ),
    ):
        kind = types[column]
        # A column of nothing but nulls was typed as the contract types it (``_typed``).
        if not (fits or kind.is_null()):
            raise AnalysisError(
                _(
                    "the events' {column} column holds {kind}, not {wanted}; convert it first, "
                    "or import the events with `journeymap import`, whose rules read text such "
                    "as '49,90' or 'yes'"
                ).format(column=column, kind=kind, wanted=wanted)
            )
    found = (
        events.aggregate(
            # Counts of values, not sums of null tests: a Parquet file's statistics answer
            # them (2 ms against 100 ms at 4.5M events).
            n=events.count(),
            no_person=events.count() - events.person_id.count(),
            no_time=events.count() - events.ts.count(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    total = int(found["n"] or 0)  # none at all: the caller says why (no_events_reason)
    missing = [
        n_("{count} has no {column}", "{count} have no {column}", int(found[column])).format(
            count=count(int(found[column])), column=name
        )
        for column, name in (("no_person", "person_id"), ("no_time", "ts"))
        if found[column]
    ]
    if missing:
        raise AnalysisError(
            _(
                "of the {total} events, {missing}; every event needs both. Drop those rows, or "
                "import the events with `journeymap import`, which quarantines them with the "
                "reason"
            ).format(total=count(total), missing=f" {_('and')} ".join(missing))
        )
    return total


def _all_null(events: ir.Table, column: str) -> bool:
    """Whether ``column`` holds no value at all (polars types ``value=None`` as text)."""
    return int(events[column].count().to_pyarrow().as_py() or 0) == 0


def _typed(events: ir.Table) -> ir.Table:
    """The events with an all-null value or conversion column typed as the contract says.

    A DataFrame may give such a column any type (polars types ``value=None`` as text); the
    engine sums and tests it as a float and a boolean. A ts column of dates (polars ``Date``,
    pandas ``datetime.date``, Arrow ``date32``: campaign days, redemption days) is read as
    midnight UTC, as the importer reads a date without a time; it was refused with advice
    that did not fit (``str.to_datetime`` on a column that is no text). A timestamp without
    a zone is what analyze reads as UTC, so the cast needs no time zone of the database.
    """
    types = events.schema()
    wanted = {"value": dt.float64, "conversion": dt.boolean}
    casts = {
        column: events[column].cast(kind)
        for column, kind in wanted.items()
        if column in types
        and not (types[column].is_numeric() or types[column].is_boolean())
        and (types[column].is_null() or _all_null(events, column))
    }
    if "ts" in types and types["ts"].is_date():
        casts["ts"] = events.ts.cast(dt.timestamp)
    return events.mutate(**casts) if casts else events


# Columns of the events contract that may hold nothing but nulls.
NULLABLE_COLUMNS = ("account_id", "phase", "persona", "value")


def _check_columns(events: ir.Table) -> None:
    """Refuse events that lack a column of the contract, naming it and the columns given."""
    present = list(events.columns)
    missing = [name for name in EVENT_COLUMNS if name not in present]
    if not missing:
        return
    others = [column for column in present if column not in EVENT_COLUMNS]
    renames = [
        _("{old} to {new}").format(old=repr(guess), new=repr(name))
        for name in missing
        if (guess := did_you_mean(name, others)) is not None
    ]
    nullable = [name for name in missing if name in NULLABLE_COLUMNS]
    message = n_(
        "the events lack the column {columns} of the events contract (columns given: {given})",
        "the events lack the columns {columns} of the events contract (columns given: {given})",
        len(missing),
    ).format(columns=", ".join(missing), given=", ".join(present))
    if renames:
        message += _("; rename {renames}").format(renames=", ".join(renames))
    if nullable:
        message += _(
            "; {columns} may hold nothing but nulls, but must be there (pandas: "
            "events.assign({assign}))"
        ).format(
            columns=", ".join(nullable),
            assign=", ".join(f"{name}=None" for name in nullable),
        )
    raise AnalysisError(
        _(
            "{message}. The events need the columns {columns}; or import the events with "
            "`journeymap import`, whose mapping rules name the columns"
        ).format(message=message, columns=", ".join(EVENT_COLUMNS))
    )
