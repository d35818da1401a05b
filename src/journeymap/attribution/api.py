"""``attribute`` and ``compare_models``: one entry point for every model and level."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NamedTuple, TypeVar

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa

from journeymap.attribution import _settings  # noqa: F401  (registers the settings)
from journeymap.attribution._aggregate import (
    CONVERSION,
    SEG,
    KeyOf,
    Segments,
    key_sets,
    keyed,
    keys_seen,
    neighbour_transitions,
    prepare,
    segment_rows,
    touch_rows,
    transition_counts,
)
from journeymap.attribution._parameters import checked, example, named, names, value_of
from journeymap.attribution.heuristic import HEURISTICS, Credit, credits, validate
from journeymap.attribution.markov import MarkovResult, markov_from_counts
from journeymap.attribution.paths import PATH_LEVELS, Paths
from journeymap.attribution.shapley import shapley_values
from journeymap.engine._tables import drop_temporary, is_temporary
from journeymap.engine.journeys import (
    own_phases,
    phase_lookup,
    require_accounts,
    require_values,
    unknown_name_message,
)
from journeymap.errors import AttributionError, UsageError
from journeymap.i18n import N_
from journeymap.i18n.messages import _
from journeymap.model import JourneyMap, did_you_mean
from journeymap.settings import SETTINGS, resolve

__all__ = [
    "MODELS",
    "AttributionResult",
    "SegmentCache",
    "attribute",
    "check_values",
    "compare_models",
    "unread_parameters",
    "used_parameters",
]

MODELS = (*HEURISTICS, "markov", "shapley")
FIXED_LEVELS = ("touchpoint", "channel", "phase", "persona", "account")
# Levels whose key is read off the touchpoint alone (so also off the previous touchpoint).
TOUCHPOINT_KEYED = ("touchpoint", "channel")
SCHEMA = pa.schema(
    [
        ("level", pa.string()),
        ("key", pa.string()),
        ("conversions", pa.float64()),
        ("value", pa.float64()),
        ("share", pa.float64()),
    ]
)


@dataclass
class AttributionResult:
    """The credit one model gives each key of one level.

    Attributes:
        model: The model name (one of :data:`MODELS`).
        level: ``touchpoint``, ``channel``, ``phase``, ``persona``, ``account`` or a column.
        params: The parameters the model ran with.
        table: ``level``, ``key``, ``conversions``, ``value``, ``share`` (+ ``removal_effect``
            for Markov, ``standard_error`` for Shapley), sorted by credit.
        extras: Model-specific results (Markov: ``markov`` -> MarkovResult).
    """

    model: str
    level: str
    params: dict[str, Any]
    table: pa.Table
    extras: dict[str, Any] = field(default_factory=dict)

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame."""
        return self.table.to_pandas()


def _duration(value: Any) -> timedelta | None:
    from journeymap.engine.journeys import parse_duration

    return parse_duration(value)


def _given(params: dict[str, Any], name: str, default: Any) -> Any:
    """Parameter ``name`` read as its kind, ``default`` when not given (or None)."""
    value = value_of(name, params.get(name))
    return default if value is None else value


@contextlib.contextmanager
def _readable(journeys: ir.Table | Paths) -> Iterator[None]:
    """The driver's error for journeys whose database or table is gone, as what to do instead.

    As :meth:`journeymap.analysis.Analysis.attribution` says it for an analysis' journeys.
    """
    if isinstance(journeys, Paths) and journeys.closed:
        raise AttributionError(
            _(
                "these paths were closed (at the end of their 'with from_paths(...)' block, or "
                "by close()), which dropped their tables: attribute them inside the block, or "
                "read them again with from_paths()"
            )
        )
    import duckdb

    try:
        yield
    except duckdb.ConnectionException as error:
        raise AttributionError(
            _(
                "the database these journeys are read from has been closed; attribute them "
                "while it is open (inside the 'with Workspace(...)' block)"
            )
        ) from error
    except duckdb.CatalogException as error:
        # Only the journeys' own temporary table gone is ours to explain.
        if isinstance(journeys, Paths) or not is_temporary(journeys):
            raise
        op = journeys.op()
        if not isinstance(op, ops.DatabaseTable) or op.name not in str(error):
            raise
        raise AttributionError(
            _(
                "the journeys table no longer exists: an analysis drops its journeys when it "
                "is closed (close(), or the end of 'with analyze(...)'); attribute before "
                "closing, e.g. with analysis.attribution(...)"
            )
        ) from error


def _level_key(journey_map: JourneyMap | None, level: str, columns: list[str]) -> KeyOf:
    if level == "touchpoint":
        return lambda t: t.touchpoint
    if level == "channel":
        channels = {t.id: t.channel for t in journey_map.touchpoints} if journey_map else {}
        if not channels:  # no map: every touchpoint is unmapped
            return lambda t: ibis.literal("(unmapped)")
        return lambda t: t.touchpoint.substitute(channels, else_="(unmapped)")
    if level == "phase":
        return lambda t: t.phase.fill_null("(no phase)")
    if level == "account":
        return lambda t: t.person_id
    if level in columns and level not in SEG:
        return lambda t: t[level].cast("string").nullif("").fill_null("(none)")
    raise UsageError(
        unknown_name_message(
            _("unknown attribution level {level}").format(level=repr(level)),
            level,
            [
                (_("levels"), FIXED_LEVELS),
                (_("columns of the journeys"), [c for c in columns if c not in SEG]),
            ],
        )
    )


