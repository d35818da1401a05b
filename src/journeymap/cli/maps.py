"""Map commands: ``init``, ``validate``, ``show``, ``diff`` and ``schema``."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from journeymap.cli.app import (
    EXIT_ERROR,
    EXIT_FAIL,
    _,
    console,
    console_error,
    error_console,
    handle_errors,
)
from journeymap.errors import (
    JourneymapError,
    MapValidationError,
    RulesValidationError,
    UsageError,
    ValidationIssue,
)
from journeymap.i18n import (
    N_,
    current_language,
    format_decimal,
    in_map_language,
    ngettext,
    number_symbols,
)
from journeymap.model import MapDiff
from journeymap.model.diff import FIELD_WORDS, SECTION_WORDS
from journeymap.model.personas import ROLE_NAMES

if TYPE_CHECKING:
    from journeymap.services.maps import MapView

__all__ = ["issue_line", "map_errors", "register", "validation_text"]

P = ParamSpec("P")
R = TypeVar("R")

_LANE_TITLES = {
    "actions": N_("Actions"),
    "goals": N_("Goals"),
    "questions": N_("Questions"),
    "needs": N_("Needs"),
    "information_needs": N_("Information needs"),
    "pain_points": N_("Pain points"),
    "opportunities": N_("Opportunities"),
    "kpis": N_("KPIs"),
}
_ITEMS_PER_LANE_CELL = 2
_MAX_LABEL_WIDTH = 24
_MIN_LABEL_WIDTH = 8
_PHASE_COLUMN_ROOM = 8  # the narrowest phase column


def issue_line(issue: ValidationIssue) -> str:
    """One problem of a map or rules file in the user's language: where, what, what to do.

    The path counts list items from 1, as a reader counts the items in the file and as the
    message does (``cell #6 ... (at cells.6.persona)``).
    """
    where = f"{issue.location}: " if issue.location else ""
    severity = _("error") if issue.severity == "error" else _("warning")
    dotted = ".".join(
        str(part + 1) if isinstance(part, int) and not isinstance(part, bool) else str(part)
        for part in issue.path
    )
    at = " " + _("(at {path})").format(path=dotted) if dotted else ""
    return f"{where}{severity}: {issue.message}{at}"


def _issue_order(issue: ValidationIssue) -> tuple[int, int]:
    location = issue.location
    if location is None:
        return (0, 0)
    return (location.line or 0, location.column or 0)


def validation_text(error: MapValidationError) -> str:
    """The problems of a map or rules file, counted and listed in the user's language."""
    count = len(error.issues)
    if isinstance(error, RulesValidationError):
        header = ngettext(
            "the mapping rules file has {count} problem:",
            "the mapping rules file has {count} problems:",
            count,
            current_language(),
        )
    else:
        header = ngettext(
            "the journey map has {count} problem:",
            "the journey map has {count} problems:",
            count,
            current_language(),
        )
    lines = [f"  {issue_line(issue)}" for issue in error.issues]
    return "\n".join([header.format(count=count), *lines])


def map_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Print a map's or rules file's problems in the user's language, then exit with its code.

    Wrap a command with it inside :func:`~journeymap.cli.app.handle_errors`, which prints
    every other user error.
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except MapValidationError as error:
            error_console.print(f"{_('Error')}: {validation_text(error)}", markup=False)
            raise typer.Exit(error.exit_code) from None

    return wrapper


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("init")(handle_errors(map_errors(init_command)))
    # They speak the map's language where the user chose none (journeymap.i18n's docstring);
    # outermost, so that the errors handle_errors and map_errors print speak it too.
    app.command("validate")(
        in_map_language("path", "map_path")(handle_errors(map_errors(validate_command)))
    )
    app.command("show")(in_map_language("path")(handle_errors(map_errors(show_command))))
    app.command("diff")(in_map_language("b", "a")(handle_errors(map_errors(diff_command))))
    app.command("schema")(handle_errors(schema_command))


def init_command(
    path: Annotated[Path, typer.Argument(help="Where to write the new map (.yaml).")],
    template: Annotated[
        str | None,
        typer.Option("--template", help="Phase template: b2b (default), webshop or classic4."),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help=(
                "Language of names and texts: en, da or de; with --example, the language of "
                "the example's translation."
            ),
        ),
    ] = None,
    example: Annotated[
        str | None,
        typer.Option(
            "--example",
            help=(
                "Copy a bundled example: payment-provider, fashion-webshop, online-yoga, "
                "industrial-machinery (also in da and de)."
            ),
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Create a new, commented journey map from a phase template or a bundled example."""
    from journeymap.examples.translations import translated_example_path
    from journeymap.services.maps import init_map

    if example is not None:
        if template is not None:
            raise UsageError(
                _("--example copies a bundled example, phases included; leave out --template")
            )
        # Refused here, before anything is written: an example without a translation into
        # --lang must not be copied in English under a German or Danish name.
        translated_example_path(example, lang or "en")
    journey_map = init_map(path, template or "b2b", lang or "en", example, force=force)
    message = _("Created {path} with {phases} phases and {touchpoints} touchpoints.").format(
        path=path, phases=len(journey_map.phases), touchpoints=len(journey_map.touchpoints)
    )
    console.print(message, markup=False)
    console.print(_("Next: journeymap validate {path}").format(path=path), markup=False)


def validate_command(
    path: Annotated[
        Path, typer.Argument(help="The map file, or a mapping rules file (YAML or JSON).")
    ],
    map_path: Annotated[
        Path | None,
        typer.Option(
            "--map", help="With a rules file: the map whose touchpoints and phases it assigns."
        ),
    ] = None,
) -> None:
    """Check a map or rules file; exit 0 when valid (warnings allowed), 1 when it has errors."""
    from journeymap.services.maps import validate_file

    kind, warnings = validate_file(path, map_path)
    if kind == "rules":
        console.print(_("✓ {path} holds valid mapping rules").format(path=path), markup=False)
        return
    console.print(_("✓ {path} is a valid journey map").format(path=path), markup=False)
    if warnings:
        count = len(warnings)
        header = ngettext("{count} warning:", "{count} warnings:", count, current_language())
        console.print(header.format(count=count), markup=False)
        for issue in sorted(warnings, key=_issue_order):
            console.print(f"  {issue_line(issue)}", markup=False)


def _echo_json(data: object) -> None:
    # app.echo_json is defined after the commands are registered, so it cannot be imported here.
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _emotion_text(score: float | None, label: str | None = None) -> str:
    """``-2 ▼▼ annoyed``: the score, its glyph and the label the map gives it."""
    if score is None:
        return "·"
    if score <= -1.5:
        glyph = "▼▼"
    elif score <= -0.5:
        glyph = "▼"
    elif score < 0.5:
        glyph = "●"
    elif score < 1.5:
        glyph = "▲"
    else:
        glyph = "▲▲"
    # In the user's language, as the drawn map writes it: +0,5 in German, not +0.5.
    number = ("+" if score >= 0 else "") + format_decimal(score, current_language())
    return f"{number} {glyph}" + (f" {escape(label)}" if label else "")


def _longest_word(texts: list[str]) -> int:
    return max((len(word) for text in texts for word in text.split()), default=0)


def _phase_widths(words: list[int]) -> list[int]:
    return [max(_PHASE_COLUMN_ROOM, min(_MAX_LABEL_WIDTH, word)) for word in words]


def _shown_items(view: MapView, phase_id: str) -> list[str]:
    """The lane items ``show`` prints in a phase's column (see :func:`_summary`)."""
    return [item for lane in view.lanes.values() for item in lane[phase_id][:_ITEMS_PER_LANE_CELL]]


def _summary(items: list[str]) -> str:
    shown = [escape(item) for item in items[:_ITEMS_PER_LANE_CELL]]
    rest = len(items) - len(shown)
    if rest > 0:
        shown.append(_("(+{count} more)").format(count=rest))
    return "\n".join(f"• {item}" for item in shown)


def show_command(
    path: Annotated[Path, typer.Argument(help="The map file (YAML or JSON).")],
    persona: Annotated[
        str | None, typer.Option("--persona", help="Show only this persona (id).")
    ] = None,
) -> None:
    """Show the map as a table: touchpoints, personas and lanes per phase."""
    from journeymap.services.maps import LANES, show_map

    view = show_map(path, persona)
    journey_map = view.map
    table = Table(
        title=escape(journey_map.name),
        caption=_("on/off = online/offline, dir/ind = direct/indirect; n = order in the phase"),
        box=box.SIMPLE_HEAD,
        padding=(0, 1, 0, 0),
        show_edge=False,
        width=console.width,
    )
    shown_lanes = [lane for lane in LANES if any(view.lanes[lane].values())]
    labels = [row.touchpoint.name for row in view.touchpoints]
    labels += [row.persona.display_name for row in view.personas]
    labels += [_(_LANE_TITLES[lane]) for lane in shown_lanes]  # "Informationsbedarf" whole
    whole = _("Whole buying center") if journey_map.kind == "b2b" else _("All personas")
    labels += [whole] if view.shared else []
    if any(view.touchpoint_emotions.values()):
        labels.append(_("Emotions at touchpoints"))
    longest_label = max((len(label) for label in labels), default=_MIN_LABEL_WIDTH)
    # A phase column is at least as wide as the longest word of its name (so names break
    # between words, not inside them); the label column gets what the phases leave.
    phase_ids = [phase.id for phase in view.phases]
    widths = _phase_widths([_longest_word([p.name]) for p in view.phases])
    # Every column costs its width, a padding cell and a separator cell.
    room = console.width - sum(width + 2 for width in widths) - 2
    # The lanes' text needs the phases' room; labels break between words.
    label_word = max((len(word) for label in labels for word in label.split()), default=0)
    label_share = max(12, console.width // 6, min(label_word, _MAX_LABEL_WIDTH))
    label_width = max(_MIN_LABEL_WIDTH, min(longest_label, _MAX_LABEL_WIDTH, room, label_share))
    table.add_column("", overflow="fold", width=label_width)
    # The phases share what the label leaves: first towards the longest word of each
    # column's cells, one character at a time to the narrowest column still short of it
    # (so no column is starved for another's long word), then evenly.
    wanted = _phase_widths([_longest_word(_shown_items(view, p)) for p in phase_ids])
    spare = max(0, room - label_width)
    while spare:
        short = [i for i in range(len(widths)) if widths[i] < wanted[i]]
        if not short:
            break
        widths[min(short, key=lambda i: widths[i])] += 1
        spare -= 1
    for index, (phase, width) in enumerate(zip(view.phases, widths, strict=True)):
        share = spare // len(widths) + (1 if index < spare % len(widths) else 0)
        table.add_column(escape(phase.name), overflow="fold", width=width + share)
    for row in view.touchpoints:
        touchpoint = row.touchpoint
        badge = "{mode}|{influence}".format(
            mode=_("on") if touchpoint.mode == "online" else _("off"),
            influence=_("dir") if touchpoint.influence == "direct" else _("ind"),
        )
        if touchpoint.outcome:  # an end state: met neither online nor offline
            badge = _("outcome")
        cells = [str(row.positions[p.id]) if p.id in row.positions else "" for p in view.phases]
        table.add_row(f"{escape(touchpoint.name)} [dim]\\[{badge}][/]", *cells)
    table.rows[-1].end_section = True
    for persona_row in view.personas:
        member = persona_row.persona
        role = _(ROLE_NAMES[member.role]) if member.role else ""
        label = f"[bold]{escape(member.display_name)}[/]" + (f"\n{escape(role)}" if role else "")
        # The phases before it joins: those the drawn map leaves without its emotion.
        joined = len(phase_ids) - len(view.map.joined_phases(member.id))
        cells = []
        for index, phase_id in enumerate(phase_ids):
            text = _emotion_text(
                persona_row.emotions.get(phase_id), persona_row.labels.get(phase_id)
            )
            if index == joined and member.joins_at is not None:
                text = f"{_('joins')}\n{text}"
            elif index < joined:
                text = "–"
            cells.append(text)
        table.add_row(label, *cells)
    if view.shared:
        # The buying center's own curve, as the map draws it (no persona's row takes it).
        cells = [_emotion_text(*view.shared[p]) if p in view.shared else "·" for p in phase_ids]
        table.add_row(f"[bold]{escape(whole)}[/]", *cells)
    felt = [
        "\n".join(
            f"{escape(where)}: {_emotion_text(score, label)}" for where, score, label in items
        )
        for items in (view.touchpoint_emotions.get(p, []) for p in phase_ids)
    ]
    if any(felt):
        table.add_row(f"[italic]{_('Emotions at touchpoints')}[/]", *felt)
    if view.personas or view.shared or any(felt):
        table.rows[-1].end_section = True
    for lane in shown_lanes:
        summaries = [_summary(view.lanes[lane][phase_id]) for phase_id in phase_ids]
        if any(summaries):
            table.add_row(f"[italic]{_(_LANE_TITLES[lane])}[/]", *summaries, end_section=True)
    console.print(table, soft_wrap=False)


def _section_word(section: str) -> str:
    return _(SECTION_WORDS[section]) if section in SECTION_WORDS else section


def _field_word(name: str) -> str:
    return _(FIELD_WORDS[name]) if name in FIELD_WORDS else name


def _field_words(fields: dict[str, tuple[Any, Any]]) -> str:
    return ", ".join(_field_word(name) for name in sorted(fields))


def _print_field_changes(fields: dict[str, tuple[Any, Any]]) -> None:
    for name in sorted(fields):
        old, new = fields[name]
        line = f"    {_field_word(name)}: {_diff_value(old)} -> {_diff_value(new)}"
        console.print(line, markup=False)


def _print_diff(diff: MapDiff) -> None:
    """The differences in the user's words; ``--json`` keeps the file's keys and values."""
    for section, ids in diff.added.items():
        for element_id in ids:
            console.print(f"+ {_section_word(section)}: {element_id}", markup=False)
    for section, ids in diff.removed.items():
        for element_id in ids:
            console.print(f"- {_section_word(section)}: {element_id}", markup=False)
    for rename in diff.renamed:
        renamed = _("renamed: {old} → {new}").format(old=rename.old_id, new=rename.new_id)
        fields = f" ({_field_words(rename.fields)})" if rename.fields else ""
        console.print(f"~ {_section_word(rename.section)}: {renamed}{fields}", markup=False)
        _print_field_changes(rename.fields)
    for name, (old, new) in diff.map_fields.items():
        line = f"~ {_field_word(name)}: {_diff_value(old)} -> {_diff_value(new)}"
        console.print(line, markup=False)
    for change in diff.changed:
        fields = _field_words(change.fields)
        console.print(f"~ {_section_word(change.section)}: {change.id} ({fields})", markup=False)
        _print_field_changes(change.fields)


# How much of a changed value diff prints (a long description or list is cut).
_DIFF_VALUE_WIDTH = 70


def _diff_value(value: Any) -> str:
    """A changed field's value on one line, as a reader reads it.

    Text in quotes (always the same ones, on one line), numbers in the user's language, a
    list as its items separated by commas, a mapping (an emotion) as ``{field: value}`` with
    the fields' words (separated by semicolons where decimals take the comma); nothing
    (``null``, an empty list) is ``–``.
    """
    if value is None or value == [] or value == {}:
        text = "–"
    elif isinstance(value, list):
        text = ", ".join(_diff_item(item) for item in value)
    else:
        text = _diff_item(value)
    if len(text) > _DIFF_VALUE_WIDTH:
        text = text[: _DIFF_VALUE_WIDTH - 1] + "…"
    return text


def _diff_item(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, dict):
        pairs = (f"{_field_word(str(key))}: {_diff_item(item)}" for key, item in value.items())
        # {score: -1,5, label: ...} would read as three fields where decimals take the comma.
        decimal_sign = number_symbols(current_language())[0]
        return "{" + ("; " if decimal_sign == "," else ", ").join(pairs) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_diff_item(item) for item in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()  # as the file writes it
    if isinstance(value, int | float):
        return format_decimal(value, current_language())
    return "'" + " ".join(str(value).split()) + "'"


def diff_command(
    a: Annotated[Path, typer.Argument(help="The old map file.")],
    b: Annotated[Path, typer.Argument(help="The new map file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the differences as JSON.")] = False,
) -> None:
    """Compare two maps by id: exit 0 when equal, 1 when different, 2 on trouble (like diff)."""
    from journeymap.services.maps import diff_map_files

    try:
        diff = diff_map_files(a, b)
    except MapValidationError as error:
        # Not 1: a script must tell "the maps differ" from "a map could not be read".
        error_console.print(f"{_('Error')}: {validation_text(error)}", markup=False)
        raise typer.Exit(EXIT_ERROR) from None
    except JourneymapError as error:
        console_error(error)
        raise typer.Exit(EXIT_ERROR) from None
    if as_json:
        _echo_json(diff.to_dict())
    elif diff.is_empty:
        console.print(_("The maps are equal."), markup=False)
    else:
        _print_diff(diff)
    if not diff.is_empty:
        raise typer.Exit(EXIT_FAIL)


def schema_command(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the schema to this file.")
    ] = None,
) -> None:
    """Print the JSON Schema of map files (for editor completion and checks)."""
    from journeymap.mapfile import map_json_schema

    schema = map_json_schema()
    if out is None:
        _echo_json(schema)
        return
    out.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(_("Wrote the JSON schema to {path}").format(path=out), markup=False)
