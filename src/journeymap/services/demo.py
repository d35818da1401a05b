"""The demo: the bundled B2B example map, generated events, import, analysis and report."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from journeymap.analysis import Analysis, analyze
from journeymap.examples import example_path
from journeymap.ingest import ImportReport, Workspace, import_events
from journeymap.ingest.synthetic import write_demo_events
from journeymap.mapfile import load_map, load_rules
from journeymap.render import render_map_png, render_report_html, render_report_pdf

__all__ = ["DemoResult", "run_demo"]

DEMO_EXAMPLE = "payment-provider"


@dataclass
class DemoResult:
    """Where the demo put its files, and what it measured on the way."""

    out: Path
    map_file: Path
    rules_file: Path
    events_csv: Path
    workspace: Path
    analysis_dir: Path
    report_html: Path
    report_pdf: Path | None
    map_png: Path | None
    import_report: ImportReport
    analysis: Analysis
    seconds: dict[str, float] = field(default_factory=dict)


def run_demo(
    out: Path,
    *,
    accounts: int = 3000,
    seed: int = 7,
    pdf: bool = True,
    png: bool = True,
    step: Callable[[str, int], None] | None = None,
) -> DemoResult:
    """Generate, import, analyse and render the payment-provider example into ``out``.

    The example's map and rules are copied beside the events (``map.yaml``, ``rules.yaml``),
    comments and all, so the user can repeat each step with the commands the README shows.
    ``step`` is told what starts (``("generate", accounts)``, ``("import", 0)``, ...).
    """
    say = step or (lambda _step, _count: None)
    out.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    map_file = shutil.copyfile(example_path(DEMO_EXAMPLE), out / "map.yaml")
    rules_file = shutil.copyfile(
        example_path(DEMO_EXAMPLE).with_name(f"{DEMO_EXAMPLE}.rules.yaml"), out / "rules.yaml"
    )
    journey_map = load_map(map_file)
    rules = load_rules(rules_file)

    started = time.perf_counter()
    events_csv = out / "payment-provider-events.csv"
    say("generate", accounts)
    write_demo_events(events_csv, journey_map, accounts=accounts, seed=seed)
    seconds["generate"] = time.perf_counter() - started

    started = time.perf_counter()
    workspace_path = out / "journeymap.duckdb"
    workspace_path.unlink(missing_ok=True)
    say("import", 0)
    with Workspace(f"duckdb:///{workspace_path}") as workspace:
        import_report = import_events(workspace, events_csv, rules)
        seconds["import"] = time.perf_counter() - started
        started = time.perf_counter()
        say("analyze", 0)
        # B2B: the account is the journey; it goes on after the deal so retention and
        # advocacy are measured; the sales cycle is long, so the funnel window is half a year.
        analysis = analyze(
            journey_map,
            workspace,
            by="account",
            after_conversion="continue",
            conversion_window=timedelta(days=183),
        )
        analysis_dir = out / "analysis"
        analysis.save(analysis_dir)
    seconds["analyze"] = time.perf_counter() - started

    started = time.perf_counter()
    say("render", 0)
    report_html = out / "report.html"
    report_html.write_text(render_report_html(journey_map, analysis), encoding="utf-8")
    report_pdf = out / "report.pdf" if pdf else None
    if report_pdf is not None:
        render_report_pdf(journey_map, analysis, report_pdf)
    map_png = out / "map.png" if png else None
    if map_png is not None:
        render_map_png(journey_map, analysis, map_png)
    seconds["render"] = time.perf_counter() - started
    return DemoResult(
        out=out,
        map_file=map_file,
        rules_file=rules_file,
        events_csv=events_csv,
        workspace=workspace_path,
        analysis_dir=analysis_dir,
        report_html=report_html,
        report_pdf=report_pdf,
        map_png=map_png,
        import_report=import_report,
        analysis=analysis,
        seconds=seconds,
    )