class SegmentCache:
    """Conversion segments of one journeys table, computed once per lookback and grouping.

    ``compare_models`` and :class:`~journeymap.analysis.Analysis` keep one so that every
    model and level reads the same temporary table. The journeys must not change while the
    cache is in use (an analysis' journeys are a snapshot).
    """

    def __init__(self, journeys: ir.Table | Paths) -> None:
        """Cache segments of ``journeys`` (path data bring their own)."""
        self.journeys = journeys
        self._prepared: dict[tuple[float | None, bool, bool], Segments] = {}
        # Results computed once per segments table (the touchpoint level's, which every level
        # read off the touchpoint is mapped from) or per journeys (checks, Markov chains).
        self._once: dict[tuple[int, str], Any] = {}

    def once(self, segments: Segments | None, name: str, compute: Callable[[], Any]) -> Any:
        """Result ``name`` of ``segments`` (of the journeys if ``None``), computed once."""
        key = (id(segments) if segments is not None else 0, name)
        if key not in self._once:
            self._once[key] = compute()
        return self._once[key]

    def get(
        self, lookback: timedelta | None, by_account: bool, conversion_touch: bool = True
    ) -> Segments:
        """The segments for this lookback, grouping and conversion touch (computed once)."""
        if isinstance(self.journeys, Paths):
            return self.journeys.segments  # owned by the Paths, which drop them
        key = (lookback.total_seconds() if lookback else None, by_account, conversion_touch)
        if key not in self._prepared:
            self._prepared[key] = prepare(
                self.journeys,
                lookback=lookback,
                by_account=by_account,
                conversion_touch=conversion_touch,
            )
        return self._prepared[key]

    def prepared(self) -> list[Segments]:
        """The segments computed so far (path data: theirs, once asked for)."""
        return list(self._prepared.values())

    def close(self) -> None:
        """Drop the segment tables; a later :meth:`get` computes them again."""
        drop_temporary(*(segments.table for segments in self._prepared.values()))
        self._prepared.clear()
        self._once.clear()

    def __enter__(self) -> SegmentCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _key_phases(journey_map: JourneyMap | None, params: dict[str, Any]) -> dict[str, Any]:
    """The W-shaped and full-path models' lead and decision phases, as the map names them.

    Left at their defaults (consideration, decision) on a map whose phases are named
    otherwise (a Danish or German template, a map of its own), they are the map's second and
    third phase, which is where the default template has them: the defaults would find no
    touch and silently spread those shares over the rest. Set explicitly, they must be
    phases of the map.
    """
    found: dict[str, Any] = {}
    phases = [phase.id for phase in journey_map.ordered_phases()] if journey_map else []
    problems = {
        "lead_phases": N_("the lead phases {phases} are not phases of the map"),
        "decision_phases": N_("the decision phases {phases} are not phases of the map"),
    }
    for name, position in (("lead_phases", 1), ("decision_phases", 2)):
        setting = f"attribution.{name}"
        chosen = value_of(name, resolve(setting, params.get(name)))
        if phases and chosen and not set(chosen) & set(phases):
            if chosen != tuple(SETTINGS[setting].default):
                raise UsageError(
                    unknown_name_message(
                        _(problems[name]).format(phases=", ".join(map(repr, chosen))),
                        chosen[0],
                        [(_("phases"), phases)],
                    )
                )
            chosen = (phases[position],) if len(phases) > position else ()
        found[name] = chosen
    return found


def _not_positive(given: Any) -> bool:
    """Whether ``given`` is a duration that is not positive: ``"0d"``, ``"-3d"``, a timedelta.

    :func:`~journeymap.engine.journeys.parse_duration` refuses a timedelta only when it is
    not positive; text that is no duration (``"3 days"``) is not one of these.
    """
    if isinstance(given, timedelta):
        return True
    written_as = re.fullmatch(r"(-?)\s*(\d+(?:\.\d+)?)\s*[smhdw]", str(given).strip().lower())
    return written_as is not None and (bool(written_as.group(1)) or not float(written_as.group(2)))


def _heuristic_options(params: dict[str, Any], journey_map: JourneyMap | None) -> dict[str, Any]:
    given = resolve("attribution.half_life", params.get("half_life"))
    try:
        half = _duration(given)
    except UsageError:
        if not _not_positive(given):
            raise  # no duration at all ('3 days'): it says how to write one
        half = None  # "0d": its advice to write none does not fit a half-life
    if half is None or half.total_seconds() <= 0:
        # parse_duration reads "0" and "none" as no duration: for a half-life that is
        # a mistake, not "use the default" (it silently became 7 days).
        raise UsageError(
            _("the time-decay half-life must be positive (e.g. 7d), got {given}").format(
                given=repr(given)
            )
        )
    # Read again after resolve: a config file may give the settings as text.
    return {
        "direct": value_of(
            "direct_touchpoints",
            resolve("attribution.direct_touchpoints", params.get("direct_touchpoints")),
        ),
        "u_weights": value_of(
            "u_weights", resolve("attribution.u_weights", params.get("u_weights"))
        ),
        "half_life_seconds": half.total_seconds(),
        "custom_weights": value_of("custom_weights", params.get("custom_weights")),
        **_key_phases(journey_map, params),
    }


