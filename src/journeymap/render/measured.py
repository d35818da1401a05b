"""Read the measured figures render needs out of an :class:`~journeymap.analysis.Analysis`.

Render accepts the real ``Analysis`` or any ``(tables, summary)`` pair with the tables and
columns of docs/contracts.md; missing tables simply leave their overlay out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

import pyarrow as pa

__all__ = [
    "AnalysisLike",
    "EndedHere",
    "Measured",
    "SlowStep",
    "TouchpointFigures",
    "VariantCoverage",
    "measured_from",
]


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


@dataclass(frozen=True)
class TouchpointFigures:
    """A touchpoint's journeys and how they ended (``touchpoint_stats`` and ``dropoff``).

    Attributes:
        touchpoint: The touchpoint id.
        phase: The first phase the map draws it in; None for a touchpoint not on the map.
        events: Its events.
        journeys: Journeys that met it.
        conversions: Of those, the journeys that converted.
        ended: Of those, the journeys that did not convert and met it last (exit
            touchpoint); None when the analysis has no ``dropoff`` table.
        repeated: Of those, the journeys that met it more than once (the summary's
            ``touchpoint_repeats``); None when the summary lacks it (an older analysis).
    """

    touchpoint: str
    phase: str | None
    events: int
    journeys: int
    conversions: int
    ended: int | None
    repeated: int | None

    @property
    def conversion_rate(self) -> float | None:
        """``conversions`` of ``journeys``; None when no journey met it (no rate, not 0 %)."""
        return self.conversions / self.journeys if self.journeys else None


@dataclass(frozen=True)
class SlowStep:
    """One step between two touchpoints and the time journeys spent on it.

    Attributes:
        source: The touchpoint a journey left.
        target: The touchpoint it met next.
        transitions: How often a journey went from one to the other.
        median_seconds: The median time between them.
    """

    source: str
    target: str
    transitions: int
    median_seconds: float

    @property
    def time_lost_seconds(self) -> float:
        """``transitions`` x ``median_seconds``: what the step costs all journeys together.

        A step taken 13,521 times with a median of 45 hours weighs more than one taken 13
        times with a median of 6 days, which a ranking by either figure alone hides.
        """
        return self.transitions * self.median_seconds


@dataclass(frozen=True)
class VariantCoverage:
    """How many journeys the ``variants`` table's top variants cover, of how many.

    Attributes:
        shown: Variants in the table.
        covered: Journeys that follow one of them.
        journeys: All journeys.
        total: Distinct variants in all (the summary's ``variants_total``, or the table's
            rows when it holds fewer than it could); None when unknown.
    """

    shown: int
    covered: int
    journeys: int
    total: int | None


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

    def touchpoint_figures(self, order: list[tuple[str, str]]) -> list[TouchpointFigures]:
        """Each touchpoint's journeys, conversions, exits and repeats, in the map's order.

        ``order`` is (touchpoint id, phase id) in the map's phase order; the touchpoints of
        the events that the map does not have follow, most events first.
        """
        ended = self.ended_here()
        found = self.summary.get("touchpoint_repeats")
        repeats: dict[str, Any] | None = found if isinstance(found, dict) else None
        has_dropoff = "dropoff" in self.tables

        def figures(touchpoint: str, phase: str | None) -> TouchpointFigures:
            row = self.touchpoint_rows.get(touchpoint, {})
            journeys = int(row.get("journeys") or 0)
            exits = ended.get(touchpoint)
            return TouchpointFigures(
                touchpoint=touchpoint,
                phase=phase,
                events=int(row.get("events") or 0),
                journeys=journeys,
                conversions=int(row.get("conversions") or 0),
                ended=(exits.ended if exits else 0) if has_dropoff else None,
                repeated=None if repeats is None else int(repeats.get(touchpoint) or 0),
            )

        on_map = {touchpoint for touchpoint, _phase in order}
        rows = [figures(touchpoint, phase) for touchpoint, phase in order]
        rows += [
            figures(touchpoint, None)
            for touchpoint, row in self.touchpoint_rows.items()
            if touchpoint not in on_map and not row.get("on_map") and int(row["events"] or 0)
        ]
        return rows

    def slowest_steps(self) -> list[SlowStep]:
        """The steps of ``time_between_steps``, the most time lost first (see ``SlowStep``)."""
        steps = [
            SlowStep(
                str(row["from_touchpoint"]),
                str(row["to_touchpoint"]),
                int(row["transitions"] or 0),
                float(row["median_seconds"] or 0.0),
            )
            for row in self.rows("time_between_steps")
            if row.get("median_seconds") is not None
        ]
        return sorted(
            steps, key=lambda step: (-step.time_lost_seconds, -step.transitions, step.source)
        )

    def variant_coverage(self) -> VariantCoverage | None:
        """How far the ``variants`` table's top variants reach (None without the table)."""
        rows = self.rows("variants")
        journeys = self.summary.get("journeys")
        if not rows or not isinstance(journeys, int | float):
            return None
        total = self.summary.get("variants_total")
        options = self.summary.get("options")
        top = options.get("top_variants") if isinstance(options, dict) else None
        if not isinstance(total, int) and isinstance(top, int) and len(rows) < top:
            total = len(rows)  # the table holds every variant
        return VariantCoverage(
            shown=len(rows),
            covered=sum(int(row["journeys"] or 0) for row in rows),
            journeys=int(journeys),
            total=total if isinstance(total, int) else None,
        )

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
