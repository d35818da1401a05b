"""The model names (:data:`MODELS`) and the checks that the models asked for exist."""

from __future__ import annotations

import ibis.expr.types as ir

from journeymap.attribution.heuristic import HEURISTICS
from journeymap.attribution.paths import Paths
from journeymap.engine._checks import unknown_name_message
from journeymap.errors import UsageError
from journeymap.i18n.messages import _

MODELS = (*HEURISTICS, "markov", "shapley")


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
