"""Run the benchmark: journeymap against its peers, on the same files, in the same run.

Every (tool, task) runs as its own subprocess so wall time and peak memory (``ru_maxrss`` of
that child, from ``os.wait4``) belong to one tool; the task also reports its compute time (the
work alone, after the interpreter's start and the imports). Tasks alternate within each repetition
(the start rotates), every task runs ``--reps`` times, and the medians and journeymap/peer
ratios go to ``benchmarks/results/<date>-<machine>.json`` (``-2``, ``-3``... for later runs of
the day) and a Markdown table beside it.

Usage:
    python -m benchmarks.run --sizes 100000,1000000
    python -m benchmarks.run --sizes 10000 --reps 1 --journeymap-only --out /tmp/bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks.accuracy import accuracy
from benchmarks.generate import generate
from benchmarks.report import markdown

ROOT = Path(__file__).resolve().parent.parent
PEERS_PYTHON = ROOT / "benchmarks" / ".peers" / "bin" / "python"
TIME = Path("/usr/bin/time")
PEERS_STATUS = ROOT / "benchmarks" / ".peers" / "status.json"

# (task, tool, job): the module benchmarks.tasks.<task> does <job> with <tool>.
TASKS: list[tuple[str, str, str]] = [
    ("jm_full", "journeymap", "full analysis"),
    ("jm_metrics", "journeymap", "metrics"),
    ("jm_funnel", "journeymap", "funnel"),
    ("jm_paths", "journeymap", "paths"),
    ("jm_transitions", "journeymap", "transitions"),
    ("jm_variants", "journeymap", "variants"),
    ("jm_markov", "journeymap", "markov attribution"),
    ("jm_markov3", "journeymap", "markov attribution, order 3"),
    ("jm_heuristic", "journeymap", "heuristic attribution"),
    ("jm_markov_paths", "journeymap", "markov attribution"),
    ("jm_heuristic_paths", "journeymap", "heuristic attribution"),
    ("duckdb_floor", "duckdb", "transitions"),
    ("pm4py_dfg", "pm4py", "transitions"),
    ("pm4py_variants", "pm4py", "variants"),
    ("ca_markov", "ChannelAttribution", "markov attribution"),
    ("ca_heuristic", "ChannelAttribution", "heuristic attribution"),
    ("mam_markov", "mam", "markov attribution"),
    ("mam_heuristic", "mam", "heuristic attribution"),
]
PEER_MODULES = {"pm4py": "pm4py", "ChannelAttribution": "ChannelAttribution", "mam": "mam"}


def machine() -> dict[str, Any]:
    """Cores, memory and platform of this machine."""
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "host": socket.gethostname(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": round(memory / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": _cpu_model(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def peer_status() -> dict[str, Any]:
    """What ``setup_peers.sh`` recorded: which peers are installed, and pip's error if not."""
    if not PEERS_PYTHON.exists():
        return {
            name: {"available": False, "error": "run `make bench-setup`"} for name in PEER_MODULES
        }
    status: dict[str, Any] = {}
    if PEERS_STATUS.exists():
        status = json.loads(PEERS_STATUS.read_text(encoding="utf-8"))
    return {
        tool: status.get(module, {"available": False, "error": "not recorded"})
        for tool, module in PEER_MODULES.items()
    }


def run_task(task: str, python: Path, data: Path, out: Path, timeout: float) -> dict[str, Any]:
    """Run one task in a subprocess; wall time, peak RSS of that process, and its answer."""
    log = out.with_suffix(".log")
    memory = out.with_suffix(".rss")
    command = [
        str(python),
        "-m",
        f"benchmarks.tasks.{task}",
        "--data",
        str(data),
        "--out",
        str(out),
    ]
    # Linux keeps a forked child's peak RSS across exec, so the task is started by the small
    # /usr/bin/time process, never forked straight from this (larger) one.
    if TIME.exists():
        command = [str(TIME), "-f", "%M", "-o", str(memory), *command]
    out.unlink(missing_ok=True)
    with log.open("w") as handle:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        _, _status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        timer.cancel()
    peak_kb = float(usage.ru_maxrss)
    if TIME.exists() and memory.exists():
        lines = memory.read_text().split()
        peak_kb = float(lines[-1]) if lines and lines[-1].isdigit() else peak_kb
    record: dict[str, Any] = {"seconds": seconds, "peak_mb": peak_kb / 1024}
    if out.exists():
        record |= json.loads(out.read_text(encoding="utf-8"))
    elif seconds >= timeout:
        record |= {"status": "timeout", "reason": f"killed after {timeout:.0f} s"}
    else:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        record |= {"status": "failed", "reason": " | ".join(tail)}
    return record


