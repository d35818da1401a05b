"""The attribution model options `attribute` and `analyze` share: one spelling, one parsing.

Each option is a type alias (as the journey options of ``analyze_cmd`` are), and
:func:`model_parameters` turns the options given into the keyword parameters of
:func:`journeymap.attribution.attribute`. A message about a parameter names it as the
command line writes it (``--custom-weights 0.5,0.3,0.2``, not ``custom_weights=[...]``)
inside :func:`command_line_names`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeAlias, TypeVar

import typer

from journeymap.cli.app import _

if TYPE_CHECKING:
    from journeymap.attribution._parameters import Spelling

__all__ = [
    "OPTIONS",
    "CollapseOption",
    "ConversionTouchOption",
    "CustomWeightsOption",
    "DecisionPhasesOption",
    "DirectOption",
    "HalfLifeOption",
    "LeadPhasesOption",
    "LookbackOption",
    "OrderOption",
    "SamplesOption",
    "ShapleyMethodOption",
    "UWeightsOption",
    "command_line_names",
    "model_parameters",
]

P = ParamSpec("P")
R = TypeVar("R")

# The option of each model parameter (the others have none on the command line).
OPTIONS = {
    "lookback": "--lookback",
    "conversion_touch": "--conversion-touch",
    "half_life": "--half-life",
    "u_weights": "--u-weights",
    "direct_touchpoints": "--direct",
    "custom_weights": "--custom-weights",
    "lead_phases": "--lead-phases",
    "decision_phases": "--decision-phases",
    "order": "--order",
    "collapse_repeats": "--collapse",
    "shapley_method": "--shapley-method",
    "samples": "--samples",
    "by_account": "--by-account",
}

ConversionTouchOption: TypeAlias = Annotated[
    bool | None,
    typer.Option(
        "--conversion-touch/--no-conversion-touch",
        help="Whether the conversion event's own touchpoint (e.g. checkout) takes "
        "credit; --no-conversion-touch credits the touches before it (default: the "
        "attribution.conversion_touch setting, yes).",
    ),
]
LookbackOption: TypeAlias = Annotated[
    str | None, typer.Option("--lookback", help="Lookback window, e.g. 30d.")
]
OrderOption: TypeAlias = Annotated[int | None, typer.Option("--order", help="Markov order 1-4.")]
CollapseOption: TypeAlias = Annotated[
    bool | None,
    typer.Option(
        "--collapse/--no-collapse",
        help="Markov: collapse consecutive repeats of a touchpoint (default: collapse).",
    ),
]
HalfLifeOption: TypeAlias = Annotated[
    str | None, typer.Option("--half-life", help="Time-decay half-life, e.g. 7d.")
]
UWeightsOption: TypeAlias = Annotated[
    str | None,
    typer.Option("--u-weights", help="Position-based first,middle,last, e.g. 0.4,0.2,0.4."),
]
CustomWeightsOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        "--custom-weights",
        help="The custom model's position weights, e.g. 0.5,0.3,0.2 (the last one "
        "applies to later touches).",
    ),
]
DirectOption: TypeAlias = Annotated[
    str | None,
    typer.Option("--direct", help="Touchpoints last non-direct skips, e.g. direct,web."),
]
LeadPhasesOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        "--lead-phases",
        help="W-shaped/full path: phases whose first touch creates the lead "
        "(default consideration, else the map's second phase).",
    ),
]
DecisionPhasesOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        "--decision-phases",
        help="W-shaped/full path: phases whose first touch is the decision "
        "(default decision, else the map's third phase).",
    ),
]
ShapleyMethodOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        "--shapley-method",
        help="Shapley: auto (exact; default), enumerate, dividends (both exact) or sampling "
        "(an estimate with its standard error, shown as ± in the table).",
    ),
]
SamplesOption: TypeAlias = Annotated[
    int | None,
    typer.Option(
        "--samples", help="Shapley sampling: permutations drawn (at least 2; default 2000)."
    ),
]


def _numbers(option: str, text: str | None) -> tuple[float, ...] | None:
    """Comma-separated numbers of ``option``; a :class:`UsageError` for anything else."""
    from journeymap.attribution._settings import numbers_of
    from journeymap.errors import UsageError

    if text is None:
        return None
    try:
        return numbers_of(text)
    except ValueError:
        raise UsageError(
            _("{option} takes numbers separated by commas, e.g. 0.4,0.2,0.4; got {text}").format(
                option=option, text=repr(text)
            )
        ) from None


def _names(text: str | None) -> tuple[str, ...] | None:
    from journeymap.attribution._settings import names_of

    return None if text is None else names_of(text)


def model_parameters(
    *,
    lookback: str | None = None,
    conversion_touch: bool | None = None,
    order: int | None = None,
    collapse: bool | None = None,
    half_life: str | None = None,
    u_weights: str | None = None,
    custom_weights: str | None = None,
    direct: str | None = None,
    lead_phases: str | None = None,
    decision_phases: str | None = None,
    shapley_method: str | None = None,
    samples: int | None = None,
    by_account: bool | None = None,
) -> dict[str, Any]:
    """The keyword parameters of :func:`journeymap.attribution.attribute` the options give.

    Only those given: the ``attribution.*`` settings fill in the rest.

    Raises:
        UsageError: for weights that are not numbers separated by commas.
    """
    params = {
        "lookback": lookback,
        "conversion_touch": conversion_touch,
        "order": order,
        "collapse_repeats": collapse,
        "half_life": half_life,
        "u_weights": _numbers(OPTIONS["u_weights"], u_weights),
        "custom_weights": _numbers(OPTIONS["custom_weights"], custom_weights),
        "direct_touchpoints": _names(direct),
        "lead_phases": _names(lead_phases),
        "decision_phases": _names(decision_phases),
        "shapley_method": shapley_method,
        "samples": samples,
        "by_account": by_account,
    }
    return {name: value for name, value in params.items() if value is not None}


def _spelling() -> Spelling:
    from journeymap.attribution._parameters import Spelling
    from journeymap.settings import written

    def option(name: str) -> str:
        return OPTIONS.get(name, name)

    def example(name: str, value: Any) -> str:
        return f"{option(name)} {written(value)}"

    return Spelling(option=option, example=example)


def command_line_names(command: Callable[P, R]) -> Callable[P, R]:
    """Run ``command`` with messages that name model parameters by their options."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from journeymap.attribution._parameters import spelled

        with spelled(_spelling()):
            return command(*args, **kwargs)

    return wrapper
