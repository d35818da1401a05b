"""Journeys: the events of one person or account, ordered by time.

Journeys are split by session and by conversion, with the map's phase filled in.

Every metric of :mod:`journeymap.engine` starts from :func:`build_journeys`. The result is a
lazy :class:`ibis.Table`; nothing runs until a metric asks for its (small) result.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any, Literal

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir
from ibis import _

from journeymap.engine._tables import number, seconds
from journeymap.errors import AnalysisError, UsageError
from journeymap.i18n import N_
from journeymap.i18n.messages import translate
from journeymap.model import JourneyMap, did_you_mean
from journeymap.settings import Setting, as_bool, as_whole_number, parse_bool, parse_names, register

__all__ = [
    "EVENT_COLUMNS",
    "NEIGHBOUR_COLUMNS",
    "RESERVED_NAMES",
    "UNIT",
    "JourneyOptions",
    "build_journeys",
    "check_touchpoints",
    "joinable",
    "journey_facts",
    "own_phases",
    "parse_duration",
    "phase_lookup",
    "require_accounts",
    "require_values",
    "touch_pairs",
]

EVENT_COLUMNS = (
    "person_id",
    "account_id",
    "ts",
    "touchpoint",
    "phase",
    "persona",
    "conversion",
    "value",
)

# Each event's neighbours inside its journey (null at the journey's ends), read in the same
# pass that cuts the journeys, so metrics group instead of re-sorting.
NEIGHBOUR_COLUMNS = ("previous_touchpoint", "previous_ts", "next_ts")

# Names the engine gives columns of its own (journeys, per-journey facts, touch pairs,
# attribution segments, the funnel tables): a breakdown column so named would clash with one.
RESERVED_NAMES = frozenset(
    {
        *(
            name
            for name in EVENT_COLUMNS
            if name not in {"person_id", "account_id", "phase", "persona"}
        ),
        *NEIGHBOUR_COLUMNS,
        "journey_id",
        "step",
        "row_number",
        "first_ts",
        "last_ts",
        "events",
        "converted",
        "conversion_ts",
        "touchpoints",
        "phases",
        "last_touchpoint",
        "last_phase",
        "before",
        "plain",
        "i",
        "n",
        "age_s",
        "seg_value",
        "journeys",
        "reached",
        "moved_on",
        "dropped",
        "reach_rate",
        "step_rate",
        "dropoff_rate",
        "level",
    }
)

# Joins a journey's touchpoints (or phases) into one text: sequences are built and grouped as
# text, which DuckDB can spill under a memory cap (lists it cannot).
UNIT = "\x1f"

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str | timedelta | None) -> timedelta | None:
    """Parse ``30m``, ``12h``, ``30d``, ``2w`` or ``90s`` into a timedelta (``none`` -> None).

    ``none``, ``off`` and a bare ``0`` mean no duration. A zero with a unit (``0m``) is
    refused: as a session gap it cut every event into a journey of its own. A negative
    duration cannot be written (the pattern takes no sign).

    Examples:
        >>> parse_duration("30m")
        datetime.timedelta(seconds=1800)
        >>> parse_duration("0") is None
        True

    Raises:
        UsageError: for text that is no duration, a zero with a unit, or a timedelta that is
            not positive.
    """
    if isinstance(text, timedelta) and text <= timedelta(0):
        raise UsageError(
            translate(
                N_(
                    "the duration {duration} is not positive; give None to turn it off, or a "
                    "positive duration"
                )
            ).format(duration=text)
        )
    if text is None or isinstance(text, timedelta):
        return text
    cleaned = str(text).strip().lower()
    if cleaned in {"", "none", "off", "0"}:
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhdw])", cleaned)
    if not match:
        raise UsageError(
            translate(
                N_(
                    "{text} is not a duration; write a number and a unit s, m, h, d or w "
                    "(e.g. 30m, 30d)"
                )
            ).format(text=repr(text))
        )
    duration = timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
    if not duration:
        raise UsageError(
            translate(
                N_(
                    "{text} is a zero duration; write none to turn it off, or give a positive "
                    "duration (e.g. 30m, 30d)"
                )
            ).format(text=repr(text))
        )
    return duration


register(Setting("journeys.by", "person", "Build journeys per `person` or per `account` (B2B)."))
register(
    Setting(
        "journeys.session_gap",
        None,
        "Split a journey after this much inactivity (e.g. 30m); none keeps one journey.",
        parse_duration,
    )
)
register(
    Setting(
        "journeys.after_conversion",
        "end",
        "After a conversion the journey `end`s (later events start a new one) or `continue`s.",
    )
)
register(Setting("analysis.breakdown", [], "Columns to break funnels down by.", parse_names))
register(
    Setting(
        "funnel.conversion_window",
        timedelta(days=30),
        "A funnel step counts only within this time of the first step (e.g. 30d).",
        parse_duration,
    )
)
register(Setting("funnel.ordering", "ordered", "Funnel step ordering: any, ordered or strict."))
register(
    Setting(
        "funnel.touchpoints",
        [],
        "The touchpoint funnel's steps, in order (e.g. web,demo,checkout); empty: the map's "
        "touchpoints in phase order.",
        parse_names,
    )
)
register(
    Setting(
        "dropoff.checkout",
        [],
        "Touchpoints counted for checkout abandonment; empty: those whose id or catalog "
        "entry is checkout.",
        parse_names,
    )
)
register(Setting("paths.top", 10, "How many top paths to list before the Other bucket.", int))
register(
    Setting(
        "paths.collapse_repeats",
        True,
        "Collapse consecutive repeats of a touchpoint in paths and Sankey edges.",
        parse_bool,
    )
)
register(
    Setting(
        "paths.sankey_steps",
        6,
        "How many steps the Sankey shows; longer journeys end in their outcome at the last.",
        int,
    )
)
register(Setting("correlation.prior", 1.0, "Prior count added to each odds-ratio cell.", float))
register(
    Setting(
        "correlation.min_support", 5, "Fewest journeys touching a touchpoint to report it.", int
    )
)
register(Setting("correlation.confidence", 0.95, "Confidence level of odds-ratio CIs.", float))


@dataclass
class JourneyOptions:
    """How journeys are cut and how the metrics are computed.

    Attributes:
        by: ``person`` or ``account`` (an account reaches a phase when any member does).
        session_gap: Inactivity that starts a new journey; ``None`` never splits.
        after_conversion: ``end`` (events after a conversion start a new journey) or
            ``continue`` (repeat purchases stay in the journey).
        breakdown: Columns (e.g. ``persona`` or a raw column kept in ``extra``) to break down by.
        conversion_window: Funnel steps count only this long after step 1 (``None``: no limit).
        ordering: Funnel ordering, ``any``, ``ordered`` or ``strict``.
        top_paths: How many paths to list before ``Other``.
        collapse_repeats: Collapse consecutive repeats of a touchpoint in paths.
        correlation_prior: Prior count added to each cell of the odds ratio.
        correlation_min_support: Fewest journeys touching a touchpoint to report it.
        confidence: Confidence level of the odds-ratio intervals.
        funnel_touchpoints: Touchpoint funnel steps (default: the map's touchpoints in phase
            order).
        checkout_touchpoints: Touchpoints counted for checkout abandonment (default: those
            whose id or catalog entry is ``checkout``).
        top_variants: How many variants to list.
        sankey_steps: How many steps the Sankey edges cover.
    """

    by: Literal["person", "account"] = "person"
    session_gap: timedelta | None = None
    after_conversion: Literal["end", "continue"] = "end"
    breakdown: list[str] = field(default_factory=list)
    conversion_window: timedelta | None = timedelta(days=30)
    ordering: Literal["any", "ordered", "strict"] = "ordered"
    top_paths: int = 10
    collapse_repeats: bool = True
    correlation_prior: float = 1.0
    correlation_min_support: int = 5
    confidence: float = 0.95
    funnel_touchpoints: list[str] | None = None
    checkout_touchpoints: list[str] | None = None
    top_variants: int = 50
    sankey_steps: int = 6

    def __post_init__(self) -> None:
        """Check the choices so a typo fails with a clear message."""
        self.session_gap = parse_duration(self.session_gap)
        self.conversion_window = parse_duration(self.conversion_window)
        if isinstance(self.breakdown, str):
            self.breakdown = parse_names(self.breakdown)
        choices: dict[str, tuple[str, ...]] = {
            "by": ("person", "account"),
            "after_conversion": ("end", "continue"),
            "ordering": ("any", "ordered", "strict"),
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise UsageError(
                    translate(N_("{name}={value} is not valid; use one of {choices}")).format(
                        name=name, value=repr(getattr(self, name)), choices=", ".join(allowed)
                    )
                )
        for name in ("funnel_touchpoints", "checkout_touchpoints"):
            if isinstance(getattr(self, name), str):
                setattr(self, name, parse_names(getattr(self, name)))
        for name in self.breakdown:
            if name.startswith("_") or name in RESERVED_NAMES:
                raise UsageError(
                    translate(
                        N_(
                            "cannot break down by {name}: journeymap's own tables have a column "
                            "of that name; keep the source column under another name (rename it "
                            "in the DataFrame, or in the file before the import)"
                        )
                    ).format(name=repr(name))
                )
        collapse = as_bool(self.collapse_repeats)
        if collapse is None:
            raise UsageError(
                translate(
                    N_(
                        "collapse_repeats={value} is not a yes/no value "
                        "(true/false, yes/no, on/off, 1/0)"
                    )
                ).format(value=repr(self.collapse_repeats))
            )
        self.collapse_repeats = collapse
        smallest = {
            "top_paths": 0,
            "top_variants": 0,
            "sankey_steps": 1,
            "correlation_min_support": 0,
        }
        for name, least in smallest.items():
            setattr(self, name, _whole_number(name, getattr(self, name), least))
        for name in ("correlation_prior", "confidence"):
            value = getattr(self, name)
            try:
                setattr(self, name, float(value))
            except (TypeError, ValueError):
                raise UsageError(
                    translate(N_("{name}={value} is not a number")).format(
                        name=name, value=repr(value)
                    )
                ) from None
        if self.correlation_prior < 0:
            raise UsageError(
                translate(
                    N_(
                        "correlation_prior={value} must be 0 or more (a count added to each "
                        "cell of the odds ratio)"
                    )
                ).format(value=self.correlation_prior)
            )
        if not 0 < self.confidence < 1:
            raise UsageError(
                translate(N_("confidence={value} must be between 0 and 1")).format(
                    value=self.confidence
                )
            )

    @classmethod
    def from_settings(cls, **explicit: Any) -> JourneyOptions:
        """Options from the settings layers; explicitly given values win (None included)."""
        from journeymap.settings import resolve

        names = {
            "by": "journeys.by",
            "session_gap": "journeys.session_gap",
            "after_conversion": "journeys.after_conversion",
            "breakdown": "analysis.breakdown",
            "conversion_window": "funnel.conversion_window",
            "ordering": "funnel.ordering",
            "funnel_touchpoints": "funnel.touchpoints",
            "checkout_touchpoints": "dropoff.checkout",
            "top_paths": "paths.top",
            "collapse_repeats": "paths.collapse_repeats",
            "sankey_steps": "paths.sankey_steps",
            "correlation_prior": "correlation.prior",
            "correlation_min_support": "correlation.min_support",
            "confidence": "correlation.confidence",
        }
        unknown = set(explicit) - set(cls.__dataclass_fields__)
        if unknown:
            known = ", ".join(sorted(cls.__dataclass_fields__))
            raise UsageError(
                translate(N_("unknown analysis option(s) {names}; known: {known}")).format(
                    names=sorted(unknown), known=known
                )
            )
        values: dict[str, Any] = {}
        for option, setting in names.items():
            # An option given explicitly wins even when it is None (e.g. no window).
            values[option] = explicit[option] if option in explicit else resolve(setting)
        values.update({k: v for k, v in explicit.items() if k not in names})
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        """The options as JSON-able values (durations in seconds)."""
        data = asdict(self)
        for name in ("session_gap", "conversion_window"):
            value = data[name]
            data[name] = value.total_seconds() if value is not None else None
        return data


def _whole_number(name: str, value: Any, least: int) -> int:
    """``value`` as a whole number of at least ``least`` (int-like text too), else a usage error."""
    number = as_whole_number(value)
    if number is None or number < least:
        raise UsageError(
            translate(N_("{name}={value} must be a whole number of at least {least}")).format(
                name=name, value=repr(value), least=least
            )
        )
    return number


def phase_lookup(journey_map: JourneyMap) -> dict[str, str]:
    """Touchpoint -> the first phase the map places it in (what events without a phase get)."""
    lookup: dict[str, str] = {}
    for touchpoint in journey_map.touchpoints:
        first = journey_map.first_phase_of(touchpoint.id)
        if first is not None:
            lookup[touchpoint.id] = first
    return lookup


def check_touchpoints(journey_map: JourneyMap, options: JourneyOptions) -> None:
    """Raise a :class:`UsageError` for a funnel step or checkout touchpoint not on the map.

    A misspelt step would otherwise be a funnel step that nobody reaches.
    """
    known = [touchpoint.id for touchpoint in journey_map.touchpoints]
    chosen = {
        N_("the funnel step {name} is not a touchpoint of the map"): (
            options.funnel_touchpoints or []
        ),
        N_("the checkout touchpoint {name} is not a touchpoint of the map"): (
            options.checkout_touchpoints or []
        ),
    }
    for problem, names in chosen.items():
        for name in names:
            if name not in known:
                raise UsageError(
                    unknown_name_message(
                        translate(problem).format(name=repr(name)),
                        name,
                        [(translate(N_("touchpoints")), known)],
                    )
                )


def unknown_name_message(
    problem: str, name: str, available: Sequence[tuple[str, Sequence[str]]]
) -> str:
    """``problem``, a "did you mean" for a near miss and the names available, by kind.

    Args:
        problem: What went wrong, e.g. ``"unknown attribution level 'chanel'"``.
        name: The name asked for.
        available: (what they are, names) pairs, e.g. ``("columns", ["person_id"])``.
    """
    suggestion = did_you_mean(name, [n for _, names in available for n in names])
    hint = (
        translate(N_("; did you mean {name}?")).format(name=repr(suggestion)) if suggestion else ""
    )
    listed = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in available if names)
    return f"{problem}{hint} ({listed})" if listed else f"{problem}{hint}"


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
    text = events.extra.cast("string")
    if backend == "duckdb":
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return _duckdb_json_text(text, f'$."{quoted}"')
    if backend == "postgres":
        return _postgres_json_text(events.extra.cast("json"), name)
    return events.extra.cast("json")[name].str


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
        text = events.extra.cast("string")
        valid = _json_valid(text).fill_null(False)
        listed = ibis.ifelse(valid, _json_keys(text), ibis.null("array<string>"))
        found = events.select(key=listed.unnest()).distinct().to_pyarrow()
    elif backend == "postgres":
        # A set-returning function in the select list: one row per key of each object.
        objects = events.filter(_postgres_json_type(events.extra.cast("json")) == "object")
        query = objects.select(key=_postgres_json_keys(objects.extra.cast("json")))
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
        return events[name].cast("string").nullif("")
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


# What to do when a column every row leaves empty was asked for (see require_values).
_MISSING_HINTS = {
    "account_id": N_(
        "map the account column in the import rules (columns: account_id: ...) and "
        "import again, or use the person level"
    ),
    "persona": N_(
        "map the persona column in the import rules (columns: persona: ...) and import "
        "again, or use another level"
    ),
}
_MISSING_VALUES = {"account_id": N_("account ids"), "persona": N_("personas")}


def require_values(table: ir.Table, column: str, what: str) -> None:
    """Raise a :class:`UsageError` naming ``what`` when no row of ``table`` has a ``column``.

    Journeys per account fall back to the person where an event has no account (B2C
    contacts beside B2B accounts), and events without a persona count as ``(none)``; with no
    value at all, asking for accounts or personas is a mistake that would otherwise give the
    person-level answer under an account title, or all credit to ``(none)``.
    """
    if not bool(table[column].notnull().any().to_pyarrow().as_py()):
        plural = translate(_MISSING_VALUES[column]) if column in _MISSING_VALUES else column
        hint = translate(_MISSING_HINTS.get(column, N_("import events that have it")))
        raise UsageError(
            translate(N_("{what} needs {values}, and no event has one; {hint}")).format(
                what=what, values=plural, hint=hint
            )
        )


def require_accounts(table: ir.Table, what: str) -> None:
    """:func:`require_values` of the account id."""
    require_values(table, "account_id", what)


def build_journeys(
    events: ir.Table, journey_map: JourneyMap, options: JourneyOptions | None = None
) -> ir.Table:
    """Cut events into ordered journeys (see docs/contracts.md, "Journeys").

    Args:
        events: Any Ibis table with the events contract's columns.
        journey_map: The map; it supplies the phase of events that carry none.
        options: How to cut journeys; defaults to :class:`JourneyOptions()`.

    Returns:
        A lazy table with ``journey_id``, ``person_id``, ``account_id``, ``ts``, ``touchpoint``,
        ``phase``, ``persona``, ``conversion``, ``value``, ``step`` and the breakdown columns.

    Raises:
        AnalysisError: if a required column is missing.
    """
    options = options or JourneyOptions()
    missing = [name for name in EVENT_COLUMNS if name not in events.columns]
    if missing:
        raise AnalysisError(
            translate(
                N_(
                    "the events table lacks the column(s) {columns}; import events with "
                    "`journeymap import` or provide the events contract's columns"
                )
            ).format(columns=", ".join(missing))
        )
    lookup = phase_lookup(journey_map)
    # Ties in time keep the file order (row_number), then a stable key.
    row_number = (
        events.row_number.cast("int64") if "row_number" in events.columns else ibis.literal(0)
    )
    tie = events.event_key if "event_key" in events.columns else events.touchpoint
    mapped_phase = events.touchpoint.substitute(lookup, else_=ibis.null("string"))
    base = events.select(
        person_id=events.person_id.cast("string"),
        account_id=events.account_id.cast("string"),
        ts=events.ts,
        touchpoint=events.touchpoint.cast("string"),
        phase=ibis.coalesce(events.phase.cast("string"), mapped_phase),
        persona=events.persona.cast("string"),
        conversion=events.conversion.cast("boolean").fill_null(False),
        value=events.value.cast("float64"),
        _row=row_number,
        _tie=tie.cast("string"),
        **{
            name: breakdown_column(events, name)
            for name in options.breakdown
            if name not in EVENT_COLUMNS
        },
    )
    if options.by == "account":
        base = base.mutate(_actor=ibis.coalesce(base.account_id, base.person_id))
    else:
        base = base.mutate(_actor=base.person_id)
    # Sort keys that cannot break a tie are left out: each one costs the sort time.
    keys = ["ts", *(["_row"] if "row_number" in events.columns else []), "_tie"]
    keys += ["person_id"] if options.by == "account" else []
    extra = [name for name in options.breakdown if name not in EVENT_COLUMNS]
    if options.session_gap is None:
        return _cut_at_conversions(base, keys, options.after_conversion == "end", extra)
    # A session gap needs two window passes over the actor's events, both with the same order
    # (DuckDB sorts once per pass): the first reads the neighbours and marks where journeys
    # start, the second numbers the journeys and steps.
    order = [base[key] for key in keys]
    actor = ibis.window(group_by=base._actor, order_by=order)
    gap = int(options.session_gap.total_seconds())
    new_journey = (seconds(base.ts) - seconds(base.ts.lag().over(actor))) > gap
    if options.after_conversion == "end":
        new_journey = new_journey | base.conversion.lag().over(actor).fill_null(False)
    first = base.mutate(
        _new=number(new_journey.fill_null(False)),
        _rn=ibis.row_number().over(actor).cast("int64"),
        _prev_tp=base.touchpoint.lag().over(actor),
        _prev_ts=base.ts.lag().over(actor),
        _next_ts=base.ts.lead().over(actor),
    )
    order = [first[key] for key in keys]
    actor = ibis.window(group_by=first._actor, order_by=order)
    running = ibis.window(group_by=first._actor, order_by=order, preceding=None, following=0)
    starts = first._new == 1
    second = first.mutate(
        _segment=first._new.sum().over(running),
        _start=ibis.ifelse(starts | (first._rn == 0), first._rn, ibis.null("int64"))
        .max()
        .over(running),
        _ends=first._new.lead().over(actor).fill_null(1) == 1,
    )
    journey_id = second._actor + ibis.literal("#") + second._segment.cast("string")
    no_time = ibis.null(second.ts.type().copy(nullable=True))
    return second.select(
        journey_id=journey_id,
        **{name: second[name] for name in (*EVENT_COLUMNS, *extra)},
        step=(second._rn - second._start + 1).cast("int64"),
        previous_touchpoint=ibis.ifelse(starts, ibis.null("string"), second._prev_tp),
        previous_ts=ibis.ifelse(starts, no_time, second._prev_ts),
        next_ts=ibis.ifelse(second._ends, no_time, second._next_ts),
    )


def _cut_at_conversions(
    base: ir.Table, keys: list[str], end_at_conversion: bool, extra: list[str]
) -> ir.Table:
    """Journeys without a session gap, in one window pass over each actor's events.

    A journey's number is the count of the actor's conversions before the event (when a
    conversion ends it), so it needs no second pass; the step is the position in the actor's
    events less that of the journey's first event, which follows the previous conversion
    (one join with the conversions).
    """
    order = [base[key] for key in keys]
    actor = ibis.window(group_by=base._actor, order_by=order)
    before = ibis.window(group_by=base._actor, order_by=order, rows=(None, -1))
    segment: ir.IntegerValue = ibis.literal(0, "int64")
    if end_at_conversion:
        segment = number(base.conversion).sum().over(before).fill_null(0)
    first = base.mutate(
        _segment=segment,
        _rn=ibis.row_number().over(actor).cast("int64"),
        _starts=base.conversion.lag().over(actor).fill_null(True)
        if end_at_conversion
        else base.ts.lag().over(actor).isnull(),
        _prev_tp=base.touchpoint.lag().over(actor),
        _prev_ts=base.ts.lag().over(actor),
        _next_ts=base.ts.lead().over(actor),
    )
    if end_at_conversion:
        # Journey s > 0 starts right after the actor's conversion that ended journey s - 1:
        # a join with the conversions alone, not a grouping of every event.
        ended = first.filter(first.conversion)
        starts = ended.select(
            "_actor", _segment=ended._segment + 1, _start=(ended._rn + 1).cast("int64")
        )
        first = first.left_join(starts, ["_actor", "_segment"])
        step = first._rn - first._start.fill_null(0) + 1
        ends = first.conversion
    else:
        step, ends = first._rn + 1, ibis.literal(False)
    no_time = ibis.null(first.ts.type().copy(nullable=True))
    journeys = first.select(
        journey_id=first._actor + ibis.literal("#") + first._segment.cast("string"),
        **{name: first[name] for name in (*EVENT_COLUMNS, *extra)},
        step=step.cast("int64"),
        previous_touchpoint=ibis.ifelse(first._starts, ibis.null("string"), first._prev_tp),
        previous_ts=ibis.ifelse(first._starts, no_time, first._prev_ts),
        next_ts=ibis.ifelse(ends, no_time, first._next_ts),
    )
    # A relation of its own: metrics join the journeys with tables derived from them, which
    # ibis would otherwise fold into the join above.
    return journeys.view()


def journey_facts(
    journeys: ir.Table,
    breakdown: list[str] | None = None,
    *,
    sequences: bool = False,
    phase_of: Mapping[str, str] | None = None,
) -> ir.Table:
    """One row per journey: first/last time, events, whether and when it converted, breakdown.

    Also the last touchpoint and phase (where a journey that did not convert dropped off) and
    the journey's first persona. With ``sequences``, also ``touchpoints`` and ``phases``: the
    journey's touchpoints and phases in order (arrays, nulls kept), from which funnels, paths
    and variants are read without sorting the events again.
    :func:`journeymap.analysis.analyze` computes this once and hands it to every metric (their
    ``facts`` argument); alone, each metric derives what it needs.

    On a materialized journeys table the sequences are collected as text (an ordered text
    aggregate spills under a memory cap, a list one does not) and split afterwards, unless a
    touchpoint or phase holds :data:`UNIT` or is empty. ``phase_of`` (the map's
    :func:`phase_lookup`) spares the second ordered aggregate when every phase is the one the
    map gives its touchpoint: the phases are then read off the touchpoints.
    """
    columns: dict[str, Any] = {
        "first_ts": _.ts.min(),
        "last_ts": _.ts.max(),
        "events": _.count(),
        "converted": _.conversion.any(),
        "conversion_ts": _.ts.min(where=_.conversion),
        "value": _.value.sum(where=_.conversion),
    }
    for name in dict.fromkeys(["persona", *(breakdown or [])]):
        column = journeys[name]  # the first value that is there
        columns[name] = column.argmin(journeys.step, where=column.notnull())
    if not sequences:
        columns["last_touchpoint"] = _.touchpoint.argmax(_.step)
        columns["last_phase"] = _.phase.argmax(_.step)
        return journeys.group_by("journey_id").aggregate(**columns)
    as_text, derived = _sequence_plan(journeys, phase_of)
    names = ["touchpoint"] if derived else ["touchpoint", "phase"]
    for name in names:
        column = journeys[name]
        if as_text:
            columns[f"_{name}s"] = column.fill_null("").group_concat(UNIT, order_by=journeys.step)
        else:
            columns[f"{name}s"] = column.collect(order_by=journeys.step, include_null=True)
    facts = journeys.group_by("journey_id").aggregate(**columns)
    if as_text:
        facts = facts.mutate(
            **{
                f"{name}s": facts[f"_{name}s"].split(UNIT).map(lambda x: x.nullif(""))
                for name in names
            }
        ).drop(*(f"_{name}s" for name in names))
    if derived:
        lookup = dict(phase_of or {})
        facts = facts.mutate(
            phases=facts.touchpoints.map(lambda x: x.substitute(lookup, else_=ibis.null("string")))
        )
    # The sequences end with the last event: two ordered aggregates fewer.
    return facts.mutate(last_touchpoint=facts.touchpoints[-1], last_phase=facts.phases[-1])


def joinable(journeys: ir.Table, column: str = "touchpoint") -> bool:
    """Whether every value of ``column`` can be joined by :data:`UNIT` and split back."""
    clash = journeys.filter(_unjoinable(journeys[column])).count()
    return not clash.to_pyarrow().as_py()


def _unjoinable(values: ir.StringValue) -> ir.BooleanValue:
    """A value :data:`UNIT` cannot join and split back: one holding it, or the empty text."""
    return values.contains(UNIT) | (values == "")


def own_phases(journeys: ir.Table, phase_of: Mapping[str, str]) -> ir.BooleanScalar:
    """Whether some event's phase is not the one ``phase_of`` gives its touchpoint."""
    mapped = journeys.touchpoint.substitute(dict(phase_of), else_=ibis.null("string"))
    return (~journeys.phase.identical_to(mapped)).any()


