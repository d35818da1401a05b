"""Use cases behind the map commands: create, validate, show and compare journey map files."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeymap.errors import Location, UsageError, ValidationIssue
from journeymap.examples.translations import translated_example_path
from journeymap.i18n import LANGUAGES, N_, current_language, format_decimal, gettext
from journeymap.mapfile import holds_rules, load_map, load_map_document, load_rules
from journeymap.model import (
    PHASE_TEMPLATES,
    JourneyMap,
    MapDiff,
    Persona,
    Phase,
    StageCell,
    Touchpoint,
    catalog_touchpoint,
    diff_maps,
    phase_template,
    suggestion,
)

__all__ = [
    "LANES",
    "MapView",
    "PersonaRow",
    "TouchpointRow",
    "diff_map_files",
    "init_map",
    "show_map",
    "validate_file",
    "validate_map_file",
]

LANES: tuple[str, ...] = (
    "actions",
    "goals",
    "questions",
    "needs",
    "information_needs",
    "pain_points",
    "opportunities",
    "kpis",
)
"""Cell fields summarised as lanes by :func:`show_map`, in display order (the drawn map's)."""


def _map_id(path: Path) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.:\-]+", "-", path.stem).strip("-._:")
    return cleaned or "journey-map"


# Catalog touchpoints a new skeleton places, per phase position; a four-phase template puts
# the fifth group into its last phase.
_SKELETON_TOUCHPOINTS: tuple[tuple[str, ...], ...] = (
    ("search-ads", "social-ads"),
    ("online-shop", "review-portals"),
    ("checkout",),
    ("newsletter", "customer-service"),
    ("recommendations",),
)

_NEW_MAP = N_("New journey map")
_ONLINE_SHOP = N_("Online shop")
_PERSONA_JOB = N_("Describe the persona's job")
_PERSONA_GOAL = N_("What does the persona want to achieve?")
_PERSONA_NEED = N_("What does the persona need?")
_PERSONA_QUESTION = N_("Which questions does the persona ask?")
_PERSONA_FRUSTRATION = N_("What frustrates the persona?")
_CELL_ACTION = N_("What does the customer do in this phase?")
_CELL_GOAL = N_("What does the customer want to achieve?")
_CELL_QUESTION = N_("Which questions does the customer ask?")
_CELL_NEED = N_("What does the customer need here?")
_CELL_FEELING = N_("How does the customer feel here?")
_NO_SUCH_PERSONA = N_("the map has no persona {persona} ({hint}); give --persona one of its ids")

# The skeleton's comments, one paragraph each (wrapped when written, so a translation may be
# longer than the English). Field names and values stay English: the file format's own words.
_ABOUT = N_(
    "A journey map made by `journeymap init --template {template} --lang {lang}`. Fill it "
    "in step by step; `journeymap validate` checks it, `journeymap show` draws it. The "
    "bundled examples document every field: journeymap init --example payment-provider"
)
_ABOUT_LANGUAGE = N_("en, da or de: the language of the names and texts below")
_ABOUT_KIND = N_("b2b (a buying center of several personas) or b2c")
_ABOUT_STATUS = N_("draft -> researched (backed by evidence) -> live (measured)")
_ABOUT_PHASES = N_(
    "Phases in journey order; rename them freely. The ids (a-z, 0-9 and '-', no accents) "
    "are what the rest of the map refers to."
)
_ABOUT_PERSONAS = N_(
    "Buyer personas. In B2B add one per buying-center member; `role` is one of initiator, "
    "user, influencer, decider, buyer, gatekeeper, and `joins_at` the phase they join at."
)
_ABOUT_TOUCHPOINTS = N_(
    "Touchpoints, in the order customers meet them. `catalog` names the built-in entry; mode "
    "is online/offline, influence direct (ours) or indirect (third parties)."
)
_ABOUT_CELLS = N_(
    "One cell per phase: what the customer does, wants, asks, needs and feels there. Add "
    "`persona:` or `touchpoint:` to a cell to narrow it; the emotion score runs from -2 (very "
    "negative) to +2 (very positive)."
)
_ABOUT_EVIDENCE = N_(
    "Where the knowledge comes from: origin internal (own data) or external (studies, reports)."
)

# The example persona's name in each language: a placeholder name a reader there recognises.
_EXAMPLE_PERSONA = {
    "en": ("Alex", "Example"),
    "da": ("Jens", "Jensen"),
    "de": ("Max", "Mustermann"),
}
_COMMENT_WIDTH = 100


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML 1.2)."""
    return json.dumps(text, ensure_ascii=False)


def _comment(message: str, language: str, **values: str) -> list[str]:
    """``message`` in ``language`` as YAML comment lines, wrapped to the file's width."""
    text = gettext(message, language).format(**values)
    return ["# " + line for line in textwrap.wrap(text, _COMMENT_WIDTH - 2, break_on_hyphens=False)]


