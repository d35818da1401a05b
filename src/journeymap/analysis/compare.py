"""``compare``: what changed between two analyses (this month and last, before and after).

Step 7 of the method keeps the map current: a checkout or a campaign changes, and the question
is whether the journeys got better. :func:`compare` lines two analyses up (saved folders or
:class:`~journeymap.analysis.Analysis` objects) and gives a :class:`Comparison`: the headline,
each phase of the funnel, each touchpoint, each attribution model's shares and the time to
convert, before and after, with the change. A rate's change carries Newcombe's 95 % interval
for a difference of two independent proportions (hybrid score, built on Wilson's intervals;
:mod:`journeymap.analysis._intervals`) and is *significant* when the interval leaves out 0.

Tables (columns in ``docs/contracts.md``, "Comparison"):

- ``overall``: one row per headline figure (``metric``: journeys, persons, events,
  conversions, conversion_rate, value, time_to_convert_median), in that order;
- ``phases``, ``touchpoints``: one row per phase / touchpoint, the biggest meaningful changes
  first (significant ones, the largest first; then those only one analysis has; then the
  rest by size), with ``status`` ``both``, ``new`` (only after) or ``vanished`` (only before);
- ``attribution``: each model's share of conversions per key, the largest change first (when
  both analyses have attribution);
- ``time_to_convert``: its percentiles (when both have one).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from journeymap.analysis._compare_inputs import (
    analysis_of,
    comparison_notes,
    touchpoints_in_common,
)
from journeymap.analysis._compare_tables import (
    attribution_table,
    overall_table,
    phase_table,
    time_to_convert_table,
    touchpoint_table,
)
from journeymap.analysis._intervals import CONFIDENCE, METHOD
from journeymap.analysis._table_set import TableSet
from journeymap.analysis.result import Analysis
from journeymap.errors import AnalysisError
from journeymap.i18n import N_
from journeymap.i18n.messages import _

if TYPE_CHECKING:
    pass

__all__ = ["Comparison", "compare"]

# The summary figures each side's own summary keeps in the comparison's.
SIDE_KEYS = ("map_id", "journeys", "conversions", "conversion_rate", "first_ts", "last_ts")


class Comparison(TableSet):
    """Two analyses side by side: named :class:`pyarrow.Table` s and a summary.

    Attributes:
        tables: Table name -> Arrow table (``overall``, ``phases``, ``touchpoints``, and
            ``attribution`` and ``time_to_convert`` when both analyses have them).
        summary: ``before`` and ``after`` (each a label and its headline figures), the test
            (``method``: ``newcombe``, ``confidence``: 0.95) and the ``notes``.
        notes: What makes the two less than comparable one to one (different maps, journeys
            cut differently, ...), in the user's language; :func:`compare` also warns them.
        before: The analysis before.
        after: The analysis after.
    """

    _no_table = N_("no table {name} in this comparison; available: {known}")
    _to_polars_for = "Converting comparison tables to polars"

    def __init__(
        self,
        tables: dict[str, pa.Table],
        summary: dict[str, Any],
        *,
        before: Analysis,
        after: Analysis,
    ) -> None:
        """Wrap computed tables; :func:`compare` builds these."""
        self.tables = dict(tables)
        self.summary = dict(summary)
        self.notes: list[str] = list(summary.get("notes", []))
        self.before = before
        self.after = after

    def __repr__(self) -> str:
        labels = self.summary["before"]["label"], self.summary["after"]["label"]
        return (
            f"Comparison(before={labels[0]!r}, after={labels[1]!r}, tables={sorted(self.tables)})"
        )

    def save(self, path: str | Path) -> Path:
        """Write :meth:`to_json` to the file ``path``.

        Raises:
            AnalysisError: if the file cannot be written.
        """
        target = Path(path)
        try:
            target.write_text(self.to_json() + "\n", encoding="utf-8")
        except OSError as exc:
            raise AnalysisError(
                _("cannot write the comparison to {path}: {reason}").format(
                    path=target, reason=exc.strerror or exc
                )
            ) from None
        return target


def compare(
    before: Analysis | str | Path,
    after: Analysis | str | Path,
    *,
    warn: bool = True,
) -> Comparison:
    """Compare two analyses of the same map: what changed, and whether it is more than chance.

    Args:
        before: The earlier analysis (last month, before the change): an :class:`Analysis`
            or the folder ``journeymap analyze --out`` (``Analysis.save``) wrote.
        after: The later one.
        warn: Warn (``UserWarning``) of each note: different maps, journeys cut or funnels
            measured differently, attribution on one side only or with other parameters.
            ``Comparison.notes`` holds them either way.

    Returns:
        The :class:`Comparison`.

    Raises:
        AnalysisError: for a folder without ``analysis.json``, an analysis of an older format,
            or two analyses with no touchpoint in common.
        UsageError: for something that is no analysis.

    Examples:
        >>> import pandas as pd
        >>> from journeymap.analysis import analyze
        >>> from journeymap.examples import example_path
        >>> def month(people, converted):
        ...     return pd.DataFrame({
        ...         "person_id": people * 2,
        ...         "ts": pd.to_datetime(["2024-05-01 09:00"] * len(people)
        ...                              + ["2024-05-02 09:00"] * len(people), utc=True),
        ...         "touchpoint": ["social-ads"] * len(people) + ["checkout"] * len(people),
        ...         "conversion": [False] * len(people)
        ...                       + [p in converted for p in people],
        ...         "source": "crm",
        ...     }).assign(account_id=None, phase=None, persona=None, value=None)
        >>> yoga = example_path("online-yoga")
        >>> people = [f"p{i}" for i in range(200)]
        >>> april = analyze(yoga, month(people, people[:40]), attribution=False)
        >>> may = analyze(yoga, month(people, people[:80]), attribution=False)
        >>> comparison = compare(april, may, warn=False)
        >>> rate = comparison.to_pandas("overall").set_index("metric").loc["conversion_rate"]
        >>> float(rate["before"]), float(rate["after"]), bool(rate["significant"])
        (0.2, 0.4, True)
    """
    first, before_label = analysis_of(before, "before")
    second, after_label = analysis_of(after, "after")
    if not touchpoints_in_common(first, second):
        raise AnalysisError(
            _(
                "the analyses have no touchpoint in common (maps {before} and {after}): there "
                "is nothing to compare; compare two analyses of the same map"
            ).format(before=first.summary["map_id"], after=second.summary["map_id"])
        )
    notes = comparison_notes(first, second)
    tables = {
        "overall": overall_table(first, second),
        "phases": phase_table(first, second),
        "touchpoints": touchpoint_table(first, second),
    }
    for name, table in (
        ("attribution", attribution_table(first, second)),
        ("time_to_convert", time_to_convert_table(first, second)),
    ):
        if table is not None:
            tables[name] = table
    summary = {
        "before": {"label": before_label, **{k: first.summary.get(k) for k in SIDE_KEYS}},
        "after": {"label": after_label, **{k: second.summary.get(k) for k in SIDE_KEYS}},
        "method": METHOD,
        "confidence": CONFIDENCE,
        "notes": notes,
    }
    if warn:
        for note in notes:
            warnings.warn(note, UserWarning, stacklevel=2)
    return Comparison(tables, summary, before=first, after=second)
