"""Settings of the attribution models (registered in :mod:`journeymap.settings`)."""

from __future__ import annotations

from journeymap.i18n import N_
from journeymap.i18n.messages import _
from journeymap.settings import Setting, parse_bool, parse_names, register

__all__ = ["LIST_SEPARATOR", "names_of", "numbers_of"]

LIST_SEPARATOR = ","


def numbers_of(text: str) -> tuple[float, ...]:
    """``"0.4, 0.2,0.4"`` -> ``(0.4, 0.2, 0.4)``.

    Raises:
        ValueError: for a part that is no number (in a user's words, not Python's).
    """
    try:
        return tuple(float(part) for part in text.split(LIST_SEPARATOR) if part.strip())
    except ValueError:
        raise ValueError(
            _("{text} is not a list of numbers separated by commas (e.g. 0.4,0.2,0.4)").format(
                text=repr(text)
            )
        ) from None


def names_of(text: str) -> tuple[str, ...]:
    """``"direct, web"`` -> ``("direct", "web")``."""
    return tuple(parse_names(text))


register(Setting("attribution.half_life", "7d", N_("Time-decay half-life (e.g. 7d, 12h)."), str))
register(
    Setting(
        "attribution.u_weights",
        (0.4, 0.2, 0.4),
        N_(
            "Position-based (U) shares of the first, middle and last touch (comma separated; "
            "they sum to 1)."
        ),
        numbers_of,
    )
)
register(
    Setting(
        "attribution.direct_touchpoints",
        ("direct",),
        N_(
            "Touchpoints (or level keys) that count as direct for last non-direct (comma "
            "separated)."
        ),
        names_of,
    )
)
register(
    Setting(
        "attribution.lookback",
        "none",
        N_("Lookback window before a conversion (e.g. 30d)."),
        str,
    )
)
register(
    Setting(
        "attribution.conversion_touch",
        True,
        N_(
            "Whether the conversion event's own touchpoint takes credit; no: the touches before "
            "the conversion share it (when the conversion event is mapped to a touchpoint such "
            "as checkout or contract signing, which would otherwise win every last-touch credit)."
        ),
        parse_bool,
    )
)
register(
    Setting(
        "attribution.shapley_cap",
        15,
        N_(
            "Most distinct keys for Shapley by coalition enumeration; above it the exact "
            "dividend closed form (a seeded sampling estimate only with the sampling method)."
        ),
        int,
    )
)
register(Setting("attribution.markov_order", 1, N_("Markov chain order (1 to 4)."), int))
register(
    Setting(
        "attribution.lead_phases",
        ("consideration",),
        N_(
            "Phases whose first touch is the lead-creation touch (W-shaped, full path); left "
            "at the default on a map without that phase, the map's second phase."
        ),
        names_of,
    )
)
register(
    Setting(
        "attribution.decision_phases",
        ("decision",),
        N_(
            "Phases whose first touch is the decision touch (W-shaped, full path); left at the "
            "default on a map without that phase, the map's third phase."
        ),
        names_of,
    )
)
