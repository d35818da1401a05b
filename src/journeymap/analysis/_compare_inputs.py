"""What a comparison reads: two analyses, checked to be comparable, and what differs in how.

A saved folder is read with :meth:`Analysis.load` after its ``analysis.json`` is checked for
what the comparison needs (an analysis written by an older journeymap lacks some of it). The
notes say what makes the two less than comparable one to one: different maps, journeys cut
differently, funnels measured differently, attribution with other parameters or on one side
only, and journeys that may still be under way at the data's end.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from journeymap.analysis.result import ANALYSIS_FILE, Analysis
from journeymap.errors import AnalysisError, UsageError
from journeymap.i18n import N_, current_language, format_integer, format_percent
from journeymap.i18n.messages import _

__all__ = ["analysis_of", "comparison_notes", "touchpoints_in_common"]

# What a comparison reads of an analysis; an analysis.json without it is of an older format.
SUMMARY_KEYS = ("map_id", "journeys", "conversions", "options")
TABLE_COLUMNS = {
    "phase_funnel": ("phase", "phase_name", "step", "reached", "moved_on", "converted", "dropped"),
    "touchpoint_stats": ("touchpoint", "journeys", "conversions"),
}

# The options that cut events into journeys, then those that measure the funnels, with the
# words the notes use for them.
JOURNEY_OPTIONS = {
    "by": N_("journeys per"),
    "session_gap": N_("session gap"),
    "after_conversion": N_("after a conversion"),
}
FUNNEL_OPTIONS = {
    "conversion_window": N_("conversion window"),
    "ordering": N_("funnel ordering"),
    "funnel_touchpoints": N_("funnel steps"),
    "checkout_touchpoints": N_("checkout touchpoints"),
}
DURATIONS = ("session_gap", "conversion_window")


def analysis_of(given: Any, side: str) -> tuple[Analysis, str]:
    """The analysis ``given`` (an :class:`Analysis` or a folder) and a label for it.

    ``side`` (``before`` or ``after``) labels an analysis given as an object.

    Raises:
        AnalysisError: for a folder without ``analysis.json``, one that is no analysis, or
            one written by an older journeymap.
        UsageError: for anything that is neither an analysis nor a path.
    """
    if isinstance(given, Analysis):
        _check_format(given, side)
        return given, side
    if isinstance(given, str | Path):
        folder = Path(given)
        _check_document(folder)
        try:
            analysis = Analysis.load(folder)
        except (OSError, ValueError, pa.ArrowException) as exc:  # a damaged Parquet file
            raise AnalysisError(
                _("{path}: cannot read the analysis: {reason}").format(path=folder, reason=exc)
            ) from None
        _check_format(analysis, str(folder))
        return analysis, str(folder)
    raise UsageError(
        _(
            "compare takes two analyses (an Analysis or the folder `journeymap analyze --out` "
            "wrote), not a {type}"
        ).format(type=type(given).__name__)
    )


def _check_document(folder: Path) -> None:
    """Refuse a folder without an analysis, or one whose analysis.json is no analysis."""
    path = folder / ANALYSIS_FILE
    if folder.is_file():
        raise AnalysisError(
            _(
                "{folder} is a file; compare takes the folders `journeymap analyze --out` "
                "writes (with analysis.json in them)"
            ).format(folder=folder)
        )
    if not path.is_file():
        raise AnalysisError(
            _(
                "{folder} holds no analysis ({file} is missing); run `journeymap analyze "
                "--map MAP --out {folder}` first"
            ).format(folder=folder, file=ANALYSIS_FILE)
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AnalysisError(
            _("{path}: cannot read the analysis: {reason}").format(path=path, reason=exc)
        ) from None
    if not (
        isinstance(document, dict)
        and isinstance(document.get("summary"), dict)
        and isinstance(document.get("tables"), dict)
    ):
        raise AnalysisError(
            _(
                "{path} is not an analysis journeymap wrote (it has no summary and tables); "
                "run `journeymap analyze --map MAP --out {folder}`"
            ).format(path=path, folder=folder)
        )


def _check_format(analysis: Analysis, where: str) -> None:
    """Refuse an analysis that lacks what the comparison reads: an older format."""
    missing = [key for key in SUMMARY_KEYS if key not in analysis.summary]
    if "options" not in missing and not isinstance(analysis.summary["options"], dict):
        missing.append("options")
    for name, columns in TABLE_COLUMNS.items():
        table = analysis.tables.get(name)
        if table is None:
            missing.append(name)
            continue
        missing += [f"{name}.{column}" for column in columns if column not in table.column_names]
    if missing:
        raise AnalysisError(
            _(
                "the analysis in {where} is of an older format that compare cannot read (it "
                "lacks {missing}); analyse the events again with this journeymap "
                "(`journeymap analyze --map MAP --out FOLDER`) and compare the new folder"
            ).format(where=where, missing=", ".join(missing))
        )


def touchpoints_in_common(before: Analysis, after: Analysis) -> set[str]:
    """The touchpoints both analyses know (on their map or met by a journey)."""

    def known(analysis: Analysis) -> set[str]:
        rows = analysis.tables["touchpoint_stats"].to_pylist()
        return {
            str(row["touchpoint"])
            for row in rows
            if row.get("on_map", True) or int(row.get("journeys") or 0)
        }

    return known(before) & known(after)


def comparison_notes(before: Analysis, after: Analysis) -> list[str]:
    """What makes the two analyses less than comparable one to one, in the user's language."""
    first, second = before.summary, after.summary
    found = [
        _map_note(first, second),
        _options_note(
            first["options"],
            second["options"],
            JOURNEY_OPTIONS,
            N_(
                "the journeys were cut differently: {changes}; journeys, conversions and rates "
                "do not count the same things"
            ),
        ),
        _options_note(
            first["options"],
            second["options"],
            FUNNEL_OPTIONS,
            N_("the funnels were measured differently: {changes}"),
        ),
        *_attribution_notes(before, after),
        _open_note(first, second),
    ]
    return [note for note in found if note]