def _sequence_plan(journeys: ir.Table, phase_of: Mapping[str, str] | None) -> tuple[bool, bool]:
    """(collect the sequences as text, read the phases off the touchpoints).

    Both need a scan of the journeys, so a lazy journeys table (recomputed by every scan)
    keeps the list aggregates.
    """
    if not isinstance(journeys.op(), ops.PhysicalTable):
        return False, False
    # The checks read only the distinct (touchpoint, phase) pairs: a few, where the events
    # are millions (0.17 s -> 0.11 s at 1M journeys, warm, same process).
    pairs = journeys.select("touchpoint", "phase").distinct()
    touchpoint, phase = pairs.touchpoint, pairs.phase
    checks: dict[str, Any] = {
        "clash": _unjoinable(touchpoint).any(),
        "phase_clash": _unjoinable(phase).any(),
    }
    if phase_of is not None:
        checks["own_phase"] = own_phases(pairs, phase_of)
    found = pairs.aggregate(**checks).to_pyarrow().to_pylist()[0]
    derived = phase_of is not None and not found["own_phase"]
    as_text = not found["clash"] and (derived or not found["phase_clash"])
    return as_text, derived


def touch_pairs(
    journeys: ir.Table, facts: ir.Table | None = None, breakdown: list[str] | None = None
) -> ir.Table:
    """One row per journey and touchpoint it touched, with the journey's outcome.

    Columns: ``journey_id``, ``touchpoint``, ``events`` (its events there), ``converted`` (the
    journey), ``before`` (touched before the journey's first conversion: what the drop-off
    correlation counts; see below), ``plain`` (touched by some event that is not a conversion)
    and the breakdown columns. Touchpoint statistics, checkout abandonment and the
    correlation all read it; :func:`journeymap.analysis.analyze` computes it once (their
    ``pairs`` argument).

    The conversion event's own touchpoint counts as touched before the conversion only when
    nothing came before it in the journey: in session-level data (one row per session, with a
    purchase flag) it is the converting session's own channel, while after other touches it
    is the outcome (a signed contract mapped to ``checkout``, BPIC's approval), which would
    put every converting journey among those "with" it (an odds ratio in the millions).
    """
    breakdown = list(breakdown or [])
    if facts is None:
        facts = journey_facts(journeys, breakdown)
    pairs = journeys.group_by(["journey_id", "touchpoint"]).aggregate(
        events=_.count(),
        _plain_ts=_.ts.min(where=~_.conversion),
        _conversion_ts=_.ts.min(where=_.conversion),
        plain=(~_.conversion).any(),
    )
    outcome = facts.select("journey_id", "converted", "conversion_ts", "first_ts", *breakdown)
    joined = pairs.join(outcome, "journey_id")
    alone = (joined._conversion_ts == joined.conversion_ts) & (
        joined.first_ts == joined.conversion_ts
    )
    before = (
        joined.conversion_ts.isnull()
        | (joined._plain_ts <= joined.conversion_ts).fill_null(False)
        | alone.fill_null(False)
    )
    return joined.select(
        "journey_id",
        "touchpoint",
        "events",
        "converted",
        *breakdown,
        before=before,
        plain=joined.plain.fill_null(False),
    )


def with_sequences(
    journeys: ir.Table, facts: ir.Table | None, breakdown: list[str] | None = None
) -> ir.Table:
    """``facts`` if it carries the ``touchpoints``/``phases`` arrays, else facts that do."""
    if facts is not None and "touchpoints" in facts.columns:
        return facts
    return journey_facts(journeys, breakdown, sequences=True)
