"""Shared fixtures: where the real datasets are, and artifact folders for screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from journeymap.model import JourneyMap, Phase, Touchpoint

ROOT = Path(__file__).resolve().parent.parent
DATASETS = Path(os.environ.get("JOURNEYMAP_DATASETS", ROOT.parent / "shared" / "datasets"))
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The real, public datasets beside the project (``../shared/datasets``); never edited."""
    if not DATASETS.is_dir():
        pytest.fail(f"the shared datasets are missing at {DATASETS}; CI provides them there")
    return DATASETS


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """A folder for test artifacts (screenshots, rendered reports) kept after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def shop_map() -> JourneyMap:
    """A small shop for engine and analysis tests.

    Three phases: awareness (ad, blog), consideration (reviews), purchase (checkout, buy).
    """
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
