"""Accuracy checks: journeymap's answers against the exact formula and against the peers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.exact import exact_removal_effects

__all__ = ["accuracy", "max_relative_difference"]

MARKOV_TOLERANCE = 1e-6  # against the exact formula (same estimator, floating point only)


def max_relative_difference(ours: dict[str, float], reference: dict[str, float]) -> float:
    """``max |ours - reference| / |reference|`` over the union of keys (missing = 0)."""
    worst = 0.0
    for key in set(ours) | set(reference):
        a, b = float(ours.get(key) or 0.0), float(reference.get(key) or 0.0)
        if a == b:
            continue
        worst = max(worst, abs(a - b) / abs(b) if b else float("inf"))
    return worst


def _answer(results: dict[str, Any], task: str) -> Any:
    entry = results.get(task)
    return entry.get("answer") if entry else None


def _check(name: str, value: Any, passed: bool | None, note: str = "") -> dict[str, Any]:
    return {"check": name, "value": value, "pass": passed, "note": note}


def accuracy(results: dict[str, Any], events: Path) -> list[dict[str, Any]]:
    """Every check whose inputs are present; a missing side is reported as not available."""
    checks: list[dict[str, Any]] = []
    exact = exact_removal_effects(events)
    for task, label in (
        ("jm_markov", "journeymap"),
        ("jm_markov_paths", "journeymap on path strings"),
        ("ca_markov", "ChannelAttribution"),
        ("mam_markov", "mam"),
    ):
        answer = _answer(results, task)
        name = f"{label} Markov removal effects vs exact formula (max rel. diff.)"
        if not answer or not answer.get("removal_effects"):
            checks.append(_check(name, None, None, "not available") if task in results else None)
            continue
        value = max_relative_difference(answer["removal_effects"], exact)
        passed = value <= MARKOV_TOLERANCE if task.startswith("jm_") else None
        checks.append(_check(name, value, passed))
    ours, peer = _answer(results, "jm_markov"), _answer(results, "ca_markov")
    if ours and peer and ours.get("removal_effects"):
        checks.append(
            _check(
                "journeymap vs ChannelAttribution removal effects (max rel. diff.)",
                max_relative_difference(ours["removal_effects"], peer["removal_effects"]),
                None,
                "ChannelAttribution simulates the chain, so it differs by sampling noise",
            )
        )
    ours = _answer(results, "jm_transitions")
    for task, label in (("duckdb_floor", "DuckDB query"), ("pm4py_dfg", "pm4py discover_dfg")):
        peer = _answer(results, task)
        if ours and peer:
            equal = ours["transitions"] == peer["transitions"]
            checks.append(_check(f"transition counts equal to {label}", equal, equal))
    ours, peer = _answer(results, "jm_variants"), _answer(results, "pm4py_variants")
    if ours and peer:
        equal = ours == peer
        checks.append(_check("variants equal to pm4py get_variants", equal, equal))
    for mine, source in (("jm_heuristic", ""), ("jm_heuristic_paths", " on path strings")):
        ours = _answer(results, mine)
        for task, label in (("ca_heuristic", "ChannelAttribution"), ("mam_heuristic", "mam")):
            peer = _answer(results, task)
            if not (ours and peer):
                continue
            for model, credits in peer["credits"].items():
                if model in ours["credits"]:
                    value = max_relative_difference(ours["credits"][model], credits)
                    name = f"{model} credits{source} vs {label} (max rel. diff.)"
                    checks.append(_check(name, value, None))
    return [c for c in checks if c is not None]
