"""Mapping rules: how raw event rows become rows of the events contract.

Rules are data. They are validated like the map and evaluated by the importer, never pasted
into SQL. Touchpoint rules are ordered; the first rule whose conditions all match wins.
"""

from __future__ import annotations

import itertools
import re
import warnings
import zoneinfo
from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from journeymap.errors import ValidationIssue
from journeymap.i18n import N_
from journeymap.model._base import ElementId, Model
from journeymap.model._i18n import _
from journeymap.model._re2 import read_as_re2
from journeymap.model.validation import UNMAPPED, did_you_mean, suggestion

if TYPE_CHECKING:
    from journeymap.model._unpivot import RowEvent

__all__ = ["AgeBand", "ColumnMapping", "Condition", "MappingRules", "TouchpointRule"]

# Text kept as written, spaces included (the models strip surrounding spaces otherwise).
Exact = Annotated[str, StringConstraints(strip_whitespace=False)]

_ISO = "ISO 8601"  # journeymap.ingest.timestamps.ISO, a timestamp_format the importer reads
# journeymap.ingest.timestamps.EPOCH_FORMATS: whole seconds, milliseconds, microseconds.
_EPOCH_FORMATS = frozenset({"epoch_s", "epoch_ms", "epoch_us"})
# How issues_against_map names a rule, as its callers pass it.
_RULE_NAMES = {"touchpoint rule": N_("touchpoint rule"), "mapping rule": N_("mapping rule")}
# Entries of events_per_row: the event key numbers them with two digits, so that the events
# of one row that share a time keep the entries' order (see journeymap.ingest._unpivot).
MAX_EVENTS_PER_ROW = 99
# How issues_against_map names an entry of events_per_row.
_ENTRY_NAME = N_("events_per_row entry")
# A condition's tests: on the text, and comparisons that read the field as a number.
_OPERATORS = {"greater_than": ">", "at_least": ">=", "less_than": "<", "at_most": "<="}
_NUMBER_TESTS = tuple(_OPERATORS)
# What the importer's strptime (Arrow's, the C library's) reads; %E and %O may prefix them.
_STRPTIME_DIRECTIVES = frozenset("aAbBcCdDeFgGhHIjklmMnprRsStTuUVwWxXyYzZ%")


