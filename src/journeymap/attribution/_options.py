"""The values the models run with: each parameter given, else its setting or default.

Read and checked before any query (:func:`check_values`), reported as run
(:func:`used_parameters`), and matched to the models that read them
(:func:`unread_parameters`). Their names and text forms are read by ``_parameters``.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from journeymap.attribution import _settings  # noqa: F401  (registers the settings)
from journeymap.attribution._models import MODELS
from journeymap.attribution._parameters import example, value_of
from journeymap.attribution.heuristic import HEURISTICS, validate
from journeymap.engine._checks import unknown_name_message
from journeymap.errors import UsageError
from journeymap.i18n import N_
from journeymap.i18n.messages import _
from journeymap.model import JourneyMap
from journeymap.settings import SETTINGS, resolve


def _duration(value: Any) -> timedelta | None:
    from journeymap.engine.journeys import parse_duration

    return parse_duration(value)


def _given(params: dict[str, Any], name: str, default: Any) -> Any:
    """Parameter ``name`` read as its kind, ``default`` when not given (or None)."""
    value = value_of(name, params.get(name))
    return default if value is None else value


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


def warn_unread(params: Mapping[str, Any], models: Sequence[str], *, stacklevel: int) -> None:
    """Warn (``UserWarning``) of each parameter given that none of ``models`` reads.

    ``attribute(..., model="linear", order=3)`` ran linear, which reads no Markov order, and
    said nothing: the command line notes it. The warning points at the caller's line, the
    caller of the function that calls this one (``stacklevel`` as :func:`warnings.warn`
    counts from here). A call from inside journeymap is left alone: the analysis and the
    command line say it their own way, once (and an analysis hands its own parameters to
    every model it runs, most of which read only some of them).
    """
    caller = sys._getframe(stacklevel - 1)
    if str(caller.f_globals.get("__name__", "")).split(".")[0] == "journeymap":
        return
    run = list(dict.fromkeys(str(model) for model in models))
    given = {name: value for name, value in params.items() if value is not None}
    for name, readers in unread_parameters(given, run).items():
        warnings.warn(
            unread_message(name, given[name], readers, run), UserWarning, stacklevel=stacklevel
        )


def unread_message(name: str, value: Any, readers: Sequence[str], run: Sequence[str]) -> str:
    """Why the parameter ``name=value`` changed nothing: the models ``run`` do not read it.

    ``readers``: the models that would read it (Shapley among them when it ran without
    sampling).
    """
    if set(readers) & set(run):  # Shapley ran, but does not sample
        message = _(
            "{parameter} changed nothing: Shapley reads it only with shapley_method='sampling'"
        )
    else:
        message = _(
            "{parameter} changed nothing: it is read only by {models}, which did not run "
            "here ({run} did)"
        )
    return message.format(
        parameter=f"{name}={value!r}", models=", ".join(readers), run=", ".join(run)
    )
