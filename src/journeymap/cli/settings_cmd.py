"""``journeymap settings``: every setting, its current value, where it comes from, and help."""

from __future__ import annotations

import sys

import typer
from rich.table import Table
from rich.text import Text

from journeymap.cli.app import _, console, handle_errors
from journeymap.i18n import N_

# Where a value comes from, as the table says it under the value (Origin.kind).
_ORIGINS = {
    "project file": N_("(project file)"),
    "user file": N_("(user file)"),
    "environment": N_("(environment)"),
}


def load_all_settings() -> None:
    """Import every journeymap module so that each registers its settings."""
    import importlib
    import pkgutil

    import journeymap

    for module in pkgutil.walk_packages(journeymap.__path__, "journeymap."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)


def register(app: typer.Typer) -> None:
    """Add the ``settings`` command to ``app``."""

    @app.command("settings")
    @handle_errors
    def settings(
        markdown: bool = typer.Option(False, help="Print the reference as Markdown."),
    ) -> None:
        """List every setting with its current value, where it comes from, and help."""
        load_all_settings()
        if markdown:
            sys.stdout.write(settings_markdown())
            return
        _print_table()


def _print_table() -> None:
    from journeymap.i18n import LANGUAGE_VARIABLE, language_choice
    from journeymap.settings import project_file, resolve_with_origin, user_file, written
    from journeymap.settings import settings_table as rows

    # The names are what the user types: never cut, never folded. The variables follow one
    # rule, said once below the table, which keeps it readable at 80 columns.
    table = Table(_("Setting"), _("Current value"), _("Help"))
    table.columns[0].no_wrap = True
    table.columns[1].overflow = "fold"
    table.columns[1].max_width = 16
    empty = _("(empty)")
    for name, default, _env_var, help_text in rows():
        value, origin = resolve_with_origin(name)
        lines = [written(value) or empty]  # as a user writes it
        if lines[0] != (default or empty):
            lines.append(_("default: {value}").format(value=default or empty))
        if origin.kind in _ORIGINS:
            lines.append(_(_ORIGINS[origin.kind]))
        table.add_row(Text(name), Text("\n".join(lines)), Text(_(help_text)))
    table.rows[-1].end_section = True
    choice = language_choice()
    source = {
        "default": "",
        "map": "",
        LANGUAGE_VARIABLE: _(_ORIGINS["environment"]),
    }.get(choice.source, f"({choice.source})")  # a locale variable: (LANG)
    table.add_row(
        Text(LANGUAGE_VARIABLE),
        Text(choice.language + (f"\n{source}" if source else "")),
        Text(
            _(
                "The language of the command line: en, da or de (also de_DE.UTF-8, deutsch, "
                "dansk, ...). Unset: Danish or German in LC_ALL, LC_MESSAGES or LANG, else "
                "the language of the map a command reads, else English."
            )
        ),
    )
    console.print(table, soft_wrap=False)
    for label, path in ((_("Project file"), project_file()), (_("User file"), user_file())):
        if path is not None:
            found = "" if path.is_file() else " " + _("(not found)")
            console.print(f"{label}: {path}{found}", markup=False, soft_wrap=False)
    example = rows()[0]
    console.print(
        _(
            "Each setting's environment variable is JOURNEYMAP_ and its name in capitals, "
            "dots as underscores (e.g. {variable})."
        ).format(variable=example[2]),
        markup=False,
        soft_wrap=False,
    )


def settings_markdown() -> str:
    """The settings reference as Markdown (``docs/settings.md`` is generated from this)."""
    from journeymap.i18n import LANGUAGE_VARIABLE
    from journeymap.settings import settings_table

    lines = [
        "# Settings",
        "",
        "Every setting journeymap reads, with its default and the environment variable that",
        "overrides it. Values resolve in layers, later wins: packaged default < user config",
        "(`~/.config/journeymap/config.yaml`) < project file (`journeymap.yaml` in the working",
        "directory, key `settings`) < environment < command-line option or API argument.",
        "`journeymap settings` shows each current value and where it comes from.",
        "",
        "Regenerate with `journeymap settings --markdown > docs/settings.md`.",
        "",
        "| setting | default | environment variable | what it does |",
        "|---|---|---|---|",
    ]
    for name, default, env_var, text in settings_table():
        shown = f"`{default}`" if default else "(empty)"
        lines.append(f"| `{name}` | {shown} | `{env_var}` | {text} |")
    lines += [
        "",
        "## Settings files",
        "",
        "A setting's name is written dotted or nested; these two files say the same:",
        "",
        "```yaml",
        "settings:",
        "  paths.top: 3",
        "  funnel.conversion_window: 7d",
        "```",
        "",
        "```yaml",
        "settings:",
        "  paths:",
        "    top: 3",
        "  funnel:",
        "    conversion_window: 7d",
        "```",
        "",
        "A value is written as in the environment variable, or as YAML gives it: `3`, `true`,",
        "`null` (none), a list `[persona, region]` for a comma-separated one. The files are",
        "checked the first time a command reads a setting: broken YAML, an unknown name (with",
        "the closest known one), a name given twice and a value its setting cannot read stop",
        "the command with exit code 2 and the file, line and column, e.g.",
        "`journeymap.yaml:3:10: paths.top: 'many' is not a whole number`. A bad environment",
        "variable is refused the same way, naming the variable.",
        "",
        "## Language",
        "",
        f"`{LANGUAGE_VARIABLE}` chooses the language of the command line: `en`, `da` or `de`,",
        "also written as a locale (`de_DE.UTF-8`, `da_DK.UTF-8`) or a name (`deutsch`,",
        "`german`, `dansk`, `danish`, `dk`). A value not understood is said once on stderr,",
        "with the choices. Without it: Danish or German in `LC_ALL`, `LC_MESSAGES` or `LANG`;",
        "else the language of the map that `validate`, `show` or `diff` reads (its",
        "`language:`); else English. An English or `C` locale does not outrank the map's",
        "language (it is what most servers have without anyone choosing it): set",
        f"`{LANGUAGE_VARIABLE}=en` for English whatever the map says.",
    ]
    return "\n".join(lines) + "\n"
