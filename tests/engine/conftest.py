"""A small shop map for the engine tests."""

from __future__ import annotations

import pytest

from journeymap.model import JourneyMap, Phase, Touchpoint


@pytest.fixture
def shop_map() -> JourneyMap:
    """Three phases: awareness (ad, blog), consideration (reviews), purchase (checkout, buy)."""
    return JourneyMap(
        id="shop",
        name="Shop",
        phases=[
            Phase(id="awareness", name="Awareness", order=1),
            Phase(id="consideration", name="Consideration", order=2),
            Phase(id="purchase", name="Purchase", order=3),
        ],
        touchpoints=[
            Touchpoint(id="ad", name="Ad", channel="paid", phases=["awareness"]),
            Touchpoint(id="blog", name="Blog", channel="content", phases=["awareness"]),
            Touchpoint(id="reviews", name="Reviews", channel="reviews", phases=["consideration"]),
            Touchpoint(id="checkout", name="Checkout", channel="web", phases=["purchase"]),
            Touchpoint(id="buy", name="Buy", channel="web", phases=["purchase"]),
        ],
    )