class _Cut(NamedTuple):
    """How the journeys are cut into segments (the arguments of :meth:`SegmentCache.get`)."""

    lookback: timedelta | None
    by_account: bool
    conversion_touch: bool


def _choices(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    level: str,
    params: dict[str, Any],
    cache: SegmentCache,
) -> tuple[KeyOf, _Cut]:
    """The level's key, and how the journeys are cut into segments (:class:`_Cut`)."""
    lookback = _duration(resolve("attribution.lookback", params.get("lookback")))
    by_account = _given(params, "by_account", False) or level == "account"
    conversion_touch = value_of(
        "conversion_touch",
        resolve("attribution.conversion_touch", params.get("conversion_touch")),
    )
    if isinstance(journeys, Paths):
        near = did_you_mean(level, PATH_LEVELS) if level not in FIXED_LEVELS else None
        if near is not None:
            raise UsageError(
                unknown_name_message(
                    _("unknown attribution level {level}").format(level=repr(level)),
                    level,
                    [(_("levels"), PATH_LEVELS)],
                )
            )
        if level not in PATH_LEVELS:
            raise UsageError(
                _(
                    "path data carry no people, personas or other columns: attribute them at "
                    "the touchpoint, channel or phase level, not {level} (or attribute events)"
                ).format(level=repr(level))
            )
        if lookback is not None or by_account:
            raise UsageError(
                _(
                    "path data carry no times or accounts: a lookback window or by_account "
                    "needs events"
                )
            )
        mapped = journey_map is not None or (level == "phase" and bool(journeys.phase_of))
        if level != "touchpoint" and not mapped:
            # Without one every touchpoint is "(unmapped)": all the credit on one key.
            raise UsageError(
                _(
                    "the {level} level reads each touchpoint's {level} from the journey map; "
                    "give the map (--map MAP), or attribute at the touchpoint level"
                ).format(level=level)
            )
        # Their touches are those before the conversion already: nothing to leave out.
        return _level_key(journey_map, level, []), _Cut(None, False, True)
    key = _level_key(journey_map, level, list(journeys.columns))
    if by_account:  # one query per journeys table, however many models ask
        what = _("the account level") if level == "account" else "by_account"
        cache.once(None, "accounts checked", lambda: require_accounts(journeys, what))
    if level == "persona":
        check = functools.partial(require_values, journeys, "persona", _("the persona level"))
        cache.once(None, "personas checked", check)
    return key, _Cut(lookback, by_account, conversion_touch)


def _check_names(models: list[str]) -> None:
    """Raise a :class:`UsageError` naming the first model that is not one of :data:`MODELS`.

    With a near miss (``firsttouch``: ``first_touch``) and the models there are.
    """
    unknown = [str(name) for name in models if name not in MODELS]
    if unknown:
        name = unknown[0]
        problem = _("unknown attribution model {model}").format(model=repr(name))
        raise UsageError(unknown_name_message(problem, name, [(_("models"), MODELS)]))


def _check_models(journeys: ir.Table | Paths, models: list[str]) -> None:
    _check_names(models)
    if isinstance(journeys, Paths) and "time_decay" in models:
        raise UsageError(
            _(
                "the time-decay model needs the time of every touch, and path data carry none: "
                "leave time_decay out or attribute events"
            )
        )


def _keyed(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    level: str,
    params: dict[str, Any],
    cache: SegmentCache,
) -> tuple[Segments, ir.Table]:
    """The segments (from ``cache`` when given) keyed by ``level``."""
    key, cut = _choices(journeys, journey_map, level, params, cache)
    segments = cache.get(*cut)
    return segments, keyed(segments, key)


def _touchpoint_key(
    journeys: ir.Table,
    journey_map: JourneyMap | None,
    level: str,
    cache: SegmentCache | None = None,
) -> KeyOf | None:
    """The level's key as a function of the touchpoint alone, when it is one.

    Touchpoint and channel always are; the phase is when every event's phase is the one the
    map gives its touchpoint (checked on a materialized journeys table, once per ``cache``).
    """
    if level in TOUCHPOINT_KEYED:
        return _level_key(journey_map, level, list(journeys.columns))
    if level != "phase" or journey_map is None or not isinstance(journeys.op(), ops.PhysicalTable):
        return None  # a lazy journeys table would be computed once more for the check
    lookup = phase_lookup(journey_map)

    def differ() -> bool:
        pairs = journeys.select("touchpoint", "phase").distinct()  # a few rows to check
        return bool(own_phases(pairs, lookup).to_pyarrow().as_py())

    name = f"phases differ from {_map_reading(journey_map, 'phase')}"
    if cache.once(None, name, differ) if cache is not None else differ():
        return None
    return lambda t: t.touchpoint.substitute(lookup, else_=ibis.null("string")).fill_null(
        "(no phase)"
    )


