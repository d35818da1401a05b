"""Read the measured figures render needs out of an :class:`~journeymap.analysis.Analysis`.

Render accepts the real ``Analysis`` or any ``(tables, summary)`` pair with the tables and
columns of docs/contracts.md; missing tables simply leave their overlay out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

import pyarrow as pa

__all__ = ["AnalysisLike", "EndedHere", "Measured", "measured_from"]


class _HasTables(Protocol):
    tables: dict[str, pa.Table]
    summary: dict[str, Any]


AnalysisLike: TypeAlias = "_HasTables | tuple[dict[str, pa.Table], dict[str, Any]]"


@dataclass(frozen=True)
class EndedHere:
    """How many of the journeys that touched a touchpoint ended there without converting.

    Attributes:
        touchpoint: The touchpoint id.
        journeys: Journeys that touched it (``touchpoint_stats.journeys``).
        ended: Of those, the ones whose last touchpoint it was and that did not convert (the
            ``dropoff`` rows of this ``last_touchpoint``, summed over their last phases).
    """

    touchpoint: str
    journeys: int
    ended: int

    @property
    def share(self) -> float:
        """``ended`` of ``journeys`` (0 when no journey touched it)."""
        return self.ended / self.journeys if self.journeys else 0.0


@dataclass
class Measured:
    """The measured overlay, keyed by map ids.

    Attributes:
        tables: Every table of the analysis by name.
        summary: The analysis summary.
        phase_rows: Phase id -> ``phase_funnel`` row.
        touchpoint_rows: Touchpoint id -> ``touchpoint_stats`` row.
        attribution_model: The model whose shares are shown on the map (markov if present).
        attribution_share: Touchpoint id -> share under ``attribution_model``.
    """

    tables: dict[str, pa.Table]
    summary: dict[str, Any]
    phase_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    touchpoint_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    attribution_model: str | None = None
    attribution_share: dict[str, float] = field(default_factory=dict)

    def table(self, name: str) -> pa.Table:
        """The table ``name`` (empty when the analysis lacks it), as ``Analysis.table`` gives."""
        found = self.tables.get(name)
        return pa.table({}) if found is None else found

    def rows(self, table: str) -> list[dict[str, Any]]:
        """The rows of ``table`` as dicts (empty when the analysis lacks it)."""
        found = self.tables.get(table)
        return [] if found is None else list(found.to_pylist())

    def ended_here(self) -> dict[str, EndedHere]:
        """Touchpoint id -> the journeys that touched it and ended there without converting.

        Read from ``touchpoint_stats`` and ``dropoff``; touchpoints no journey touched are left
        out, and so is everything when the analysis lacks either table.
        """
        if "touchpoint_stats" not in self.tables or "dropoff" not in self.tables:
            return {}
        ended: dict[str, int] = {}
        for row in self.rows("dropoff"):
            if row.get("last_touchpoint") is not None:
                touchpoint = str(row["last_touchpoint"])
                ended[touchpoint] = ended.get(touchpoint, 0) + int(row["journeys"] or 0)
        return {
            touchpoint: EndedHere(touchpoint, int(row["journeys"]), ended.get(touchpoint, 0))
            for touchpoint, row in self.touchpoint_rows.items()
            if row.get("journeys")
        }

    @property
    def unused(self) -> list[str]:
        """Touchpoints on the map that have no events."""
        return [
            tp
            for tp, row in self.touchpoint_rows.items()
            if row.get("on_map") and not row["events"]
        ]

    @property
    def unmapped(self) -> list[tuple[str, int]]:
        """Event touchpoints not on the map, with their event counts."""
        return [
            (tp, int(row["events"] or 0))
            for tp, row in self.touchpoint_rows.items()
            if not row.get("on_map")
        ]


def measured_from(analysis: AnalysisLike | None) -> Measured | None:
    """Normalise an Analysis or a ``(tables, summary)`` pair; ``None`` stays ``None``."""
    if analysis is None:
        return None
    if isinstance(analysis, tuple):
        tables, summary = analysis
    else:
        tables, summary = analysis.tables, analysis.summary
    measured = Measured(dict(tables), dict(summary))
    for row in measured.rows("phase_funnel"):
        if "breakdown" in row and row.get("breakdown") not in (None, ""):
            continue
        measured.phase_rows.setdefault(str(row["phase"]), row)
    for row in measured.rows("touchpoint_stats"):
        measured.touchpoint_rows[str(row["touchpoint"])] = row
    attribution = [r for r in measured.rows("attribution") if r.get("level") == "touchpoint"]
    models = list(dict.fromkeys(str(r["model"]) for r in attribution))
    if models:
        chosen = "markov" if "markov" in models else models[0]
        measured.attribution_model = chosen
        measured.attribution_share = {
            str(r["key"]): float(r["share"] or 0.0) for r in attribution if r["model"] == chosen
        }
    return measured
