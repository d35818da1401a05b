"""Stage cells: what a persona does, wants, asks and feels in a phase (and at a touchpoint)."""

from __future__ import annotations

from pydantic import Field, field_validator

from journeymap.model._base import ElementId, Model
from journeymap.model._i18n import _

__all__ = ["EMOTION_MAX", "EMOTION_MIN", "KPI", "Emotion", "StageCell"]

EMOTION_MIN = -2.0
EMOTION_MAX = 2.0


class Emotion(Model):
    """How the persona feels: a score from -2 (very negative) to +2 (very positive)."""

    score: float
    label: str | None = None

    @field_validator("score")
    @classmethod
    def _score_in_range(cls, score: float) -> float:
        if not EMOTION_MIN <= score <= EMOTION_MAX:
            raise ValueError(
                _(
                    "emotion score {score} is outside -2..+2; use -2 (very negative), "
                    "-1, 0 (neutral), +1 or +2 (very positive)"
                ).format(score=f"{score:g}")
            )
        return score


class KPI(Model):
    """A key figure to watch for a cell, e.g. conversion rate with a target of 3 %.

    Attributes:
        name: What is measured.
        target: The value aimed for, if any.
        unit: Unit of ``target`` (``%``, ``days``, ``EUR``, ...).
        metric: Optional id of a measured metric this KPI is read from
            (e.g. ``conversion_rate``), so a report can put target and measurement side by side.
    """

    name: str = Field(min_length=1)
    target: float | None = None
    unit: str | None = None
    metric: str | None = None


class StageCell(Model):
    """The content of one cell of the map: a phase, optionally narrowed to a persona and touchpoint.

    Attributes:
        phase: The phase the cell belongs to (required).
        persona: The persona it describes; ``None`` means every persona of the map.
        touchpoint: The touchpoint it describes; ``None`` means the phase as a whole.
    """

    phase: ElementId
    persona: ElementId | None = None
    touchpoint: ElementId | None = None
    actions: list[str] = Field(default_factory=list)
    goals: list[str] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    information_needs: list[str] = Field(default_factory=list)
    emotion: Emotion | None = None
    pain_points: list[str] = Field(default_factory=list)
    opportunities: list[str] = Field(default_factory=list)
    kpis: list[KPI] = Field(default_factory=list)

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        """The cell's identity: (phase, persona, touchpoint)."""
        return (self.phase, self.persona, self.touchpoint)
