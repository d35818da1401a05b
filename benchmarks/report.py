"""The Markdown table of a benchmark run: medians, peak memory, ratios, accuracy."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

__all__ = ["markdown", "update_readme"]


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def markdown(report: dict[str, Any]) -> str:
    """Render the JSON report as Markdown (one section per size).

    Time is the whole process (start, imports, work); compute is the work alone, from
    reading the input to the answer, as each task reports it.
    """
    m = report["machine"]
    lines = [
        f"Run {report['date']} on `{m['host']}`: {m['cores']} cores ({m['cpu']}), "
        f"{m['memory_gib']} GiB memory, Python {m['python']}; {report['reps']} repetitions, "
        "medians.",
        "",
        f"Command: `{report['command']}`",
        "",
    ]
    for size in report["sizes"]:
        tasks = size["tasks"]
        floor = tasks.get("duckdb_floor", {}).get("median_seconds")
        lines += [
            f"### {size['journeys']:,} journeys ({size['events']:,} events)",
            "",
            "| job | tool | status | median time (s) | peak memory (MB) | x DuckDB floor "
            "| median compute (s) | compute x floor |",
            "|---|---|---|---:|---:|---:|---:|---:|",
        ]
        floor_compute = tasks.get("duckdb_floor", {}).get("median_compute_seconds")
        for name, task in tasks.items():
            t = task["median_seconds"]
            times_floor = _num(t / floor, 1) if t is not None and floor else "n/a"
            c = task.get("median_compute_seconds")
            compute_floor = _num(c / floor_compute, 1) if c is not None and floor_compute else "n/a"
            status = task["status"] if task["status"] == "ok" else f"{task['status']}"
            lines.append(
                f"| {task['job']} | {task['tool']} (`{name}`) | {status} | {_num(t)} | "
                f"{_num(task['median_peak_mb'], 0)} | {times_floor} | {_num(c)} | "
                f"{compute_floor} |"
            )
        missing = [(n, t) for n, t in tasks.items() if t["status"] != "ok"]
        if missing:
            lines.append("")
            lines += [f"- `{n}`: {t['status']} ({t['reason']})" for n, t in missing]
        if size.get("ratios"):
            lines += [
                "",
                "| job | journeymap | peer | time journeymap/peer | compute journeymap/peer "
                "| memory journeymap/peer |",
                "|---|---|---|---:|---:|---:|",
            ]
            for r in size["ratios"]:
                lines.append(
                    f"| {r['job']} | `{r.get('task', '')}` | {r['peer']} | "
                    f"{_num(r['time_ratio'])} | "
                    f"{_num(r.get('compute_ratio'))} | {_num(r['memory_ratio'])} |"
                )
        if size.get("accuracy"):
            lines += ["", "| accuracy check | value | pass |", "|---|---|---|"]
            for c in size["accuracy"]:
                value = c["value"]
                shown = f"{value:.2e}" if isinstance(value, float) else str(value)
                passed = {True: "yes", False: "NO", None: "-"}[c["pass"]]
                note = f" ({c['note']})" if c.get("note") else ""
                lines.append(f"| {c['check']}{note} | {shown} | {passed} |")
        lines.append("")
    unavailable = {k: v for k, v in report["peers"].items() if not v.get("available")}
    for tool, status in unavailable.items():
        lines.append(f"- {tool}: not available ({status.get('error')})")
    return "\n".join(lines) + "\n"


def update_readme(results: list[Path], readme: Path) -> None:
    """Put the Markdown of one or more result files between the README's result markers."""
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    text = readme.read_text(encoding="utf-8")
    body = "\n".join(markdown(json.loads(p.read_text(encoding="utf-8"))) for p in results)
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    readme.write_text(f"{head}{start}\n{body}{end}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """``python -m benchmarks.report RESULTS.json [MORE.json ...]``: refresh the README block."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.report",
        description="Put the tables of benchmark result files into benchmarks/README.md.",
    )
    parser.add_argument("results", nargs="+", type=Path, help="result files (.json) of a run")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.results if not p.is_file()]
    if missing:
        parser.error(f"no such result file: {', '.join(missing)}")
    update_readme(args.results, Path(__file__).with_name("README.md"))


if __name__ == "__main__":
    main()
