"""Journey options: how journeys are cut and metrics computed, their settings and durations."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from numbers import Real
from typing import Any, Literal

from journeymap.engine._columns import RESERVED_NAMES
from journeymap.engine.period import check_order, iso, parse_bound
from journeymap.errors import UsageError
from journeymap.i18n import N_
from journeymap.i18n.messages import translate
from journeymap.settings import (
    Setting,
    as_bool,
    as_whole_number,
    one_of,
    parse_bool,
    parse_names,
    register,
    whole_number,
)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str | timedelta | float | None) -> timedelta | None:
    """Parse ``30m``, ``12h``, ``30d``, ``2w`` or ``90s`` into a timedelta (``none`` -> None).

    ``none``, ``off`` and the text ``0`` mean no duration (as the command line and the
    settings write it). A zero with a unit (``0m``) is refused: as a session gap it cut every
    event into a journey of its own. A negative duration cannot be written (the pattern takes
    no sign). A number is no duration: ``0`` is refused like ``timedelta(0)`` (None turns a
    duration off; ``conversion_window=0`` turned the window off without a word), and any
    other number, or text that is only a number, is told to give its unit.

    Examples:
        >>> parse_duration("30m")
        datetime.timedelta(seconds=1800)
        >>> parse_duration("0") is None
        True
        >>> parse_duration(7)
        Traceback (most recent call last):
        ...
        journeymap.errors.UsageError: 7 is a number without a unit; ... (e.g. '7d' or '7h')

    Raises:
        UsageError: for text that is no duration, a zero with a unit, a number, or a
            timedelta that is not positive.
    """
    number = isinstance(text, Real) and not isinstance(text, bool)
    if isinstance(text, timedelta) or number:
        assert isinstance(text, timedelta | Real)
        if text <= (timedelta(0) if isinstance(text, timedelta) else 0):
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
    if not number and cleaned in {"", "none", "off", "0"}:
        return None
    bare = isinstance(text, str) and re.fullmatch(r"\d+(?:\.\d+)?", cleaned) and float(cleaned)
    if number or bare:
        # 7 or '7': days? hours? Said, not guessed.
        raise UsageError(
            translate(
                N_(
                    "{text} is a number without a unit; write one of s, m, h, d or w after it "
                    "(e.g. {days} or {hours})"
                )
            ).format(
                text=repr(text) if bare else cleaned,
                days=repr(f"{cleaned}d"),
                hours=repr(f"{cleaned}h"),
            )
        )
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


register(
    Setting(
        "journeys.by",
        "person",
        N_("Build journeys per `person` or per `account` (B2B)."),
        one_of("person", "account"),
    )
)
register(
    Setting(
        "journeys.session_gap",
        None,
        N_("Split a journey after this much inactivity (e.g. 30m); none keeps one journey."),
        parse_duration,
    )
)
register(
    Setting(
        "journeys.after_conversion",
        "end",
        N_("After a conversion the journey `end`s (later events start a new one) or `continue`s."),
        one_of("end", "continue"),
    )
)
register(Setting("analysis.breakdown", [], N_("Columns to break funnels down by."), parse_names))
register(
    Setting(
        "analysis.separate_breakdowns",
        False,
        N_(
            "Break funnels down by each breakdown column on its own (one table per column) "
            "instead of by the combinations of their values."
        ),
        parse_bool,
    )
)
register(
    Setting(
        "analysis.since",
        None,
        N_(
            "Analyse only events from this date on (included): an ISO 8601 date or time (UTC "
            "unless a zone is given), or a span back from the data's last event (e.g. 90d)."
        ),
        parse_bound,
    )
)
register(
    Setting(
        "analysis.until",
        None,
        N_(
            "Analyse only events before this date (left out): an ISO 8601 date or time (UTC "
            "unless a zone is given), or a span back from the data's last event (e.g. 30d)."
        ),
        parse_bound,
    )
)
register(
    Setting(
        "funnel.conversion_window",
        timedelta(days=30),
        N_("A funnel step counts only within this time of the first step (e.g. 30d)."),
        parse_duration,
    )
)
register(
    Setting(
        "funnel.ordering",
        "ordered",
        N_("Funnel step ordering: any, ordered or strict."),
        one_of("any", "ordered", "strict"),
    )
)
register(
    Setting(
        "funnel.touchpoints",
        [],
        N_(
            "The touchpoint funnel's steps, in order (e.g. web,demo,checkout); empty: the map's "
            "touchpoints in phase order."
        ),
        parse_names,
    )
)
register(
    Setting(
        "dropoff.checkout",
        [],
        N_(
            "Touchpoints counted for checkout abandonment; empty: those whose id or catalog "
            "entry is checkout."
        ),
        parse_names,
    )
)
register(
    Setting(
        "paths.top",
        10,
        N_("How many top paths to list before the Other bucket."),
        whole_number(0),
    )
)
register(
    Setting(
        "paths.collapse_repeats",
        True,
        N_("Collapse consecutive repeats of a touchpoint in paths and Sankey edges."),
        parse_bool,
    )
)
register(
    Setting(
        "paths.sankey_steps",
        6,
        N_("How many steps the Sankey shows; longer journeys end in their outcome at the last."),
        whole_number(1),
    )
)
register(
    Setting(
        "correlation.prior",
        1.0,
        N_(
            "Prior of the odds ratios: 2 x prior journeys added to each row at the overall "
            "conversion rate, drawing the ratio towards 1."
        ),
        float,
    )
)
register(
    Setting(
        "correlation.min_support",
        5,
        N_("Fewest journeys touching a touchpoint to report it."),
        whole_number(0),
    )
)
register(Setting("correlation.confidence", 0.95, N_("Confidence level of odds-ratio CIs."), float))


@dataclass
class JourneyOptions:
    """How journeys are cut and how the metrics are computed.

    Attributes:
        by: ``person`` or ``account`` (an account reaches a phase when any member does).
        session_gap: Inactivity that starts a new journey; ``None`` never splits.
        after_conversion: ``end`` (events after a conversion start a new journey) or
            ``continue`` (repeat purchases stay in the journey).
        breakdown: Columns (e.g. ``persona`` or a raw column kept in ``extra``) to break down by.
        separate_breakdowns: Break the funnels down by each breakdown column on its own (rows
            whose ``breakdown`` names that column) instead of by the combinations of the
            columns' values (rows whose ``breakdown`` names them all, comma-separated).
        conversion_window: Funnel steps count only this long after step 1 (``None``: no limit).
        ordering: Funnel ordering, ``any``, ``ordered`` or ``strict``.
        top_paths: How many paths to list before ``Other``.
        collapse_repeats: Collapse consecutive repeats of a touchpoint in paths.
        correlation_prior: Prior of the odds ratio: ``2 * prior`` journeys per row at the
            overall conversion rate (:mod:`journeymap.engine.correlation`).
        correlation_min_support: Fewest journeys touching a touchpoint to report it.
        confidence: Confidence level of the odds-ratio intervals.
        funnel_touchpoints: Touchpoint funnel steps (default: the map's touchpoints in phase
            order).
        checkout_touchpoints: Touchpoints counted for checkout abandonment (default: those
            whose id or catalog entry is ``checkout``).
        top_variants: How many variants to list.
        sankey_steps: How many steps the Sankey edges cover.
        since: Analyse only events from this moment on (included): a date or time (text in
            ISO 8601, UTC unless it names a zone) or a span back from the data's last event
            (``"30d"``). Events are filtered before journeys are cut
            (:mod:`journeymap.engine.period`).
        until: Analyse only events before this moment (left out); as ``since``.
    """

    by: Literal["person", "account"] = "person"
    session_gap: timedelta | None = None
    after_conversion: Literal["end", "continue"] = "end"
    breakdown: list[str] = field(default_factory=list)
    separate_breakdowns: bool = False
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
    since: datetime | timedelta | None = None
    until: datetime | timedelta | None = None

    def __post_init__(self) -> None:
        """Check the choices so a typo fails with a clear message."""
        self.session_gap = parse_duration(self.session_gap)
        self.conversion_window = parse_duration(self.conversion_window)
        self.since = parse_bound(self.since, "since")
        self.until = parse_bound(self.until, "until")
        check_order(self.since, self.until)
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
        for name in ("collapse_repeats", "separate_breakdowns"):
            flag = as_bool(getattr(self, name))
            if flag is None:
                raise UsageError(
                    translate(
                        N_("{name}={value} is not a yes/no value (true/false, yes/no, on/off, 1/0)")
                    ).format(name=name, value=repr(getattr(self, name)))
                )
            setattr(self, name, flag)
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
            "separate_breakdowns": "analysis.separate_breakdowns",
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
            "since": "analysis.since",
            "until": "analysis.until",
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
        for name in ("since", "until"):
            # A moment in ISO 8601; a span not yet taken back from the data's end as written.
            value = getattr(self, name)
            data[name] = iso(value) if isinstance(value, datetime) else _written(value)
        return data


def _written(value: timedelta | None) -> str | None:
    from journeymap.settings import written

    return None if value is None else written(value)


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
