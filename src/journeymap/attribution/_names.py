"""What a reader sees for each attribution model: its name, in the reader's language.

The tables, JSON and ``--model`` keep the ids (``first_touch``); a report, a chart and the
command line's tables show the names (``First touch``). This module loads no engine, so the
rendering of a saved analysis and the command line's help can read it.
"""

from __future__ import annotations

from journeymap.i18n import N_, gettext

__all__ = ["MODEL_NAMES", "model_name"]

MODEL_NAMES = {
    "first_touch": N_("First touch"),
    "last_touch": N_("Last touch"),
    "last_non_direct": N_("Last non-direct"),
    "linear": N_("Linear"),
    "participation": N_("Participation"),
    "position_based": N_("Position-based (U)"),
    "w_shaped": N_("W-shaped"),
    "full_path": N_("Full path"),
    "j_shaped": N_("J-shaped"),
    "inverse_j": N_("Inverse J"),
    "time_decay": N_("Time decay"),
    "custom": N_("Custom"),
    "markov": N_("Markov chain"),
    "shapley": N_("Shapley value"),
}


def model_name(model: str, language: str = "en") -> str:
    """The name a reader sees for an attribution model id (the id itself when unknown).

    Examples:
        >>> model_name("markov"), model_name("first_touch", "da"), model_name("mine")
        ('Markov chain', 'Første berøring', 'mine')
    """
    return gettext(MODEL_NAMES[model], language) if model in MODEL_NAMES else model