class Condition(Model):
    """A test on one raw field: exactly one of its tests, the same wherever it is written.

    On the text: ``equals``, ``in``, ``prefix``, ``regex``. A boolean column (Parquet, Arrow,
    a DataFrame) reads as ``TRUE`` or ``FALSE``, a number as its digits; a YAML ``true`` given
    to ``equals`` or ``in`` matches any case of it unless ``case_sensitive`` is given. Then
    ``not_empty`` and the comparisons, which read the field as a number with the decimal mark
    of ``columns.decimal`` (else as the value shows it: ``12,5``, ``1.234,50``); an empty
    field or one that is no finite number does not meet them.

    Attributes:
        not_empty: ``true``: the field holds something other than spaces; ``false``: empty.
        greater_than: The field is a number above this one (``greater_than: 0``).
        at_least: The field is a number of at least this one.
        less_than: The field is a number below this one.
        at_most: The field is a number of at most this one.

    Examples:
        >>> Condition(field="utm_medium", equals="cpc").describe()
        "utm_medium == 'cpc'"
        >>> Condition(field="converted", equals=True).describe()
        "converted == 'true'"
        >>> Condition(field="campaign", at_least=3).describe()
        'campaign >= 3'
    """

    field: str = Field(min_length=1)
    # The values are compared with the raw fields as written: a quoted " x" or a regex
    # ending in a space means those spaces (the model strips other texts).
    equals: Exact | None = None
    in_: list[Exact] | None = Field(default=None, alias="in")
    prefix: Exact | None = None
    regex: Exact | None = None
    case_sensitive: bool = True
    not_empty: bool | None = None
    greater_than: float | None = None
    at_least: float | None = None
    less_than: float | None = None
    at_most: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _booleans_as_text(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        listed = data.get("in", data.get("in_"))
        # Not a list: the field's own validation says so (``in: true`` is no list).
        values = data.get("equals"), *(listed if isinstance(listed, list) else [])
        if not any(isinstance(value, bool) for value in values):
            return data
        data = dict(data)

        def text(value: Any) -> Any:
            return str(value).lower() if isinstance(value, bool) else value

        for key in ("equals", "in", "in_"):
            if isinstance(data.get(key), list):
                data[key] = [text(value) for value in data[key]]
            elif key in data:
                data[key] = text(data[key])
        data.setdefault("case_sensitive", False)
        return data

    @field_validator(*_NUMBER_TESTS, mode="before")
    @classmethod
    def _a_number(cls, value: Any) -> Any:
        if isinstance(value, bool):  # pydantic reads true as 1: a slip, not a number
            raise ValueError(_("a comparison needs a number such as 0, not true or false"))
        return value

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                with warnings.catch_warnings():  # "nested set": [[:alpha:]] is RE2 syntax
                    warnings.simplefilter("ignore", FutureWarning)
                    re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    _("regex {pattern} does not compile: {reason}").format(
                        pattern=repr(pattern), reason=exc
                    )
                ) from None
            read_as_re2(pattern)
        return pattern

    @model_validator(mode="after")
    def _exactly_one_test(self) -> Condition:
        given = [
            name
            for name in ("equals", "in", "prefix", "regex", "not_empty", *_NUMBER_TESTS)
            if getattr(self, "in_" if name == "in" else name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                _(
                    "a condition on {field} needs exactly one of equals, in, prefix, regex, "
                    "not_empty, greater_than, at_least, less_than, at_most (found {found})"
                ).format(field=repr(self.field), found=", ".join(given) or _("none"))
            )
        return self

    @property
    def comparison(self) -> tuple[str, float] | None:
        """``(operator, number)`` of a comparison (``">"``, ``">="``, ...), else None."""
        for name, operator in _OPERATORS.items():
            number = getattr(self, name)
            if number is not None:
                return operator, float(number)
        return None

    def describe(self) -> str:
        """A short human-readable form, used in reports and quarantine reasons."""
        if self.equals is not None:
            return f"{self.field} == {self.equals!r}"
        if self.in_ is not None:
            return f"{self.field} in {self.in_!r}"
        if self.prefix is not None:
            return f"{self.field} starts with {self.prefix!r}"
        if self.regex is not None:
            return f"{self.field} ~ /{self.regex}/"
        if self.not_empty is not None:
            return f"{self.field} is {'not ' if self.not_empty else ''}empty"
        operator, number = self.comparison or ("?", 0.0)
        return f"{self.field} {operator} {number:g}"


class TouchpointRule(Model):
    """Assign a touchpoint (and optionally a phase) to rows whose conditions all match.

    Either ``touchpoint`` names a fixed touchpoint id, or ``touchpoint_from`` names a raw field
    whose value is the touchpoint id (e.g. the activity of an XES log). ``when`` empty matches
    every row.
    """

    touchpoint: ElementId | None = None
    touchpoint_from: str | None = None
    phase: ElementId | None = None
    when: list[Condition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_target(self) -> TouchpointRule:
        if (self.touchpoint is None) == (self.touchpoint_from is None):
            raise ValueError(
                _("a touchpoint rule needs exactly one of touchpoint, touchpoint_from")
            )
        return self


class ColumnMapping(Model):
    """Which raw columns hold the contract's fields.

    Attributes:
        person_id: The raw column with the person id; ``None`` with ``person_from_row`` when
            one input row is one journey (the person id is then ``<source>:<row number>``).
        person_from_row: Use the 1-based row number as the person id (survey-like datasets).
        account_id: The raw column with the account (organisation) id, if any.
        timestamp: One raw column, or several joined with a space (``[date, time]``);
            ``None`` when the source has no time at all (see ``timestamp_constant``).
        timestamp_format: A ``strptime`` format (the C library's directives, no ``%f``),
            ``ISO 8601``, or ``epoch_s`` (same as ``%s``), ``epoch_ms``, ``epoch_us`` for
            whole seconds, milliseconds, microseconds since 1970 in UTC; detected when not
            given (epoch values are not detected).
        dayfirst: Read ambiguous dates as day-first; detected when not given.
        timezone: Time zone of naive timestamps; everything is stored in UTC.
        timestamp_constant: The timestamp of every row of a source without time (ISO text,
            e.g. ``2010-01-01``); rows then keep their file order as a stable tie-breaker.
        value: The raw column with the conversion value (decimal comma accepted).
        decimal: The value column's decimal mark, ``.`` or ``,`` (the other may group
            thousands); detected when not given, from the values that settle it
            (``1,234.50``, ``19,99``).
        persona: The raw column with the persona id.
        phase: The raw column with an explicit phase id.
    """

    person_id: str | None = None
    person_from_row: bool = False
    account_id: str | None = None
    timestamp: str | list[str] | None = None
    timestamp_format: str | None = None
    dayfirst: bool | None = None
    timezone: str = "UTC"
    timestamp_constant: str | None = None
    value: str | None = None
    decimal: Literal[".", ","] | None = None
    persona: str | None = None
    phase: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: 'Europe'
            near = _zone_suggestion(name)
            hint = " " + _("(did you mean {name}?)").format(name=repr(near)) if near else ""
            raise ValueError(
                _(
                    "unknown time zone {name}{hint}; use an IANA name such as 'Europe/Berlin' "
                    "or 'UTC'"
                ).format(name=repr(name), hint=hint)
            ) from None
        return name

    @field_validator("timestamp_format")
    @classmethod
    def _known_directives(cls, fmt: str | None) -> str | None:
        if fmt is None or fmt == _ISO or fmt in _EPOCH_FORMATS:
            return fmt
        directives = re.findall(r"%[EO]?(.?)", fmt)
        if "f" in directives:
            raise ValueError(
                _(
                    "timestamp_format {format} uses %f (fractions of a second), which the "
                    "importer's strptime cannot read; leave timestamp_format out, and ISO 8601 "
                    "times with fractions are detected"
                ).format(format=repr(fmt))
            )
        unknown = [d for d in directives if d not in _STRPTIME_DIRECTIVES]
        if unknown or not set(directives) - {"%"}:
            found = (
                _("the unknown directive {directive}").format(directive=f"'%{unknown[0]}'")
                if unknown
                else _("no % directive")
            )
            raise ValueError(
                _(
                    "timestamp_format {format} has {found}; write it with strptime directives "
                    "such as '%d.%m.%Y %H:%M:%S', name one of 'ISO 8601', 'epoch_s', "
                    "'epoch_ms', 'epoch_us', or leave it out to detect the format"
                ).format(format=repr(fmt), found=found)
            )
        return fmt

    @field_validator("timestamp_constant")
    @classmethod
    def _iso_constant(cls, text: str | None) -> str | None:
        if text is not None:
            try:  # as the importer reads it (journeymap.ingest.timestamps)
                datetime.fromisoformat(text.replace(" UTC", "+00:00"))
            except ValueError:
                raise ValueError(
                    _("timestamp_constant {text} is not an ISO date such as 2010-01-01").format(
                        text=repr(text)
                    )
                ) from None
        return text

    @model_validator(mode="after")
    def _person_and_time(self) -> ColumnMapping:
        if (self.person_id is None) == (not self.person_from_row):
            raise ValueError(_("columns need exactly one of person_id, person_from_row: true"))
        if (self.timestamp is None) == (self.timestamp_constant is None):
            raise ValueError(_("columns need exactly one of timestamp, timestamp_constant"))
        if isinstance(self.timestamp, list) and not self.timestamp:
            raise ValueError(_("timestamp needs at least one column"))
        return self

    @property
    def timestamp_columns(self) -> list[str]:
        """The raw columns the timestamp is built from (empty for a constant)."""
        return column_list(self.timestamp)


def column_list(columns: str | list[str] | None) -> list[str]:
    """One column, several or none (a timestamp's columns) as a list."""
    if columns is None:
        return []
    return [columns] if isinstance(columns, str) else list(columns)


def _zone_suggestion(name: str) -> str | None:
    """The zone ``name`` likely misspells: Europe/Copenhagn, copenhagen: Europe/Copenhagen."""
    zones = zoneinfo.available_timezones()
    regional = sorted(zone for zone in zones if "/" in zone)
    by_city = {zone.rsplit("/", 1)[-1]: zone for zone in reversed(regional)}
    city = name.rsplit("/", 1)[-1].replace(" ", "_")
    exact = {zone.casefold(): zone for zone in zones}.get(name.casefold()) or {
        key.casefold(): zone for key, zone in by_city.items()
    }.get(city.casefold())
    if exact or any(char.isdigit() for char in name) or len(city) < 5:
        return exact  # no guess: a near miss of Etc/GMT+13 is another offset, of CEST EST
    alike = [zone for zone in regional if zone.count("/") == name.count("/")]
    near_city = did_you_mean(city, by_city)
    return did_you_mean(name, alike) or (by_city[near_city] if near_city else None)


class AgeBand(Model):
    """Derive a banded column from a numeric one, e.g. ``age`` into ``age_band`` 30-39.

    Attributes:
        field: The raw numeric column.
        name: The derived column, kept beside the raw columns.
        edges: Ascending lower bounds of the bands; values below the first edge get
            ``<first``, values from the last edge ``last+``.
    """

    field: str = Field(min_length=1)
    name: str = Field(min_length=1)
    edges: list[float] = Field(min_length=1)

    @field_validator("edges")
    @classmethod
    def _ascending(cls, edges: list[float]) -> list[float]:
        if any(b <= a for a, b in itertools.pairwise(edges)):
            raise ValueError(_("band edges must be strictly ascending"))
        return edges


class MappingRules(Model):
    """Everything the importer needs to turn raw rows into events.

    Attributes:
        columns: Which raw columns are person, account, timestamp, value, persona, phase.
        conversion: Conditions that make a row a conversion (all must match); empty means
            no row is a conversion.
        touchpoints: Ordered touchpoint rules; first match wins.
        unmatched: ``quarantine`` rows no rule matches (default) or ``keep`` them as the
            touchpoint ``unmapped``.
        keep: Raw columns kept beside the contract for breakdowns and audit.
        bands: Banded columns derived from numeric ones (kept like ``keep``).
        repair_spreadsheet_ranges: Raw columns whose ranges a spreadsheet turned into dates
            (``5-20`` shown as ``May-20``, ``1-5`` as ``01-May``); they are restored and counted.
        only: Conditions a row must meet to be imported at all (e.g. lifecycle COMPLETE);
            other rows are quarantined with the reason ``filtered out``.
        constant: Raw columns with the same value on every row, added before the rules run
            (e.g. ``{stage: won}`` for a file of won deals, then ``conversion`` on ``stage``).
        duplicates: ``quarantine`` (default) later copies of an equal row (``exact
            duplicate``) and rows whose event equals one already imported or made by an
            earlier row (``same event already imported``); ``keep`` imports them all, for
            sources without ids where equal rows are distinct sessions.
        events_per_row: Several events from one row, one per entry whose conditions hold
            (see :class:`~journeymap.model._unpivot.RowEvent`): a session's page types, a
            CRM record's dated steps. Empty: each row makes one event, as above.
    """

    columns: ColumnMapping
    conversion: list[Condition] = Field(default_factory=list)
    touchpoints: list[TouchpointRule] = Field(default_factory=list)
    unmatched: Literal["quarantine", "keep"] = "quarantine"
    keep: list[str] = Field(default_factory=list)
    bands: list[AgeBand] = Field(default_factory=list)
    repair_spreadsheet_ranges: list[str] = Field(default_factory=list)
    only: list[Condition] = Field(default_factory=list)
    constant: dict[str, str] = Field(default_factory=dict)
    duplicates: Literal["quarantine", "keep"] = "quarantine"
    events_per_row: list[RowEvent] = Field(default_factory=list, max_length=MAX_EVENTS_PER_ROW)

    @field_validator("events_per_row")
    @classmethod
    def _entries_fit(cls, entries: list[RowEvent], info: ValidationInfo) -> list[RowEvent]:
        # Fields validate in order: a wrong conversion or touchpoints list is not in data.
        conversion = info.data.get("conversion") or []
        check_events_per_row(entries, conversion, len(info.data.get("touchpoints") or []))
        return entries

    def issues_against_map(
        self,
        touchpoints: Collection[str],
        phases: Collection[str],
        map_name: str | None = None,
        *,
        rule_name: str = "touchpoint rule",
    ) -> list[ValidationIssue]:
        """Every touchpoint rule or events_per_row entry whose touchpoint or phase the map lacks.

        A rule naming an id the map does not define (a typo such as ``demoo`` for ``demo``)
        would file every row it matches where no analysis of the map sees it, so an import
        with a map refuses such rules. ``unmapped`` (the touchpoint of ``unmatched: keep``) is
        always allowed, and ``touchpoint_from`` takes its ids from the data, unchecked.

        Args:
            touchpoints: The touchpoint ids the map defines.
            phases: The phase ids the map defines.
            map_name: How messages name the map (its file name); None: "the map" (the
                rules are its own ``mapping``).
            rule_name: How messages name a rule (``touchpoint rule #1``).

        Returns:
            One error per unknown id, with a "did you mean" for near misses, at its path in
            the rules (``touchpoints`` or ``events_per_row``, index, ``touchpoint`` or
            ``phase``).

        Examples:
            >>> rules = MappingRules.model_validate({
            ...     "columns": {"person_id": "user", "timestamp": "ts"},
            ...     "touchpoints": [{"touchpoint": "demoo"}],
            ... })
            >>> (issue,) = rules.issues_against_map({"demo", "call"}, set(), "shop.yaml")
            >>> issue.path
            ('touchpoints', 0, 'touchpoint')
            >>> print(issue.message)
            touchpoint rule #1 assigns touchpoint 'demoo', which the journey map shop.yaml does not define (did you mean 'demo'?); fix the id or add the touchpoint to the map
        """  # noqa: E501
        issues: list[ValidationIssue] = []
        the_map = _("the journey map {name}").format(name=map_name) if map_name else _("the map")
        targets: list[tuple[str, int, str, TouchpointRule | RowEvent]] = [
            ("touchpoints", index, _(_RULE_NAMES.get(rule_name, rule_name)), rule)
            for index, rule in enumerate(self.touchpoints)
        ]
        targets += [
            ("events_per_row", index, _(_ENTRY_NAME), entry)
            for index, entry in enumerate(self.events_per_row)
        ]
        for section, index, name, rule in targets:
            where = _("{rule} #{number}").format(rule=name, number=index + 1)
            if rule.touchpoint is not None and rule.touchpoint not in {*touchpoints, UNMAPPED}:
                issues.append(
                    ValidationIssue(
                        "error",
                        "unknown-touchpoint",
                        _(
                            "{where} assigns touchpoint {touchpoint}, which {map} does not "
                            "define ({suggestion}); fix the id or add the touchpoint to the map"
                        ).format(
                            where=where,
                            touchpoint=repr(rule.touchpoint),
                            map=the_map,
                            suggestion=suggestion(rule.touchpoint, touchpoints),
                        ),
                        (section, index, "touchpoint"),
                    )
                )
            if rule.phase is not None and rule.phase not in phases:
                issues.append(
                    ValidationIssue(
                        "error",
                        "unknown-phase",
                        _(
                            "{where} assigns phase {phase}, which {map} does not define "
                            "({suggestion}); fix the id or add the phase to the map"
                        ).format(
                            where=where,
                            phase=repr(rule.phase),
                            map=the_map,
                            suggestion=suggestion(rule.phase, phases),
                        ),
                        (section, index, "phase"),
                    )
                )
        return issues


# Last: the entries' model reads Condition (above); MappingRules names it.
from journeymap.model._unpivot import RowEvent, check_events_per_row  # noqa: E402

MappingRules.model_rebuild()