def bench_size(
    journeys: int, args: argparse.Namespace, peers: dict[str, Any], work: Path
) -> dict[str, Any]:
    """Generate (or reuse) the data of one size and run every task ``--reps`` times."""
    data = Path(args.data_dir) / str(journeys)
    truth = data / "truth.json"
    if not truth.exists() or json.loads(truth.read_text())["journeys"] != journeys:
        print(f"generating {journeys:,} journeys in {data}", flush=True)
        generate(journeys, data, seed=args.seed)
    facts = json.loads(truth.read_text())
    tasks = [t for t in TASKS if not args.tasks or t[0] in args.tasks.split(",")]
    if args.journeymap_only:
        tasks = [t for t in tasks if t[1] not in PEER_MODULES]
    runs: dict[str, list[dict[str, Any]]] = {task: [] for task, _, _ in tasks}
    for rep in range(args.reps):
        shift = rep % len(tasks)
        for task, tool, _job in tasks[shift:] + tasks[:shift]:
            if tool in PEER_MODULES and not peers[tool].get("available"):
                runs[task].append({"status": "not available", "reason": peers[tool].get("error")})
                continue
            python = PEERS_PYTHON if tool in PEER_MODULES else Path(sys.executable)
            out = work / f"{journeys}-{task}-{rep}.json"
            record = run_task(task, python, data, out, args.timeout)
            runs[task].append(record)
            print(
                f"{journeys:>11,} rep {rep + 1} {task:<15} {record.get('status'):<13} "
                f"{record.get('seconds', 0):8.2f} s {record.get('peak_mb', 0):8.0f} MB",
                flush=True,
            )
    results: dict[str, Any] = {}
    for task, tool, job in tasks:
        records = runs[task]
        ok = [r for r in records if r.get("status") == "ok"]
        last = records[-1] if records else {}
        results[task] = {
            "tool": tool,
            "job": job,
            "status": "ok" if ok and len(ok) == len(records) else last.get("status", "missing"),
            "reason": last.get("reason"),
            "seconds": [r["seconds"] for r in records if "seconds" in r],
            "peak_mb": [r["peak_mb"] for r in records if "peak_mb" in r],
            "median_seconds": statistics.median(r["seconds"] for r in ok) if ok else None,
            "median_peak_mb": statistics.median(r["peak_mb"] for r in ok) if ok else None,
            "compute_seconds": [r["compute_seconds"] for r in ok if "compute_seconds" in r],
            "median_compute_seconds": _median(r.get("compute_seconds") for r in ok),
            "answer": ok[-1]["result"] if ok else None,
        }
    checks = accuracy(results, data / "events.parquet")
    for task in results.values():
        task.pop("answer")
    return {"journeys": journeys, "events": facts["events"], "tasks": results, "accuracy": checks}


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _ratio(mine: float | None, theirs: float | None) -> float | None:
    return mine / theirs if mine is not None and theirs else None


def ratios(size: dict[str, Any]) -> list[dict[str, Any]]:
    """journeymap/peer ratios of median time and peak memory, per job."""
    tasks = size["tasks"]
    rows = []
    for name, task in tasks.items():
        if task["tool"] == "journeymap" or task["median_seconds"] is None:
            continue
        ours = {
            n: t
            for n, t in tasks.items()
            if t["tool"] == "journeymap" and (task["tool"] == "duckdb" or t["job"] == task["job"])
        }
        for mine_name, mine in ours.items():
            if mine["median_seconds"] is None:
                continue
            rows.append(
                {
                    "job": mine["job"],
                    "task": mine_name,
                    "peer": name,
                    "time_ratio": mine["median_seconds"] / task["median_seconds"],
                    "compute_ratio": _ratio(
                        mine.get("median_compute_seconds"), task.get("median_compute_seconds")
                    ),
                    "memory_ratio": mine["median_peak_mb"] / task["median_peak_mb"],
                }
            )
    return rows


def main(argv: list[str] | None = None) -> Path:
    """Command line; returns the path of the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--journeymap-only", action="store_true", help="skip the peers")
    parser.add_argument("--tasks", default="", help="comma-separated task names (default all)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per task run")
    parser.add_argument("--allow-100m", action="store_true", help="permit 100M journeys")
    parser.add_argument("--data-dir", default=str(ROOT / "benchmarks" / "data"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if any(s > 10_000_000 for s in sizes) and not args.allow_100m:
        parser.error("sizes above 10M journeys need --allow-100m")
    out = Path(args.out)
    work = out / "runs"
    work.mkdir(parents=True, exist_ok=True)
    peers = (
        {tool: {"available": False, "error": "--journeymap-only"} for tool in PEER_MODULES}
        if args.journeymap_only
        else peer_status()
    )
    now = dt.datetime.now(dt.UTC)
    report: dict[str, Any] = {
        "date": now.isoformat(timespec="seconds"),
        "command": "python -m benchmarks.run "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "reps": args.reps,
        "peers": peers,
        "sizes": [],
    }
    stem = f"{now:%Y-%m-%d}-{report['machine']['host']}"
    taken = 1
    while (out / f"{stem}.json").exists():  # an earlier run of the day keeps its file
        taken += 1
        stem = f"{now:%Y-%m-%d}-{report['machine']['host']}-{taken}"
    target = out / f"{stem}.json"
    for journeys in sizes:
        size = bench_size(journeys, args, peers, work)
        size["ratios"] = ratios(size)
        report["sizes"].append(size)
        # Written after every size, so a long run leaves its finished sizes behind.
        target.write_text(json.dumps(report, indent=2), encoding="utf-8")
        (out / f"{stem}.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))
    print(f"results: {target}")
    return target


if __name__ == "__main__":
    main()