def _skeleton_yaml(map_id: str, template: str, lang: str) -> str:
    """The text of a new, commented map from a phase template in ``lang``.

    Everything a reader sees is in ``lang``: the comments, the names, the example persona and
    the placeholder texts. Keys, ids and choice values stay English: the file format needs them.
    """
    if template not in PHASE_TEMPLATES:
        raise UsageError(
            f"there is no phase template {template!r}; choose one of: " + ", ".join(PHASE_TEMPLATES)
        )
    if lang not in LANGUAGES:
        raise UsageError(f"unsupported language {lang!r}; choose one of: {', '.join(LANGUAGES)}")

    def text(message: str) -> str:
        return _quote(gettext(message, lang))

    phases = phase_template(template, lang)
    groups = [list(group) for group in _SKELETON_TOUCHPOINTS[: len(phases)]]
    for extra in _SKELETON_TOUCHPOINTS[len(phases) :]:
        groups[-1].extend(extra)
    kind = "b2b" if template == "b2b" else "b2c"
    first_name, last_name = _EXAMPLE_PERSONA[lang]
    lines = [
        *_comment(_ABOUT, lang, template=template, lang=lang),
        f"id: {map_id}",
        f"name: {text(_NEW_MAP)}",
        f"language: {lang}    # {gettext(_ABOUT_LANGUAGE, lang)}",
        f"kind: {kind}       # {gettext(_ABOUT_KIND, lang)}",
        f"status: draft   # {gettext(_ABOUT_STATUS, lang)}",
        "",
        *_comment(_ABOUT_PHASES, lang),
        "phases:",
    ]
    for phase in phases:
        lines += [
            f"  - id: {phase.id}",
            f"    name: {_quote(phase.name)}",
            f"    description: {_quote(phase.description)}",
            f"    order: {phase.order}",
        ]
    lines += [
        "",
        *_comment(_ABOUT_PERSONAS, lang),
        "personas:",
        "  - id: persona-1",
        f"    first_name: {_quote(first_name)}",
        f"    last_name: {_quote(last_name)}",
        f"    job: {text(_PERSONA_JOB)}",
        f"    role: {'decider' if kind == 'b2b' else 'buyer'}",
        f"    joins_at: {phases[0].id}",
        f"    goals: [{text(_PERSONA_GOAL)}]",
        f"    needs: [{text(_PERSONA_NEED)}]",
        f"    questions: [{text(_PERSONA_QUESTION)}]",
        f"    frustrations: [{text(_PERSONA_FRUSTRATION)}]",
        "",
        *_comment(_ABOUT_TOUCHPOINTS, lang),
        "touchpoints:",
    ]
    for phase, group in zip(phases, groups, strict=True):
        for catalog_id in group:
            touchpoint = catalog_touchpoint(catalog_id, lang)
            name = touchpoint.name
            if kind == "b2c" and catalog_id == "online-shop":  # the catalog's is "(B2B) ..."
                name = gettext(_ONLINE_SHOP, lang)
            lines += [
                f"  - id: {touchpoint.id}",
                f"    name: {_quote(name)}",
                f"    catalog: {catalog_id}",
                f"    channel: {touchpoint.channel}",
                f"    mode: {touchpoint.mode}",
                f"    influence: {touchpoint.influence}",
                f"    phases: [{phase.id}]",
            ]
    lines += ["", *_comment(_ABOUT_CELLS, lang), "cells:"]
    for phase in phases:
        lines += [
            f"  - phase: {phase.id}",
            f"    actions: [{text(_CELL_ACTION)}]",
            f"    goals: [{text(_CELL_GOAL)}]",
            f"    questions: [{text(_CELL_QUESTION)}]",
            f"    needs: [{text(_CELL_NEED)}]",
            "    pain_points: []",
            "    opportunities: []",
            f"    emotion: {{score: 0, label: {text(_CELL_FEELING)}}}",
        ]
    lines += ["", *_comment(_ABOUT_EVIDENCE, lang), "evidence: []"]
    return "\n".join(lines) + "\n"


