"""The journey map: the one object that is both designed and measured."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field, ValidationInfo, model_validator

from journeymap.errors import MapValidationError, UsageError, ValidationIssue
from journeymap.i18n import gettext
from journeymap.model._base import ElementId, Model
from journeymap.model.cells import Emotion, StageCell
from journeymap.model.evidence import EvidenceSource
from journeymap.model.labels import BreakdownLabels, label_issues, value_label
from journeymap.model.mapping import MappingRules
from journeymap.model.personas import ROLE_NAMES, Persona
from journeymap.model.phases import Phase
from journeymap.model.touchpoints import Touchpoint
from journeymap.model.validation import LOCATE_CONTEXT, suggestion, validate_map

__all__ = ["JourneyMap", "Kind", "MapLanguage", "Status"]

MapLanguage = Literal["en", "da", "de"]
Kind = Literal["b2b", "b2c"]
Status = Literal["draft", "researched", "live"]


class JourneyMap(Model):
    """A customer journey map: phases, personas, touchpoints and what happens in each cell.

    Construction validates structure (types, ranges) and references (every phase, persona and
    touchpoint id used exists, ids are unique). Errors raise
    :class:`~journeymap.errors.MapValidationError` listing every problem with its path;
    :meth:`issues` returns errors and warnings without raising.

    Examples:
        >>> from journeymap.model import Phase, Touchpoint
        >>> m = JourneyMap(
        ...     id="demo", name="Demo",
        ...     phases=[Phase(id="awareness", name="Awareness", order=1)],
        ...     touchpoints=[Touchpoint(id="search-ads", name="Search ads",
        ...                             phases=["awareness"])],
        ... )
        >>> [t.id for t in m.touchpoints_in("awareness")]
        ['search-ads']
    """

    id: ElementId
    name: str = Field(min_length=1)
    description: str = ""
    language: MapLanguage = "en"
    kind: Kind = "b2b"
    owner: str | None = None
    status: Status = "draft"
    tags: list[str] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    personas: list[Persona] = Field(default_factory=list)
    touchpoints: list[Touchpoint] = Field(default_factory=list)
    cells: list[StageCell] = Field(default_factory=list)
    evidence: list[EvidenceSource] = Field(default_factory=list)
    mapping: MappingRules | None = None
    labels: BreakdownLabels = Field(
        default_factory=dict,
        description="Per breakdown column, the label the report shows for each raw value of "
        "the events (e.g. VisitorType: {Returning_Visitor: Returning visitor}), in the map's "
        "language.",
    )

    @model_validator(mode="after")
    def _references_resolve(self, info: ValidationInfo) -> JourneyMap:
        # A map file's loader passes where each path is in the file (LOCATE_CONTEXT).
        context = info.context if isinstance(info.context, dict) else {}
        locate = context.get(LOCATE_CONTEXT)
        found = validate_map(self, locate if callable(locate) else None)
        errors = [issue for issue in found if issue.severity == "error"]
        if errors:
            raise MapValidationError(errors)
        return self

    def issues(self) -> list[ValidationIssue]:
        """Every error and warning of the map (errors are empty for a constructed map)."""
        return validate_map(self) + label_issues(self)

    def value_label(self, column: str, value: object) -> str | None:
        """The label the map gives a breakdown value (its ``labels``), or None.

        Examples:
            >>> m = JourneyMap(id="shop", name="Shop", language="da",
            ...                labels={"VisitorType": {"New_Visitor": "Ny besøgende"}})
            >>> m.value_label("VisitorType", "New_Visitor"), m.value_label("VisitorType", "x")
            ('Ny besøgende', None)
        """
        return value_label(self.labels, column, value)

    def ordered_phases(self) -> list[Phase]:
        """Phases in journey order (by ``order``, then by position in the file)."""
        indexed = list(enumerate(self.phases))
        return [phase for _, phase in sorted(indexed, key=lambda item: (item[1].order, item[0]))]

    def phase(self, phase_id: str) -> Phase:
        """The phase with this id (``KeyError`` if absent)."""
        for phase in self.phases:
            if phase.id == phase_id:
                return phase
        raise KeyError(phase_id)

    def persona(self, persona_id: str) -> Persona:
        """The persona with this id (``KeyError`` if absent)."""
        for persona in self.personas:
            if persona.id == persona_id:
                return persona
        raise KeyError(persona_id)

    def touchpoint(self, touchpoint_id: str) -> Touchpoint:
        """The touchpoint with this id (``KeyError`` if absent)."""
        for touchpoint in self.touchpoints:
            if touchpoint.id == touchpoint_id:
                return touchpoint
        raise KeyError(touchpoint_id)

    def touchpoints_in(self, phase_id: str) -> list[Touchpoint]:
        """Touchpoints of a phase in the order customers meet them."""
        members = [
            (tp.order.get(phase_id, position), position, tp)
            for position, tp in enumerate(self.touchpoints)
            if phase_id in tp.phases
        ]
        return [tp for _, _, tp in sorted(members, key=lambda item: (item[0], item[1]))]

    def first_phase_of(self, touchpoint_id: str) -> str | None:
        """The earliest phase (journey order) a touchpoint belongs to, if any."""
        members = set(self.touchpoint(touchpoint_id).phases)
        for phase in self.ordered_phases():
            if phase.id in members:
                return phase.id
        return None

    def cells_for(
        self,
        phase_id: str,
        persona_id: str | None = None,
        touchpoint_id: str | None = None,
    ) -> list[StageCell]:
        """Cells of exactly this (phase, persona, touchpoint) key."""
        key = (phase_id, persona_id, touchpoint_id)
        return [cell for cell in self.cells if cell.key == key]

    def joined_phases(self, persona_id: str | None) -> list[Phase]:
        """Phases in journey order from the one the persona joins at (its ``joins_at``).

        A persona without ``joins_at``, and ``None`` (the whole buying center), is there from
        the first phase. The phases before are the ones ``journeymap show`` marks ``–``; the
        drawn map draws no emotion there.

        Raises:
            KeyError: ``persona_id`` is not a persona of the map.

        Examples:
            >>> from journeymap.model import Persona, Phase
            >>> m = JourneyMap(
            ...     id="demo", name="Demo",
            ...     phases=[Phase(id="awareness", name="Awareness", order=1),
            ...             Phase(id="decision", name="Decision", order=2)],
            ...     personas=[Persona(id="it", first_name="Thomas", joins_at="decision")],
            ... )
            >>> [phase.id for phase in m.joined_phases("it")]
            ['decision']
        """
        phases = self.ordered_phases()
        if persona_id is None:
            return phases
        joins_at = self.persona(persona_id).joins_at
        ids = [phase.id for phase in phases]
        return phases[ids.index(joins_at) :] if joins_at in ids else phases

    def emotion_curve(
        self, persona_id: str | None, *, since_joining: bool = False
    ) -> list[tuple[str, float | None]]:
        """Per phase in order, the persona's emotion score at phase level (``None`` if unset).

        A phase-level cell for the persona wins; else the mean of the persona's touchpoint
        cells in that phase; else the all-persona phase cell. With ``since_joining`` the curve
        starts at the phase the persona joins at (:meth:`joined_phases`): the phases before it
        are left out, not filled from the buying center's cells.
        """
        phases = self.joined_phases(persona_id) if since_joining else self.ordered_phases()
        curve: list[tuple[str, float | None]] = []
        for phase in phases:
            score: float | None = None
            own = [c for c in self.cells_for(phase.id, persona_id) if c.emotion]
            if own and own[0].emotion is not None:
                score = own[0].emotion.score
            else:
                touch_scores = [
                    c.emotion.score
                    for c in self.cells
                    if c.phase == phase.id
                    and c.persona == persona_id
                    and c.touchpoint is not None
                    and c.emotion is not None
                ]
                if touch_scores:
                    score = sum(touch_scores) / len(touch_scores)
                else:
                    shared = [c for c in self.cells_for(phase.id) if c.emotion]
                    if shared and shared[0].emotion is not None:
                        score = shared[0].emotion.score
            curve.append((phase.id, score))
        return curve

    def own_emotion_curve(self, persona_id: str | None) -> list[tuple[str, Emotion | None]]:
        """Per phase from joining on, the emotion entered for exactly this persona there.

        Unlike :meth:`emotion_curve` nothing is filled in: a phase without the persona's own
        phase-level cell (persona set, no touchpoint) is ``None``, a gap, never the buying
        center's emotion. ``None`` as ``persona_id`` is the whole buying center: its cells
        without persona and touchpoint, over every phase. Touchpoint cells are not part of a
        curve; their emotions belong to one touchpoint.

        Raises:
            KeyError: ``persona_id`` is not a persona of the map.

        Examples:
            >>> from journeymap.model import Emotion, Persona, Phase, StageCell
            >>> m = JourneyMap(
            ...     id="demo", name="Demo",
            ...     phases=[Phase(id="awareness", name="Awareness", order=1),
            ...             Phase(id="decision", name="Decision", order=2),
            ...             Phase(id="advocacy", name="Advocacy", order=3)],
            ...     personas=[Persona(id="buyer", first_name="Stefan", joins_at="decision")],
            ...     cells=[StageCell(phase=p, emotion=Emotion(score=s, label=t)) for p, s, t in
            ...            [("awareness", -1, "under pressure"), ("advocacy", 1.5, "proud")]]
            ...     + [StageCell(phase="decision", persona="buyer", emotion=Emotion(score=-0.5))],
            ... )
            >>> [(p, e.score if e else None) for p, e in m.own_emotion_curve("buyer")]
            [('decision', -0.5), ('advocacy', None)]
            >>> [(p, e.label if e else None) for p, e in m.own_emotion_curve(None)]
            [('awareness', 'under pressure'), ('decision', None), ('advocacy', 'proud')]
        """
        curve: list[tuple[str, Emotion | None]] = []
        for phase in self.joined_phases(persona_id):
            own = [cell.emotion for cell in self.cells_for(phase.id, persona_id) if cell.emotion]
            curve.append((phase.id, own[0] if own else None))
        return curve

    def for_personas(self, persona_ids: Iterable[str]) -> JourneyMap:
        """A copy of the map for one persona or a group: a journey map per persona.

        The copy keeps these personas (in the map's order) and their cells, at phase and
        touchpoint level, and the cells without persona: the whole buying center's, its
        emotion curve included. Phases, touchpoints and mapping rules stay as they are, and so
        does the id, so an analysis of the whole map still fits the copy. An evidence source
        keeps backing what is left; one that backed only other personas is left out. The name
        says whose map it is: the personas with their buying-center roles, in the map's
        language. The map itself is not changed.

        Args:
            persona_ids: Ids of the map's personas (one id alone is one persona); an id given
                twice counts once. None at all leaves the buying center's cells alone.

        Raises:
            UsageError: an id is not a persona of the map (with the ids it may mean).

        Examples:
            >>> from journeymap.model import Emotion, Persona, Phase, StageCell
            >>> m = JourneyMap(
            ...     id="demo", name="Demo",
            ...     phases=[Phase(id="decision", name="Decision", order=1)],
            ...     personas=[Persona(id="ceo", first_name="Jürgen", role="decider"),
            ...               Persona(id="buyer", first_name="Stefan", last_name="Weiß",
            ...                       role="buyer")],
            ...     cells=[StageCell(phase="decision", actions=["Compare offers"]),
            ...            StageCell(phase="decision", persona="ceo", emotion=Emotion(score=1)),
            ...            StageCell(phase="decision", persona="buyer", emotion=Emotion(score=-1))],
            ... )
            >>> stefan = m.for_personas(["buyer"])
            >>> stefan.name, [p.id for p in stefan.personas]
            ('Demo — Stefan Weiß (buyer)', ['buyer'])
            >>> [(cell.persona, cell.actions) for cell in stefan.cells]
            [(None, ['Compare offers']), ('buyer', [])]
            >>> len(m.personas), m.name
            (2, 'Demo')
        """
        # A local ``_``: the module's comprehensions use ``_`` as a throwaway name.
        from journeymap.model._i18n import _

        given = [persona_ids] if isinstance(persona_ids, str) else list(persona_ids)
        chosen = set(given)
        known = [persona.id for persona in self.personas]
        unknown = [persona_id for persona_id in given if persona_id not in known]
        if unknown:
            # The message of ``journeymap show --persona``: one wording, one translation.
            message = _("the map has no persona {persona} ({hint}); give --persona one of its ids")
            raise UsageError(
                message.format(persona=repr(unknown[0]), hint=suggestion(unknown[0], known))
            )
        # A deep copy first: changing the copy's cells or touchpoints leaves the map as it is.
        whole = self.model_copy(deep=True)
        personas = [persona for persona in whole.personas if persona.id in chosen]
        kept = {phase.id for phase in whole.phases} | {tp.id for tp in whole.touchpoints} | chosen
        evidence = []
        for source in whole.evidence:
            backs = [element for element in source.backs if element in kept]
            if backs or not source.backs:
                evidence.append(source.model_copy(update={"backs": backs}))
        whose = []
        for persona in personas:
            role = gettext(ROLE_NAMES[persona.role], whole.language) if persona.role else None
            whose.append(f"{persona.display_name} ({role})" if role else persona.display_name)
        return whole.model_copy(
            update={
                "name": f"{whole.name} — {', '.join(whose)}" if whose else whole.name,
                "personas": personas,
                "cells": [c for c in whole.cells if c.persona is None or c.persona in chosen],
                "evidence": evidence,
            }
        )