# Heuristic models whose credit for a key read off the touchpoint is the sum of its
# touchpoints' credits. Participation counts a key once per segment however many of its
# touchpoints took part, and last non-direct reads the level's own direct keys.
SUMMABLE = frozenset(HEURISTICS) - {"participation", "last_non_direct"}
ByTouchpoint = Callable[[str], str]


def _from_touchpoint(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    level: str,
    cache: SegmentCache,
) -> ByTouchpoint | None:
    """The level's key of each touchpoint key, when the level is read off the touchpoint.

    Then the level's credits, seen keys and key sets are mapped from the touchpoint level's,
    computed once per segments table, instead of aggregating the touches again.
    """
    if level == "touchpoint":
        return _same_key
    if level == "channel":
        channels = {t.id: t.channel for t in journey_map.touchpoints} if journey_map else {}
        return lambda key: channels.get(key, "(unmapped)")
    if level != "phase" or journey_map is None:
        return None
    # Path phases are the map's by construction; journeys' are checked once per cache.
    if (
        not isinstance(journeys, Paths)
        and _touchpoint_key(journeys, journey_map, level, cache) is None
    ):
        return None
    # Path data keep the phases they were read with.
    lookup = journeys.phase_of if isinstance(journeys, Paths) else phase_lookup(journey_map)
    return lambda key: lookup.get(key, "(no phase)")


def _same_key(key: str) -> str:
    """The touchpoint level's own keys."""
    return key


def _map_reading(journey_map: JourneyMap | None, level: str) -> str:
    """What a level's key reads from the map, as text: part of a result's name in the cache."""
    if journey_map is None:
        return "no map"
    if level == "channel":
        return repr(sorted((t.id, t.channel) for t in journey_map.touchpoints))
    if level == "phase":
        return repr(sorted(phase_lookup(journey_map).items()))
    return ""


def _touchpoint_table(segments: Segments) -> ir.Table:
    return keyed(segments, _level_key(None, "touchpoint", []))


def _mapped(credit: Credit, by: ByTouchpoint) -> Credit:
    out: Credit = {}
    for key, (conversions, value) in credit.items():
        c, v = out.get(by(key), (0.0, 0.0))
        out[by(key)] = (c + conversions, v + value)
    return out


def _level_credits(
    segments: Segments,
    t: ir.Table,
    by: ByTouchpoint | None,
    cache: SegmentCache,
    models: list[str],
    options: dict[str, Any],
) -> dict[str, Credit]:
    """Heuristic credits at the level of ``t``, mapped from the touchpoint level where ``by``."""
    if by is None:
        return credits(t, models, **options)
    identity = by is _same_key  # the touchpoint level itself
    summed = [m for m in models if identity or m in SUMMABLE]
    own = [m for m in models if m not in summed]
    found = credits(t, own, **options) if own else {}
    have: dict[str, Credit] = cache.once(segments, f"credits {sorted(options.items())}", dict)
    missing = [m for m in summed if m not in have]
    if missing:
        have.update(credits(_touchpoint_table(segments), missing, **options))
    found.update({m: have[m] if identity else _mapped(have[m], by) for m in summed})
    return found


def _level_seen(
    segments: Segments, t: ir.Table, by: ByTouchpoint | None, cache: SegmentCache
) -> set[str]:
    if by is None:
        return keys_seen(t)
    seen = cache.once(segments, "seen", lambda: _touchpoints_seen(segments))
    return {by(key) for key in seen}


def _touchpoints_seen(segments: Segments) -> set[str]:
    if segments.touchpoints is None:
        return keys_seen(_touchpoint_table(segments))
    found = segments.touchpoints.to_pyarrow().column("touchpoint").to_pylist()
    return {str(touchpoint) for touchpoint in found}


def _level_sets(
    segments: Segments, t: ir.Table, by: ByTouchpoint | None, cache: SegmentCache
) -> list[tuple[frozenset[str], int, int, float]]:
    if by is None:
        return key_sets(t)
    sets = cache.once(segments, "sets", lambda: key_sets(_touchpoint_table(segments)))
    merged: dict[frozenset[str], tuple[int, int, float]] = {}
    for members, n, c, v in sets:
        key = frozenset(by(k) for k in members)
        n0, c0, v0 = merged.get(key, (0, 0, 0.0))
        merged[key] = (n0 + n, c0 + c, v0 + v)
    return [(key, n, c, v) for key, (n, c, v) in merged.items()]


def _markov(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    level: str,
    params: dict[str, Any],
    cache: SegmentCache,
) -> tuple[MarkovResult, dict[str, Any]]:
    """Markov from the journeys in one window pass (prepared segments under a lookback)."""
    order = _markov_order(params)
    collapse = _given(params, "collapse_repeats", True)
    key, cut = _choices(journeys, journey_map, level, params, cache)
    used = {
        "lookback": str(cut.lookback) if cut.lookback else None,
        "conversion_touch": cut.conversion_touch,
        "order": order,
        "collapse_repeats": collapse,
    }
    # An analysis asks for the same chain twice (in the side-by-side table and for the
    # removal effects); the journeys do not change while the cache lives.
    name = f"markov {level} {used} by account {cut.by_account} {_map_reading(journey_map, level)}"
    chain = cache.once(
        None,
        name,
        lambda: _chain(journeys, journey_map, level, cache, key, order, collapse, cut),
    )
    return chain, used


