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
        """List every setting with its default, environment variable and current value."""
        from journeymap.settings import resolve, settings_markdown
        from journeymap.settings import settings_table as rows

        load_all_settings()
        if markdown:
            sys.stdout.write(settings_markdown())
            return
        table = Table(_("Setting"), _("Current value"), _("Environment variable"), _("Help"))
        for name, _default, env_var, help_text in rows():
            table.add_row(name, repr(resolve(name)), env_var, help_text)
        console.print(table, soft_wrap=False)
