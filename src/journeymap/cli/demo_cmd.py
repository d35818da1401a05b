"""``journeymap demo``: the whole method on the bundled B2B example, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from journeymap.cli.app import _, console, handle_errors, number, percent
from journeymap.i18n import N_

# What the demo says as each step starts (``run_demo``'s step names).
STEPS = {
    "generate": N_("generating events for {accounts} accounts"),
    "import": N_("importing events"),
    "analyze": N_("analysing journeys"),
    "render": N_("rendering the report"),
}

DEFAULT_OUT = Path("demo-output")


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to ``app``."""

    @app.command("demo")
    @handle_errors
    def demo(
        out: Annotated[Path, typer.Option(help="Folder for the demo's files.")] = DEFAULT_OUT,
        accounts: int = typer.Option(3000, min=10, help="Number of generated accounts."),
        seed: int = typer.Option(7, help="Seed of the event generator."),
        pdf: bool = typer.Option(True, help="Also write the report as PDF."),
    ) -> None:
        """Generate B2B events for the payment-provider example, import, analyse, render."""
        from journeymap.services.demo import run_demo

        result = run_demo(
            out,
            accounts=accounts,
            seed=seed,
            pdf=pdf,
            step=lambda name, count: console.print(
                f"[dim]…[/] {_(STEPS[name]).format(accounts=number(count))}"
            ),
        )
        report = result.import_report
        summary = result.analysis.summary
        table = Table(title=_("Demo: payment-provider journey"), show_header=False)
        table.add_row(_("Rows read"), number(report.rows_read))
        table.add_row(_("Imported"), number(report.rows_imported))
        table.add_row(_("Quarantined"), number(report.rows_quarantined))
        table.add_row(_("Journeys (accounts)"), number(summary["journeys"]))
        table.add_row(_("Conversions"), number(summary["conversions"]))
        table.add_row(_("Conversion rate"), percent(summary["conversion_rate"]))
        console.print(table)
        console.print(f"{_('Map')}: {result.map_file}")
        console.print(f"{_('Mapping rules')}: {result.rules_file}")
        console.print(f"{_('Report')}: {result.report_html}")
        if result.report_pdf is not None:
            console.print(f"{_('PDF')}: {result.report_pdf}")
        if result.map_png is not None:
            console.print(f"{_('Map image')}: {result.map_png}")
        console.print(f"{_('Analysis tables')}: {result.analysis_dir}")
        console.print(f"{_('Workspace')}: {result.workspace}")