def _markov_order(params: dict[str, Any]) -> int:
    """The Markov order asked for (the parameter, else the setting), 1 to 4."""
    order: int = value_of("order", resolve("attribution.markov_order", params.get("order")))
    if not 1 <= order <= 4:
        raise UsageError(_("the Markov order must be 1 to 4, got {order}").format(order=order))
    return order


def _shapley_options(params: dict[str, Any]) -> tuple[int, str, int, int, str]:
    """Shapley's ``shapley_cap``, ``worth``, ``samples``, ``seed`` and ``shapley_method``."""
    cap = value_of("shapley_cap", resolve("attribution.shapley_cap", params.get("shapley_cap")))
    worth = str(params.get("worth", "conversions"))
    if worth not in {"conversions", "rate"}:
        raise UsageError(
            _("Shapley worth must be 'conversions' or 'rate', got {worth}").format(
                worth=repr(worth)
            )
        )
    samples, seed = _given(params, "samples", 2000), _given(params, "seed", 0)
    if samples < 2:
        # One sample has no spread to estimate a standard error from; none gave NaN credits.
        raise UsageError(
            _(
                "Shapley sampling needs at least 2 samples (permutations), got {samples}; "
                "give more, e.g. {example}"
            ).format(samples=samples, example=example("samples", 2000))
        )
    method = str(params.get("shapley_method", "auto"))
    if method not in {"auto", "enumerate", "dividends", "sampling"}:
        raise UsageError(
            _("Shapley method must be auto, enumerate, dividends or sampling, got {method}").format(
                method=repr(method)
            )
        )
    return cap, worth, samples, seed, method


def check_values(
    params: dict[str, Any],
    journey_map: JourneyMap | None,
    models: list[str] | tuple[str, ...] | None = None,
) -> None:
    """Refuse model parameter values that no journeys could make right, before any query.

    :func:`journeymap.analysis.analyze` calls it on its ``attribution={...}`` parameters so
    that a value such as ``lookback="3 days"`` fails before the journeys are measured (it
    was found only at the end, and the analysis came back without attribution).

    Args:
        params: Parameters read by ``_parameters.checked``.
        journey_map: The map (the W-shaped model's lead and decision phases must be its own).
        models: The models that will run; None: those :func:`compare_models` runs.

    Raises:
        UsageError: for a value the models would refuse.
    """
    _duration(resolve("attribution.lookback", params.get("lookback")))
    chosen = (
        list(models)
        if models is not None
        else [m for m in MODELS if m != "custom" or params.get("custom_weights")]
    )
    options = _heuristic_options(params, journey_map)
    # Which parameters the caller gave: a check names the others by their setting.
    given = frozenset(name for name, value in params.items() if value is not None)
    for model in chosen:
        if model in HEURISTICS:
            validate(model, options, given)
    if "markov" in chosen:
        _markov_order(params)
    if "shapley" in chosen:
        _shapley_options(params)


def _duration_text(duration: timedelta) -> str:
    """``14d``, ``36h``, ``90m``, ``45s``: days as marketers write a window, not ``2w``.

    Examples:
        >>> _duration_text(timedelta(days=14)), _duration_text(timedelta(hours=36))
        ('14d', '36h')
    """
    seconds = duration.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def used_parameters(params: dict[str, Any], journey_map: JourneyMap | None) -> dict[str, Any]:
    """Every model parameter as the models run with it: given, else its setting or default.

    Keyed by the parameter names of :func:`attribute` (so that it can be given back), in a
    JSON-friendly shape: durations as text (``"14d"``; ``lookback`` None: no window), weights
    and names as lists, ``custom_weights`` None when not given (the custom model then does
    not run in :func:`compare_models`). The lead and decision phases are those the models
    read (a map without the default phases: its second and third phase). ``shapley_method``
    is the method asked for; ``auto`` enumerates up to ``shapley_cap`` keys and uses the
    exact dividend form above. ``samples`` and ``seed`` are read by the sampling method only.

    Args:
        params: Parameters read by ``_parameters.checked``.
        journey_map: The map the lead and decision phases are read from.

    Raises:
        UsageError: for a value the models would refuse (as :func:`check_values`).
    """
    lookback = _duration(resolve("attribution.lookback", params.get("lookback")))
    conversion_touch = value_of(
        "conversion_touch",
        resolve("attribution.conversion_touch", params.get("conversion_touch")),
    )
    options = _heuristic_options(params, journey_map)
    cap, worth, samples, seed, method = _shapley_options(params)
    custom = options["custom_weights"]
    return {
        "lookback": _duration_text(lookback) if lookback else None,
        "conversion_touch": bool(conversion_touch),
        "half_life": _duration_text(timedelta(seconds=options["half_life_seconds"])),
        "u_weights": [float(w) for w in options["u_weights"]],
        "direct_touchpoints": [str(name) for name in options["direct"]],
        "custom_weights": [float(w) for w in custom] if custom else None,
        "lead_phases": [str(phase) for phase in options["lead_phases"]],
        "decision_phases": [str(phase) for phase in options["decision_phases"]],
        "order": _markov_order(params),
        "collapse_repeats": bool(_given(params, "collapse_repeats", True)),
        "shapley_cap": cap,
        "shapley_method": method,
        "worth": worth,
        "samples": samples,
        "seed": seed,
        "by_account": bool(_given(params, "by_account", False)),
    }


