"""Designed against measured feelings: the map's emotions confronted with what customers say.

Feedback scores are on the map's emotion scale already (the import normalises every scale to
-2..+2, see :mod:`journeymap.ingest.feedback`). Per touchpoint, per phase and, where the
feedback names a persona, per persona, :func:`compare_feedback` gives the number of answers,
their mean and its **95 % t-interval** (mean ± t(0.975, n-1) · s / √n; none for a single
answer), the designed emotion, the gap (measured - designed) and whether the interval excludes
the designed value (``significant``, only from :data:`MIN_ANSWERS` answers on: a handful of
equal answers has an interval of zero width).

Where the designed emotion comes from, most specific first (``designed_from``):

- a touchpoint: its cell in the phase (for the persona, then for everyone), else the phase's
  emotion (``phase``);
- a phase: the buying center's (all personas') phase emotion, else the mean of its
  touchpoint cells, as :meth:`~journeymap.model.JourneyMap.emotion_curve` gives it;
- a persona in a phase: the persona's curve (its cell, its touchpoint cells, the shared one).

Feedback about a touchpoint without a phase counts for the first of the touchpoint's phases
(journey order) with a designed emotion for it, else for its first phase.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from journeymap.model import JourneyMap

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

    from journeymap.ingest.workspace import Workspace as WorkspaceType

__all__ = [
    "COLUMNS",
    "LEVELS",
    "MIN_ANSWERS",
    "FeedbackComparison",
    "compare_feedback",
    "feedback_in",
    "feedback_tables",
]

MIN_ANSWERS = 5
"""Fewer answers than this are never flagged, whatever their interval."""
LEVELS = ("touchpoint", "phase", "persona", "persona_touchpoint")
COLUMNS = pa.schema(
    [
        ("level", pa.string()),
        ("phase", pa.string()),
        ("touchpoint", pa.string()),
        ("persona", pa.string()),
        ("name", pa.string()),
        ("n", pa.int64()),
        ("mean", pa.float64()),
        ("low", pa.float64()),
        ("high", pa.float64()),
        ("designed", pa.float64()),
        ("designed_from", pa.string()),
        ("gap", pa.float64()),
        ("significant", pa.bool_()),
    ]
)


@dataclass
class FeedbackComparison:
    """The comparison table (:data:`COLUMNS`), largest significant gaps first.

    Attributes:
        table: One row per level and element.
        answers: The answers compared.
        off_map: Answers about touchpoints, phases or personas the map no longer has, by id.
        map_name: The name of the map compared (None: not known).
        map_personas: The ids of its personas (None: not known); with ``map_name``, a
            renderer tells a persona's map (:meth:`JourneyMap.for_personas`) from the map.
    """

    table: pa.Table
    answers: int = 0
    off_map: dict[str, int] = field(default_factory=dict)
    map_name: str | None = None
    map_personas: tuple[str, ...] | None = None
    # The map and the answers compared, for :meth:`for_personas`.
    compared: tuple[JourneyMap, list[dict[str, Any]]] | None = field(
        default=None, repr=False, compare=False
    )

    def to_pandas(self) -> pd.DataFrame:
        """The table as a pandas DataFrame."""
        frame: pd.DataFrame = self.table.to_pandas()
        return frame

    def to_polars(self) -> pl.DataFrame:
        """The table as a polars DataFrame (needs the ``polars`` extra)."""
        from journeymap.engine._tables import polars_frame

        return polars_frame(self.table, "Converting the feedback comparison to polars")

    def rows(self, level: str | None = None) -> list[dict[str, Any]]:
        """The rows as dicts, of one level (``touchpoint``, ``phase``, ...) or all."""
        found: list[dict[str, Any]] = self.table.to_pylist()
        return [row for row in found if level is None or row["level"] == level]

    def for_personas(self, persona_ids: Iterable[str]) -> FeedbackComparison | None:
        """The comparison of these personas' answers alone, pooled; None if not known.

        Its ``touchpoint`` and ``phase`` rows count the personas' answers together (a
        group's map); the designed emotion is the shared one, as for all answers.

        Examples:
            >>> from journeymap.examples import example_path
            >>> from journeymap.mapfile import load_map
            >>> shop = load_map(example_path("fashion-webshop"))
            >>> answers = pa.table({"touchpoint": ["checkout"] * 3, "persona": ["sara", None, None],
            ...                     "score": [-2.0, 1.0, 1.0]})
            >>> [(r["n"], r["mean"]) for r in compare_feedback(shop, answers)
            ...     .for_personas(["sara"]).rows("touchpoint")]
            [(1, -2.0)]
        """
        if self.compared is None:
            return None
        journey_map, answers = self.compared
        chosen = set(persona_ids)
        mine = [row for row in answers if row.get("persona") in chosen]
        return compare_feedback(journey_map, pa.Table.from_pylist(mine, schema=_ANSWER_SCHEMA))


def _t_quantile(degrees: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.975, degrees))


def _stats(scores: list[float]) -> tuple[int, float, float | None, float | None]:
    """n, mean and the 95 % t-interval of the mean (None for fewer than two answers)."""
    n = len(scores)
    mean = sum(scores) / n
    if n < 2:
        return n, mean, None, None
    variance = sum((score - mean) ** 2 for score in scores) / (n - 1)
    half = _t_quantile(n - 1) * math.sqrt(variance / n)
    return n, mean, max(-2.0, mean - half), min(2.0, mean + half)


_ANSWER_SCHEMA = pa.schema(
    [
        ("map_id", pa.string()),
        ("touchpoint", pa.string()),
        ("phase", pa.string()),
        ("persona", pa.string()),
        ("score", pa.float64()),
    ]
)


def _answers(feedback: Any) -> list[dict[str, Any]]:
    """The answers as dicts from an Arrow table, a pandas/polars frame or a workspace."""
    from journeymap.ingest.feedback import read_feedback
    from journeymap.ingest.workspace import Workspace

    if isinstance(feedback, Workspace):
        feedback = read_feedback(feedback)
    if not isinstance(feedback, pa.Table):
        from journeymap.ingest.readers._common import arrow_table

        converted = arrow_table(feedback)
        if converted is None:
            raise TypeError(f"cannot read feedback from {type(feedback).__name__}")
        feedback = converted
    present = set(feedback.column_names)
    wanted = [c for c in ("map_id", "touchpoint", "phase", "persona", "score") if c in present]
    rows: list[dict[str, Any]] = feedback.select(wanted).to_pylist()
    return rows


class _Designed:
    """The designed emotions of a map, looked up as the module docstring says."""

    def __init__(self, journey_map: JourneyMap) -> None:
        self.map = journey_map
        self.curves: dict[str | None, dict[str, float | None]] = {
            None: dict(journey_map.emotion_curve(None))
        }
        for persona in journey_map.personas:
            self.curves[persona.id] = dict(journey_map.emotion_curve(persona.id))

    def cell(self, phase: str, persona: str | None, touchpoint: str) -> float | None:
        for cell in self.map.cells_for(phase, persona, touchpoint):
            if cell.emotion is not None:
                return cell.emotion.score
        return None

    def touchpoint_phase(self, touchpoint: str) -> str | None:
        """The phase feedback about ``touchpoint`` without a phase counts for."""
        member = set(self.map.touchpoint(touchpoint).phases)
        with_cell = {c.phase for c in self.map.cells if c.touchpoint == touchpoint and c.emotion}
        ordered = [phase.id for phase in self.map.ordered_phases()]
        for phase in ordered:
            if phase in with_cell:
                return phase
        return next((phase for phase in ordered if phase in member), None)

    def of(self, level: str, key: tuple[str | None, ...]) -> tuple[float | None, str | None]:
        phase, touchpoint, persona = key
        if phase is None:
            return None, None
        if level in {"touchpoint", "persona_touchpoint"} and touchpoint is not None:
            owners = [persona, None] if persona is not None else [None]
            for owner in owners:
                found = self.cell(phase, owner, touchpoint)
                if found is not None:
                    return found, "touchpoint"
        curve = self.curves.get(persona if level.startswith("persona") else None, {})
        found = curve.get(phase)
        if found is None:
            return None, None
        return found, "persona" if level.startswith("persona") else "phase"


def compare_feedback(journey_map: JourneyMap, feedback: Any) -> FeedbackComparison:
    """Compare the feedback's measured feelings with the map's designed emotions.

    Args:
        journey_map: The map whose emotions were designed.
        feedback: The answers: a :class:`~journeymap.ingest.workspace.Workspace` (its
            ``feedback`` table), or a table (Arrow, pandas, polars) with ``score`` (-2..+2)
            and ``touchpoint``, ``phase``, ``persona`` (each may be null). Rows of another
            map (a ``map_id`` column) are left out.

    Returns:
        The comparison, largest significant gaps first (then the other gaps, largest first;
        rows without a designed emotion last).

    Examples:
        >>> from journeymap.examples import example_path
        >>> from journeymap.mapfile import load_map
        >>> shop = load_map(example_path("fashion-webshop"))
        >>> answers = pa.table({"touchpoint": ["checkout"] * 6, "score": [-1.0, -1, -2, -1, 0, -1]})
        >>> row = compare_feedback(shop, answers).rows("touchpoint")[0]
        >>> row["name"], row["n"], row["designed"], round(row["gap"], 2), row["significant"]
        ('Checkout', 6, 1.5, -2.5, True)
    """
    designed = _Designed(journey_map)
    read = _answers(feedback)
    touchpoints = {tp.id: tp.name for tp in journey_map.touchpoints}
    phases = {phase.id: phase.name for phase in journey_map.phases}
    personas = {persona.id: persona.display_name for persona in journey_map.personas}
    groups: dict[tuple[str, tuple[str | None, ...]], list[float]] = defaultdict(list)
    off_map: dict[str, int] = defaultdict(int)
    answers = 0
    for row in read:
        if row.get("map_id") not in (None, journey_map.id) or row.get("score") is None:
            continue
        touchpoint, phase, persona = row.get("touchpoint"), row.get("phase"), row.get("persona")
        unknown = [
            value
            for value, known in ((touchpoint, touchpoints), (phase, phases), (persona, personas))
            if value is not None and value not in known
        ]
        if unknown:
            for value in unknown:
                off_map[str(value)] += 1
            continue
        if phase is None and touchpoint is not None:
            phase = designed.touchpoint_phase(touchpoint)
        score = float(row["score"])
        answers += 1
        if touchpoint is not None:
            groups[("touchpoint", (phase, touchpoint, None))].append(score)
        if phase is not None:
            groups[("phase", (phase, None, None))].append(score)
        if persona is not None and phase is not None:
            groups[("persona", (phase, None, persona))].append(score)
            if touchpoint is not None:
                groups[("persona_touchpoint", (phase, touchpoint, persona))].append(score)
    rows: list[dict[str, Any]] = []
    for (level, key), scores in groups.items():
        phase, touchpoint, persona = key
        n, mean, low, high = _stats(scores)
        value, source = designed.of(level, key)
        name = " · ".join(
            part
            for part in (
                personas.get(persona or ""),
                touchpoints.get(touchpoint or ""),
                phases.get(phase or "") if touchpoint is None else None,
            )
            if part
        )
        significant = (
            value is not None
            and low is not None
            and high is not None
            and n >= MIN_ANSWERS
            and not low <= value <= high
        )
        rows.append(
            {
                "level": level,
                "phase": phase,
                "touchpoint": touchpoint,
                "persona": persona,
                "name": name,
                "n": n,
                "mean": mean,
                "low": low,
                "high": high,
                "designed": value,
                "designed_from": source,
                "gap": None if value is None else mean - value,
                "significant": significant,
            }
        )
    rows.sort(
        key=lambda r: (
            not r["significant"],
            r["gap"] is None,
            -abs(r["gap"] or 0.0),
            LEVELS.index(r["level"]),
            r["name"],
        )
    )
    return FeedbackComparison(
        pa.Table.from_pylist(rows, schema=COLUMNS),
        answers,
        dict(off_map),
        map_name=journey_map.name,
        map_personas=tuple(persona.id for persona in journey_map.personas),
        compared=(journey_map, read),
    )


def feedback_in(workspace: WorkspaceType, journey_map: JourneyMap) -> FeedbackComparison | None:
    """The comparison for the feedback ``workspace`` holds for ``journey_map``; None if none.

    The hook :func:`journeymap.analysis.analyze` can call: a workspace without feedback (or
    without the feedback tables, a read-only one made before them) gives None.
    """
    from journeymap.ingest.feedback import read_feedback

    answers = read_feedback(workspace, journey_map.id)
    if answers.num_rows == 0:
        return None
    return compare_feedback(journey_map, answers)


def feedback_tables(source: Any, journey_map: JourneyMap) -> dict[str, pa.Table]:
    """``{"feedback": comparison table}`` when ``source`` is a workspace with feedback, else ``{}``.

    The one-line hook for :func:`journeymap.analysis.analyze`:
    ``tables.update(feedback_tables(source, journey_map))``; an analysis of an events table
    (no workspace) or of a workspace without feedback for the map is left as it was.

    Examples:
        >>> from journeymap.ingest.workspace import Workspace
        >>> from journeymap.examples import example_path
        >>> from journeymap.mapfile import load_map
        >>> with Workspace("duckdb://") as workspace:
        ...     feedback_tables(workspace, load_map(example_path("fashion-webshop")))
        {}
    """
    from journeymap.ingest.workspace import Workspace

    if not isinstance(source, Workspace):
        return {}
    compared = feedback_in(source, journey_map)
    return {} if compared is None else {"feedback": compared.table}
