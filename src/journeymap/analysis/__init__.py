"""Analysis results: every metric of a map against events, savable and convertible."""

from __future__ import annotations

from journeymap.analysis.compare import Comparison, compare
from journeymap.analysis.result import Analysis
from journeymap.analysis.run import analyze

__all__ = ["Analysis", "Comparison", "analyze", "compare"]