# The models that read each parameter; the others read every model.
READ_BY: dict[str, tuple[str, ...]] = {
    "half_life": ("time_decay",),
    "u_weights": ("position_based",),
    "direct_touchpoints": ("last_non_direct",),
    "custom_weights": ("custom",),
    "lead_phases": ("w_shaped", "full_path"),
    "decision_phases": ("w_shaped", "full_path"),
    "order": ("markov",),
    "collapse_repeats": ("markov",),
    "shapley_cap": ("shapley",),
    "shapley_method": ("shapley",),
    "worth": ("shapley",),
    "samples": ("shapley",),
    "seed": ("shapley",),
}
# Shapley reads these with shapley_method="sampling" only.
SAMPLING = ("samples", "seed")


def unread_parameters(
    params: Mapping[str, Any], models: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """The parameters given that none of ``models`` reads, each with the models that would.

    ``samples`` and ``seed`` are unread with Shapley too unless its method is sampling.

    Examples:
        >>> unread_parameters({"order": 3, "lookback": "7d"}, ["linear"])
        {'order': ('markov',)}
    """
    unread = {}
    for name in params:
        readers = READ_BY.get(name)
        if readers is None:
            continue
        if not set(readers) & set(models) or (
            name in SAMPLING and params.get("shapley_method") != "sampling"
        ):
            unread[name] = readers
    return unread


def _chain(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    level: str,
    cache: SegmentCache,
    key: KeyOf,
    order: int,
    collapse: bool,
    cut: _Cut,
) -> MarkovResult:
    counts = None
    # The journeys' own sequences serve when the segments would not differ from them: no
    # lookback cuts a touch off, and the conversion event is a touch of its own.
    whole = cut.lookback is None and cut.conversion_touch
    if isinstance(journeys, Paths):
        rows, group, order_by = segment_rows(keyed(journeys.segments, key))
        counts = transition_counts(rows, group, order_by, order, collapse)
    elif order == 1 and whole and not cut.by_account:
        by_touchpoint = _touchpoint_key(journeys, journey_map, level, cache)
        if by_touchpoint is not None:
            counts = neighbour_transitions(journeys, by_touchpoint, collapse)
    if counts is None:  # the window pass, over the journeys or the prepared segments
        assert not isinstance(journeys, Paths)
        if whole:
            rows, group, order_by = touch_rows(journeys, key, by_account=cut.by_account)
        else:
            rows, group, order_by = segment_rows(keyed(cache.get(*cut), key))
        counts = transition_counts(rows, group, order_by, order, collapse)
    ends = [row for row in counts if row["to"] == CONVERSION]
    total_c = float(sum(row["count"] for row in ends))
    total_v = float(sum(row["value"] for row in ends))
    return markov_from_counts(counts, total_c, total_v)


def attribute(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None = None,
    *,
    model: str = "markov",
    level: str = "touchpoint",
    cache: SegmentCache | None = None,
    **params: Any,
) -> AttributionResult:
    """Attribute every conversion (repeat conversions included) to the keys of ``level``.

    Args:
        journeys: The journeys table (docs/contracts.md, "Journeys"), or path data read by
            :func:`~journeymap.attribution.paths.from_paths`.
        journey_map: The map (touchpoint -> channel for ``level="channel"``).
        model: One of :data:`MODELS`.
        level: ``touchpoint``, ``channel``, ``phase``, ``persona`` (or any breakdown column),
            or ``account`` (journeys of all members of an account together; keys are members).
        cache: A :class:`SegmentCache` of ``journeys`` to reuse segments across calls.
        **params: ``lookback`` (e.g. ``"30d"``), ``conversion_touch`` (False: the
            conversion event's own touchpoint takes no credit, the touches before it share
            it; a conversion with no touch before it keeps its own), ``half_life``,
            ``u_weights``, ``direct_touchpoints``, ``custom_weights``, ``lead_phases``,
            ``decision_phases``, ``order`` and ``collapse_repeats`` (Markov), ``shapley_cap``,
            ``shapley_method``, ``worth`` (``conversions`` or ``rate``), ``samples``, ``seed``
            (Shapley), ``by_account``. Text is read as the command line reads it: lists separated by
            commas (``u_weights="0.4,0.2,0.4"``, ``lead_phases="consideration"``), whole
            numbers (``order="2"``) and yes/no values (``collapse_repeats="false"``).
            ``u_weights`` and ``custom_weights`` sum to 1; ``samples`` is at least 2; direct
            touchpoints other than the default are touchpoints of the map or the journeys (or
            channels, or keys of the level).

    Returns:
        An :class:`AttributionResult`.

    Raises:
        UsageError: for an unknown model, level, parameter name or parameter value.
        AttributionError: if the journeys lack required columns, or their database, their
            table or the paths were closed.
    """
    _check_models(journeys, [model])
    params = checked(params, ("model", "level", "cache"))
    return _with_cache(
        journeys, cache, lambda own: _attribute(journeys, journey_map, model, level, own, params)
    )


ResultT = TypeVar("ResultT")


def _with_cache(
    journeys: ir.Table | Paths,
    cache: SegmentCache | None,
    run: Callable[[SegmentCache], ResultT],
) -> ResultT:
    """``run`` with ``cache``, or with a cache of its own that is dropped after.

    Driver errors of closed journeys or paths are said in words (:func:`_readable`).
    """
    with _readable(journeys):
        if cache is None:
            with SegmentCache(journeys) as own:
                return run(own)
        return run(cache)


def _attribute(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    model: str,
    level: str,
    cache: SegmentCache,
    params: dict[str, Any],
) -> AttributionResult:
    extras: dict[str, Any] = {}
    columns: dict[str, dict[str, float]] = {}
    if model == "markov":
        result, used = _markov(journeys, journey_map, level, params, cache)
        extras["markov"] = result
        rows = {
            k: (result.conversions.get(k, 0.0), result.value.get(k, 0.0))
            for k in result.removal_effects
        }
        columns = {"removal_effect": result.removal_effects}
        table = _table(level, rows, result.total_conversions, columns)
        return AttributionResult(model, level, used, table, extras)
    segments, t = _keyed(journeys, journey_map, level, params, cache)
    by = _from_touchpoint(journeys, journey_map, level, cache)
    used = {
        "lookback": str(segments.lookback) if segments.lookback else None,
        "conversion_touch": segments.conversion_touch,
    }
    total_c, total_v = segments.conversions, segments.value
    seen = _level_seen(segments, t, by, cache)
    if model in HEURISTICS:
        options = _heuristic_options(params, journey_map)
        if model == "last_non_direct":
            _check_direct(
                options["direct"],
                journey_map,
                level,
                segments,
                seen,
                cache,
                given="direct_touchpoints" in params,
            )
        used.update(options)
        credit = _level_credits(segments, t, by, cache, [model], options)[model]
        rows = {k: credit.get(k, (0.0, 0.0)) for k in seen | set(credit)}
    else:
        cap, worth, samples, seed, method = _shapley_options(params)
        used.update(shapley_cap=cap, worth=worth, samples=samples, seed=seed, method=method)
        sets = _level_sets(segments, t, by, cache)
        per = [(s, (c / n if worth == "rate" else float(c))) for s, n, c, _ in sets]
        per_value = [(s, (v / n if worth == "rate" else v)) for s, n, _, v in sets]
        phi, error, exact = shapley_values(per, cap=cap, samples=samples, seed=seed, method=method)
        phi_v, _err, _ = shapley_values(
            per_value, cap=cap, samples=samples, seed=seed, method=method
        )
        sc = total_c / sum(phi.values()) if sum(phi.values()) else 0.0
        sv = total_v / sum(phi_v.values()) if sum(phi_v.values()) else 0.0
        rows = {k: (phi.get(k, 0.0) * sc, phi_v.get(k, 0.0) * sv) for k in seen}
        columns = {"standard_error": {k: e * sc for k, e in error.items()}}
        extras.update(exact=exact, players=len(phi))
    return AttributionResult(model, level, used, _table(level, rows, total_c, columns), extras)


def _table(
    level: str,
    rows: dict[str, tuple[float, float]],
    total: float,
    columns: dict[str, dict[str, float]],
) -> pa.Table:
    # Credits equal in exact arithmetic may differ in their last bits from run to run (the
    # engine sums floats in no fixed order): ranked at 9 decimals, ties fall to the key.
    keys = sorted(rows, key=lambda k: (-round(rows[k][0], 9), k))
    data: dict[str, list[Any]] = {
        "level": [level] * len(keys),
        "key": keys,
        "conversions": [rows[k][0] for k in keys],
        "value": [rows[k][1] for k in keys],
        "share": [rows[k][0] / total if total else 0.0 for k in keys],
    }
    schema = SCHEMA
    for name, values in columns.items():
        data[name] = [values.get(k, 0.0) for k in keys]
        schema = schema.append(pa.field(name, pa.float64()))
    return pa.table(data, schema=schema)


def compare_models(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None = None,
    *,
    level: str = "touchpoint",
    models: str | list[str] | tuple[str, ...] | None = None,
    cache: SegmentCache | None = None,
    **params: Any,
) -> pa.Table:
    """Every model side by side.

    Long format: ``model``, ``level``, ``key``, ``conversions``, ``value``, ``share``,
    ``standard_error`` (of the conversions' credit: Shapley's, 0 for its exact values;
    null for the other models). ``custom`` only runs when ``custom_weights`` is given. The
    segments are computed once and every heuristic model comes from the same single
    aggregation.

    Args:
        journeys: As for :func:`attribute`.
        journey_map: As for :func:`attribute`.
        level: As for :func:`attribute`.
        models: The models to run, as a list or as text separated by commas; None (the
            default) runs every model.
        cache: As for :func:`attribute`.
        **params: The model parameters of :func:`attribute`.

    Raises:
        UsageError: for an unknown model or an empty list of models, and as
            :func:`attribute` does.
        AttributionError: as :func:`attribute` does.
    """
    params = checked(params, ("level", "models", "cache"))
    named = None if models is None else list(names("models", models, ("linear", "markov")))
    if named == []:
        raise UsageError(
            _(
                "models={models} names no model: name one or more, e.g. "
                "models=['linear', 'markov'], or leave models out to compare every model"
            ).format(models=repr(models))
        )
    chosen = (
        named
        if named is not None
        else [m for m in MODELS if m != "custom" or params.get("custom_weights")]
    )
    if not chosen:
        raise AttributionError(_("no models to compare"))
    _check_names(chosen)
    if models is None and isinstance(journeys, Paths):
        chosen = [m for m in chosen if m != "time_decay"]  # path data have no times
    _check_models(journeys, chosen)
    return _with_cache(
        journeys, cache, lambda own: _compare(journeys, journey_map, level, chosen, own, params)
    )


def _compare(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    level: str,
    chosen: list[str],
    cache: SegmentCache,
    params: dict[str, Any],
) -> pa.Table:
    """:func:`compare_models` of checked models and parameters, on one segment cache."""
    heuristics = [m for m in chosen if m in HEURISTICS]
    found: dict[str, dict[str, tuple[float, float]]] = {}
    seen: set[str] = set()
    conversions = 0.0
    if heuristics:  # Markov alone needs no segments
        segments, t = _keyed(journeys, journey_map, level, params, cache)
        by = _from_touchpoint(journeys, journey_map, level, cache)
        options = _heuristic_options(params, journey_map)
        seen, conversions = _level_seen(segments, t, by, cache), segments.conversions
        if "last_non_direct" in heuristics:
            _check_direct(
                options["direct"],
                journey_map,
                level,
                segments,
                seen,
                cache,
                given="direct_touchpoints" in params,
            )
        found = _level_credits(segments, t, by, cache, heuristics, options)
    parts = []
    for name in chosen:
        if name in HEURISTICS:
            credit = found[name]
            rows = {k: credit.get(k, (0.0, 0.0)) for k in seen | set(credit)}
            table = _table(level, rows, conversions, {})
            error: pa.Array | pa.ChunkedArray = pa.nulls(table.num_rows, pa.float64())
        else:
            result = attribute(
                journeys, journey_map, model=name, level=level, cache=cache, **params
            )
            table = result.table.select(["level", "key", "conversions", "value", "share"])
            # Shapley reports a standard error (0 for its exact values); no other model does.
            error = (
                result.table.column("standard_error")
                if "standard_error" in result.table.column_names
                else pa.nulls(table.num_rows, pa.float64())
            )
        table = table.append_column(pa.field("standard_error", pa.float64()), error)
        parts.append(table.add_column(0, "model", pa.array([name] * table.num_rows, pa.string())))
    return pa.concat_tables(parts)


def _check_direct(
    direct: Sequence[str],
    journey_map: JourneyMap | None,
    level: str,
    segments: Segments,
    seen: set[str],
    cache: SegmentCache,
    *,
    given: bool = True,
) -> None:
    """Refuse a direct touchpoint that is no touchpoint of the map or the journeys.

    ``given``: the caller passed the touchpoints; else they come from the setting, which the
    message names (a wrong JOURNEYMAP_ATTRIBUTION_DIRECT_TOUCHPOINTS was blamed on --direct).

    A misspelt one (``chekout``) matched no touch, and last non-direct silently became last
    touch. The map's channels and the level's own keys count too: a level's direct keys are
    its own (a channel at the channel level), and an analysis credits the touchpoint,
    channel and phase levels with one set of parameters. The default, ``direct``, may well
    be missing from a map, as the default lead phases may.
    """
    if tuple(direct) == tuple(SETTINGS["attribution.direct_touchpoints"].default):
        return
    on_map = journey_map.touchpoints if journey_map else []
    touchpoints = {touchpoint.id for touchpoint in on_map}
    touchpoints |= cache.once(segments, "seen", lambda: _touchpoints_seen(segments))
    channels = {touchpoint.channel for touchpoint in on_map} - touchpoints
    keys = seen - touchpoints - channels  # of a phase or column level
    for name in direct:
        if name in touchpoints or name in channels or name in keys:
            continue
        raise UsageError(
            unknown_name_message(
                _(
                    "the direct touchpoint {name} ({option}) is not a touchpoint of the map or "
                    "the journeys"
                ).format(name=repr(name), option=named("direct_touchpoints", given)),
                name,
                [
                    (_("touchpoints"), sorted(touchpoints)),
                    (_("channels"), sorted(channels)),
                    (_("keys of the level"), sorted(keys)),
                ],
            )
        )