def init_map(
    path: str | Path,
    template: str = "b2b",
    lang: str = "en",
    example: str | None = None,
    *,
    force: bool = False,
) -> JourneyMap:
    """Write a new, valid and commented journey map file and return the map in it.

    Args:
        path: Where to write the map (``.yaml``/``.yml``; parent folders are created).
        template: Phase template of a new skeleton: ``b2b``, ``webshop`` or ``classic4``.
        lang: Language of the skeleton's names and texts: ``en``, ``da`` or ``de``; with
            ``example``, the language of the example's translation to copy.
        example: Name of a bundled example to copy (comments included) instead of a
            skeleton.
        force: Overwrite an existing file.

    Raises:
        UsageError: the file exists (and ``force`` is not set), or the template, language or
            example is unknown, or the example has no translation into ``lang``.

    Examples:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "shop.yaml"
        >>> [p.id for p in init_map(target, "classic4", "de").phases]
        ['attention', 'consideration', 'decision', 'evaluation']
    """
    target = Path(path)
    if target.exists() and not force:
        raise UsageError(
            f"{target} already exists; choose another path or pass --force to overwrite it"
        )
    if target.suffix.lower() not in {".yaml", ".yml"}:
        raise UsageError(f"{target}: a new map is written as YAML; use a .yaml or .yml name")
    source = None if example is None else translated_example_path(example, lang)
    target.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        shutil.copyfile(source, target)
    else:
        target.write_text(_skeleton_yaml(_map_id(target), template, lang), encoding="utf-8")
    return load_map(target)


def _node_location(tree: Any, path: tuple[str | int, ...], source: str) -> Location | None:
    """Line and column of ``path`` in a ruamel round-trip tree (``None`` if not found)."""
    node = tree
    line: int | None = None
    column: int | None = None
    for part in path:
        lc = getattr(node, "lc", None)
        try:
            child = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if lc is not None:
            try:
                position = lc.key(part) if isinstance(part, str) else lc.item(part)
            except (KeyError, IndexError, TypeError):
                position = None
            if position is not None:
                line, column = position[0] + 1, position[1] + 1
        node = child
    if line is None:
        return None
    return Location(source, line, column)


def validate_map_file(path: str | Path) -> list[ValidationIssue]:
    """Load and check a map file; return its warnings, each located in the file.

    Raises:
        MapFileError: the file is missing or not valid YAML/JSON (with file:line:column).
        MapValidationError: the map has errors; every issue carries file:line:column.
    """
    document = load_map_document(path)
    located = []
    for issue in document.map.issues():
        location = _node_location(document.tree, issue.path, str(path))
        located.append(
            ValidationIssue(issue.severity, issue.code, issue.message, issue.path, location)
        )
    return located


def validate_file(
    path: str | Path, map_path: str | Path | None = None
) -> tuple[str, list[ValidationIssue]]:
    """Check a map file or a mapping rules file (told apart by their top-level keys).

    With ``map_path``, a rules file is also checked against that map: every touchpoint and
    phase a rule assigns must be on it, as the import requires.

    Returns ``("map", warnings)`` or ``("rules", [])``.

    Raises:
        MapFileError: the file is missing or not valid YAML/JSON (with file:line:column).
        MapValidationError: the map or the rules have errors, each with file:line:column.
        UsageError: ``map_path`` is given with a map file.
    """
    if holds_rules(path):
        rules = load_rules(path)
        if map_path is not None:
            from journeymap.services.imports import check_rules_against_map

            check_rules_against_map(rules, Path(path), load_map(map_path), Path(map_path))
        return "rules", []
    if map_path is not None:
        raise UsageError(f"{path} is a journey map; --map goes with a mapping rules file")
    return "map", validate_map_file(path)


@dataclass(frozen=True)
class TouchpointRow:
    """A touchpoint in the map table: ``positions`` gives, per phase id, its 1-based place."""

    touchpoint: Touchpoint
    positions: dict[str, int]


@dataclass(frozen=True)
class PersonaRow:
    """A persona in the map table with the emotion entered for it per phase.

    ``emotions`` holds only the persona's own phase cells (:meth:`JourneyMap.own_emotion_curve`):
    a phase without one is left out, not filled from the buying center's cell, as on the
    drawn map. ``labels`` holds their labels.
    """

    persona: Persona
    emotions: dict[str, float | None]
    joins_at: str | None
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class MapView:
    """Everything the map table shows, in display order.

    Attributes:
        map: The journey map.
        phases: Phases in journey order (the table's columns).
        touchpoints: Touchpoints in the order customers first meet them.
        personas: The personas shown (one when filtered).
        lanes: Per lane (``actions``, ``goals``, ... ``kpis``: :data:`LANES`), per phase id,
            the items of the cells; an item of a persona's or touchpoint's cell starts with
            whose and where it is (``Stefan Weiß · Angebot: ``), as on the drawn map.
        shared: Per phase id, the emotion (score, label) of the cell for the whole buying
            center (no persona, no touchpoint): its own row, as the map draws its own curve.
        touchpoint_emotions: Per phase id, the emotions of touchpoint cells as (whose and
            where, score, label), in the order customers meet the touchpoints.
    """

    map: JourneyMap
    phases: list[Phase]
    touchpoints: list[TouchpointRow] = field(default_factory=list)
    personas: list[PersonaRow] = field(default_factory=list)
    lanes: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    shared: dict[str, tuple[float, str]] = field(default_factory=dict)
    touchpoint_emotions: dict[str, list[tuple[str, float, str]]] = field(default_factory=dict)


