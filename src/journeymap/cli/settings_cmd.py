"""``journeymap settings``: every setting, its default, its variable and its current value."""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from journeymap.cli.app import _, console


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
    def settings(
        markdown: bool = typer.Option(False, help="Print the reference as Markdown."),
    ) -> None:
        """List every setting with its current value (its default where that differs) and help."""
        from journeymap.settings import resolve, settings_markdown, written
        from journeymap.settings import settings_table as rows

        load_all_settings()
        if markdown:
            sys.stdout.write(settings_markdown())
            return
        # The names are what the user types: never cut, never folded. The variables follow one
        # rule, said once below the table, which keeps it readable at 80 columns.
        table = Table(_("Setting"), _("Current value"), _("Help"))
        table.columns[0].no_wrap = True
        table.columns[1].overflow = "fold"
        table.columns[1].max_width = 16
        for name, default, _env_var, help_text in rows():
            value = written(resolve(name)) or _("(empty)")  # as a user writes it
            if value != (default or _("(empty)")):
                value += "\n" + _("default: {value}").format(value=default or _("(empty)"))
            table.add_row(name, value, help_text)
        console.print(table, soft_wrap=False)
        example = rows()[0]
        console.print(
            _(
                "Each setting's environment variable is JOURNEYMAP_ and its name in capitals, "
                "dots as underscores (e.g. {variable})."
            ).format(variable=example[2]),
            markup=False,
            soft_wrap=False,
        )
