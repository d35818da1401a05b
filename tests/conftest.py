"""Shared fixtures: where the real datasets are, and artifact folders for screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