def show_map(path: str | Path, persona: str | None = None) -> MapView:
    """Load a map and arrange it for the table of ``journeymap show``.

    Args:
        path: The map file.
        persona: Only this persona's row and cells (cells for every persona included).

    Raises:
        UsageError: ``persona`` is not a persona of the map.
    """
    journey_map = load_map(path)
    if persona is not None and persona not in {p.id for p in journey_map.personas}:
        hint = suggestion(persona, [p.id for p in journey_map.personas])
        raise UsageError(
            gettext(_NO_SUCH_PERSONA, current_language()).format(persona=repr(persona), hint=hint)
        )
    phases = journey_map.ordered_phases()
    view = MapView(map=journey_map, phases=phases)
    seen: dict[str, TouchpointRow] = {}
    for phase in phases:
        for position, touchpoint in enumerate(journey_map.touchpoints_in(phase.id), start=1):
            row = seen.setdefault(touchpoint.id, TouchpointRow(touchpoint, {}))
            row.positions[phase.id] = position
    view.touchpoints = list(seen.values())
    view.touchpoints += [
        TouchpointRow(tp, {}) for tp in journey_map.touchpoints if tp.id not in seen
    ]
    for member in journey_map.personas:
        if persona is not None and member.id != persona:
            continue
        own = {phase: e for phase, e in journey_map.own_emotion_curve(member.id) if e}
        view.personas.append(
            PersonaRow(
                member,
                {phase: e.score for phase, e in own.items()},
                member.joins_at,
                {phase: e.label for phase, e in own.items() if e.label},
            )
        )
    view.shared = {
        phase: (e.score, e.label or "") for phase, e in journey_map.own_emotion_curve(None) if e
    }
    order = {row.touchpoint.id: index for index, row in enumerate(view.touchpoints)}
    for phase in phases:
        felt = [
            cell
            for cell in journey_map.cells
            if cell.phase == phase.id
            and cell.touchpoint is not None
            and cell.emotion is not None
            and (persona is None or cell.persona in (None, persona))
        ]
        felt.sort(key=lambda cell: order.get(str(cell.touchpoint), len(order)))
        view.touchpoint_emotions[phase.id] = [
            (
                _cell_prefix(journey_map, cell).removesuffix(": "),
                cell.emotion.score,
                cell.emotion.label or "",
            )
            for cell in felt
            if cell.emotion is not None
        ]
    for lane in LANES:
        view.lanes[lane] = {phase.id: [] for phase in phases}
    language = current_language()
    for cell in journey_map.cells:
        if persona is not None and cell.persona not in (None, persona):
            continue
        if cell.phase not in view.lanes[LANES[0]]:
            continue
        prefix = _cell_prefix(journey_map, cell)
        for lane in LANES:
            items = view.lanes[lane][cell.phase]
            texts = (prefix + text for text in _lane_texts(cell, lane, language))
            items.extend(text for text in texts if text not in items)
    return view


def _cell_prefix(journey_map: JourneyMap, cell: StageCell) -> str:
    """``Stefan Weiß · Angebot: ``: whose and where an item is, when not the whole phase's.

    The drawn map prefixes the same way: without it one persona's question at one touchpoint
    reads as everybody's in the phase.
    """
    scope = []
    if cell.persona is not None:
        scope.append(journey_map.persona(cell.persona).display_name)
    if cell.touchpoint is not None:
        scope.append(journey_map.touchpoint(cell.touchpoint).name)
    return " · ".join(scope) + ": " if scope else ""


def _lane_texts(cell: StageCell, lane: str, language: str) -> list[str]:
    """A cell's items in ``lane``; a KPI as the drawn map writes it: ``name (target unit)``."""
    if lane != "kpis":
        return list(getattr(cell, lane))
    texts = []
    for kpi in cell.kpis:
        text = kpi.name
        if kpi.target is not None:
            unit = f" {kpi.unit}" if kpi.unit else ""
            text += f" ({format_decimal(kpi.target, language)}{unit})"
        texts.append(text)
    return texts


def diff_map_files(a: str | Path, b: str | Path) -> MapDiff:
    """Compare two map files element by element (by id; cells by phase/persona/touchpoint)."""
    return diff_maps(load_map(a), load_map(b))
