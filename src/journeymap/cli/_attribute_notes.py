"""The notes under ``journeymap attribute``'s tables: what the credits do not say by themselves.

Options no model run reads and models left out, the conversion events' own touchpoints, the
attribution package's notes on the credits, and a persona-level table's unknown personas.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeymap.cli.app import _, credited_itself_note, number, percent
from journeymap.cli.attribution_options import OPTIONS
from journeymap.i18n import current_language, ngettext

if TYPE_CHECKING:  # the engine is imported by the command that runs, not by --help
    import pyarrow as pa

    from journeymap.attribution._notes import CreditFacts
    from journeymap.services.attribution import WorkspaceAttribution


def conversion_touch_notes(found: WorkspaceAttribution) -> list[str]:
    """What the user should know about the conversion events' own touchpoints.

    With their credit: when nearly every conversion is an event of one touchpoint, that
    touchpoint wins every last-touch credit for the conversion itself. Without it: how many
    conversions had no touch before them and kept their own.
    """
    if not found.conversion_touch:
        if not found.alone:
            return []
        return [
            ngettext(
                "Note: {alone} of {conversions} conversions had no touch before it in its "
                "journey and keeps its own touchpoint's credit.",
                "Note: {alone} of {conversions} conversions had no touch before them in their "
                "journeys and keep their own touchpoint's credit.",
                found.alone,
                current_language(),
            ).format(alone=number(found.alone), conversions=number(found.conversions))
        ]
    itself = found.credits_itself
    return [credited_itself_note(itself)] if itself else []


def model_notes(params: dict[str, Any], table: pa.Table, *, asked: bool, paths: bool) -> list[str]:
    """Notes on options no model run reads, and on models left out of every model.

    ``--model linear --order 3`` ran linear alone, which reads no Markov order; without
    ``--model``, path data leave out time_decay (they carry no times) and custom unless its
    weights are given. ``paths``: the input is path data. A workspace run leaves out custom
    without weights too, on every plain run: the README says so once instead.
    """
    from journeymap.attribution import MODELS
    from journeymap.attribution._options import SAMPLING
    from journeymap.attribution.api import unread_parameters

    run = list(dict.fromkeys(str(name) for name in table.column("model").to_pylist()))
    notes = []
    for name, readers in unread_parameters(params, run).items():
        if name in SAMPLING and set(readers) & set(run):
            note = _(
                "Note: {option} is read only by Shapley's sampling method "
                "(--shapley-method sampling); it changed nothing."
            )
        else:
            note = _("Note: {option} is read only by {models}, not run here; it changed nothing.")
        notes.append(note.format(option=OPTIONS.get(name, name), models=", ".join(readers)))
    if not asked and paths:
        left_out = {
            "time_decay": _("path data carry no times of touches"),
            "custom": _("it runs with its weights, e.g. --custom-weights 0.5,0.3,0.2"),
        }
        for name in MODELS:
            if name in left_out and name not in run:
                notes.append(
                    _("Note: {model} was left out: {reason}.").format(
                        model=name, reason=left_out[name]
                    )
                )
    return notes


def _credit_notes(facts: CreditFacts | None, table: pa.Table, names: dict[str, str]) -> list[str]:
    """What the credits do not say (:func:`journeymap.attribution._notes.credit_notes`).

    Every heuristic model giving the same credits (a single touch per conversion), Markov
    credit for keys no converting journey met, and journeys going on after a conversion.
    """
    if facts is None:
        return []
    from journeymap.attribution._notes import credit_notes

    return credit_notes(facts, table, current_language(), names)


def _persona_notes(table: pa.Table, map_path: Path) -> list[str]:
    """What a persona-level table does not say: no persona's credit, and unknown personas.

    Olist: lead rows without a persona took 60 % of linear credit as '(none)', and 'wolf'
    and 'shark' stood beside the map's personas.
    """
    from journeymap.mapfile import load_map

    known = {persona.id for persona in load_map(map_path).personas}
    rows = table.to_pylist()
    none_share = max((float(r["share"] or 0.0) for r in rows if r["key"] == "(none)"), default=0.0)
    notes = []
    if none_share > 0:
        notes.append(
            _(
                "Note: (none) is the credit of touches whose events carry no persona (up to "
                "{share} in one model): name a persona for them in the mapping rules, or read "
                "the persona level as the rest's shares."
            ).format(share=percent(none_share))
        )
    unknown = sorted({str(r["key"]) for r in rows} - known - {"(none)"})
    if known and unknown:
        notes.append(
            _(
                "Note: {personas} are persona values of the events that the map has no "
                "persona for; add them to the map, or change the rules that set them."
            ).format(personas=", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else ""))
        )
    return notes