def _map_note(first: Mapping[str, Any], second: Mapping[str, Any]) -> str | None:
    if first["map_id"] == second["map_id"]:
        return None
    return _(
        "the analyses measured different maps ({before} and {after}); phases and touchpoints "
        "are matched by their ids"
    ).format(before=first["map_id"], after=second["map_id"])


def _options_note(
    first: Mapping[str, Any],
    second: Mapping[str, Any],
    names: Mapping[str, str],
    template: str,
) -> str | None:
    changes = []
    for name, label in names.items():
        old, new = _option_text(name, first.get(name)), _option_text(name, second.get(name))
        if old != new:
            changes.append(
                _("{option} {before} vs {after}").format(option=_(label), before=old, after=new)
            )
    if not changes:
        return None
    return _(template).format(changes="; ".join(changes))


def _option_text(name: str, value: Any) -> str:
    """An option's value as the command line takes it: ``30m``, ``none``, ``a, b``."""
    if value is None or value == []:
        return _("none")
    if name in DURATIONS and isinstance(value, int | float):
        return duration_text(float(value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def duration_text(seconds: float) -> str:
    """``30d``, ``36h``, ``30m``, ``45s``: a duration as the options take it.

    Examples:
        >>> duration_text(1800), duration_text(2592000), duration_text(5400), duration_text(7)
        ('30m', '30d', '90m', '7s')
    """
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _attribution_notes(before: Analysis, after: Analysis) -> list[str]:
    has_before, has_after = "attribution" in before.tables, "attribution" in after.tables
    if has_before != has_after:
        side = _("before") if has_before else _("after")
        return [
            _(
                "only the {side} analysis has attribution, so attribution shares are not "
                "compared; analyse both with attribution (the default of `journeymap analyze`)"
            ).format(side=side)
        ]
    if not has_before:
        return []
    first = before.summary.get("attribution_used") or {}
    second = after.summary.get("attribution_used") or {}
    changes = [
        _("{option} {before} vs {after}").format(
            option=name,
            before=_parameter_text(first.get(name)),
            after=_parameter_text(second.get(name)),
        )
        for name in sorted(set(first) | set(second))
        if first.get(name) != second.get(name)
    ]
    if not changes:
        return []
    return [
        _("the attribution models ran with different parameters: {changes}").format(
            changes="; ".join(changes)
        )
    ]


def _parameter_text(value: Any) -> str:
    if value is None or value == []:
        return _("none")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def _open_note(first: Mapping[str, Any], second: Mapping[str, Any]) -> str | None:
    """Journeys that may still convert at the data's end, on either side (right-censoring)."""
    language = current_language()
    counts = [_open(summary) for summary in (first, second)]
    if not any(count for count, _journeys in counts):
        return None
    before, after = (_share_text(count, journeys, language) for count, journeys in counts)
    return _(
        "journeys that did not convert but may still be under way at the data's end: "
        "{before} before, {after} after; a rate with many of them can still rise"
    ).format(before=before, after=after)


def _share_text(count: int, journeys: int, language: str) -> str:
    return _("{count} ({share})").format(
        count=format_integer(count, language),
        share=format_percent(count / journeys if journeys else 0.0, language, 1),
    )


def _open(summary: Mapping[str, Any]) -> tuple[int, int]:
    found = summary.get("open_journeys")
    count = int(found.get("journeys") or 0) if isinstance(found, dict) else 0
    return count, int(summary.get("journeys") or 0)
