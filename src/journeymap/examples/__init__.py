"""Bundled example maps: complete, commented journey maps that double as format documentation.

Every example is written in English; a translation sits beside it as ``NAME.LANG.yaml``
(:mod:`journeymap.examples.translations`).

Examples:
    >>> sorted(EXAMPLES)
    ['fashion-webshop', 'industrial-machinery', 'online-yoga', 'payment-provider']
    >>> example_path("online-yoga").name
    'online-yoga.yaml'
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from journeymap.errors import UsageError

__all__ = ["EXAMPLES", "example_path", "list_examples"]

EXAMPLES: dict[str, str] = {
    "payment-provider": (
        "B2B: an online-shop operator's buying center looks for a payment provider "
        "(5 personas, all 16 of the seeds' catalog touchpoints)"
    ),
    "fashion-webshop": (
        "B2C webshop: Sara buys a summer-party outfit; the size guide decides the sale"
    ),
    "online-yoga": (
        "B2C subscription (classic4 phases): Oskar starts a free trial of online yoga; "
        "video samples decide"
    ),
    "industrial-machinery": (
        "B2B industrial: a machine-tool maker sells an automated machining cell to a buying "
        "center joining at three phases (also in Danish and German: --lang da|de)"
    ),
}


def list_examples() -> list[tuple[str, str]]:
    """Return ``(name, description)`` of every bundled example, in a stable order."""
    return list(EXAMPLES.items())


def example_path(name: str) -> Path:
    """Return the path of a bundled example map.

    Raises:
        UsageError: if there is no example with this name (the message lists them).
    """
    if name not in EXAMPLES:
        known = ", ".join(EXAMPLES)
        raise UsageError(f"there is no example map called {name!r}; choose one of: {known}")
    resource = resources.files(__name__).joinpath(f"{name}.yaml")
    return Path(str(resource))
