"""A small valid map as plain data, which each model test breaks in one place."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def map_data() -> dict[str, Any]:
    """Two phases, one persona, two touchpoints, one cell, one evidence source: all valid."""
    return {
        "id": "shop",
        "name": "Shop",
        "phases": [
            {"id": "awareness", "name": "Awareness", "order": 1},
            {"id": "purchase", "name": "Purchase", "order": 2},
        ],
        "personas": [{"id": "sara", "first_name": "Sara", "joins_at": "awareness"}],
        "touchpoints": [
            {"id": "social-ads", "name": "Social ads", "phases": ["awareness"]},
            {"id": "checkout", "name": "Checkout", "phases": ["purchase"]},
        ],
        "cells": [{"phase": "awareness", "persona": "sara", "emotion": {"score": 1}}],
        "evidence": [{"id": "analytics", "name": "Web analytics", "backs": ["checkout"]}],
    }
