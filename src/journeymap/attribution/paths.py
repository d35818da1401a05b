"""Pre-aggregated conversion paths as attribution input.

ChannelAttribution, the ``mta`` package and conversion-path exports keep journeys as distinct
paths: the touches in order joined by a separator (``"search > email > checkout"``), how many
journeys took the path and converted, how many took it and did not (the nulls), and the
conversions' total value. :func:`from_paths` turns such a table into weighted conversion
segments: one row per touch of each distinct path and outcome, whose :data:`WEIGHT` says how
many journeys it stands for. Every model then runs on it as on segments cut from events, and
reads each distinct path once instead of once per journey.

Path data carry no times, people or accounts, so the time-decay model, a lookback window and
the persona and account levels need events; the touchpoint, channel and phase levels (the
phase each touchpoint has in the map) work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from journeymap.attribution._aggregate import WEIGHT, Segments, exact_sum
from journeymap.engine._tables import (
    arrow_of,
    drop_temporary,
    in_memory,
    is_temporary,
    materialize,
)
from journeymap.engine.journeys import phase_lookup
from journeymap.errors import UsageError
from journeymap.i18n import N_
from journeymap.i18n.messages import _
from journeymap.model import JourneyMap

__all__ = ["PATH_LEVELS", "Paths", "from_paths"]

# The levels path data can be attributed at (the rest need people, accounts or columns).
PATH_LEVELS = ("touchpoint", "channel", "phase")
# What each skipped row lacked, in the order the checks run.
REASONS = {
    # Set by a file reader (see journeymap.services.attribution), before the other checks.
    "malformed row": N_("the line cannot be read as a row"),
    "empty path": N_("the path is empty or has an empty touch between separators"),
    "bad count": N_("conversions or nulls are not whole numbers >= 0"),
    "bad value": N_("the value is not a number"),
}
# How many positions of skipped rows :attr:`Paths.skipped_rows` keeps per reason.
FIRST_SKIPPED = 10
# The source's own row order, numbered before the engine reads it (1 = the first row).
_ROW = "__journeymap_row"


@dataclass
class Paths:
    """Distinct paths with their conversions, nulls and value, as weighted segments.

    Use as a context manager (or call :meth:`close`) to drop the temporary table; once
    :attr:`closed`, attributing them is an :class:`~journeymap.errors.AttributionError`.

    Attributes:
        segments: The weighted segments every model reads.
        rows: Rows read from the source.
        journeys: Journeys the paths stand for (conversions plus nulls).
        skipped: Rows left out, by reason (keys of :data:`REASONS`); counted, never silent.
        skipped_rows: The first positions (1 = the source's first row) of the rows left out,
            by reason, at most :data:`FIRST_SKIPPED` each. For an Ibis table the positions
            follow the engine's scan order.
        nulls_known: Whether the paths have a nulls column. Without one only converting
            journeys are known: every path counts as converting, so conversion rates are
            100% and Markov removal effects only say how many conversions pass each touch.
    """

    segments: Segments
    rows: int
    journeys: int
    _temporary: tuple[ir.Table, ...] = field(repr=False)  # the tables the segments read
    skipped: dict[str, int] = field(default_factory=dict)
    phase_of: dict[str, str] = field(default_factory=dict)
    skipped_rows: dict[str, list[int]] = field(default_factory=dict)
    nulls_known: bool = True
    _closed: bool = field(default=False, repr=False)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` dropped the tables the segments read."""
        return self._closed

    @property
    def conversions(self) -> float:
        """Total conversions of the paths read."""
        return self.segments.conversions

    @property
    def value(self) -> float:
        """Total conversion value of the paths read."""
        return self.segments.value

    def close(self) -> None:
        """Drop the segments' temporary tables."""
        drop_temporary(*self._temporary)
        self._closed = True

    def __enter__(self) -> Paths:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@ibis.udf.scalar.builtin(name="trim")  # type: ignore[untyped-decorator]
def _trim(text: str) -> str:  # type: ignore[empty-body]
    """The engine's one-argument trim (spaces), several times faster than ``strip()``."""


def _arrow(source: Any) -> pa.Table | None:
    """``source`` as Arrow (:func:`arrow_of`); a pandas column mixing text and numbers as text.

    Arrow takes one type per column and refuses such an object column (``[5.0, "abc"]``),
    but a value that is no number is to be skipped and counted, as it is in a file; as text,
    each value is read as a number where it is one.
    """
    try:
        return arrow_of(source)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        if type(source).__module__.split(".")[0] != "pandas":
            raise UsageError(
                _("the paths cannot be read as a table: {reason}").format(reason=error)
            ) from error
        mixed = [name for name, kind in source.dtypes.items() if kind.kind == "O"]
        # The string dtype keeps a missing value (None, NaN) missing, not "None" or "nan".
        as_text = source.astype(dict.fromkeys(mixed, dt.string))
        try:
            return arrow_of(as_text)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as again:
            raise UsageError(
                _("the paths cannot be read as a table: {reason}").format(reason=again)
            ) from again


def _table(source: Any) -> ir.Table:
    arrow = _arrow(source)
    if arrow is not None and _ROW not in arrow.column_names:
        # Numbered before the engine reads it: skipped rows are named by their position.
        # From numpy: a Python range took 0.03 s for 389,221 rows.
        numbers = np.arange(1, arrow.num_rows + 1, dtype=np.int64)
        source = arrow.append_column(_ROW, pa.array(numbers))
    table = in_memory(source)
    if table is not None:
        return table
    raise UsageError(
        _(
            "paths must be an Ibis table, an Arrow table or a pandas/polars DataFrame, not {type}"
        ).format(type=type(source).__name__)
    )


def _column(
    t: ir.Table, given: str | None, default: str, what: str, *, required: bool
) -> str | None:
    name = given or default
    if name in t.columns:
        return name
    if given is None and not required:
        return None  # the optional column under its usual name is simply absent
    columns = [column for column in t.columns if column != _ROW]
    raise UsageError(
        _(
            "the paths have no {what} column {name}; columns: {columns} "
            "(say which column holds the {what})"
        ).format(what=what, name=repr(name), columns=", ".join(columns))
    )


def _number(t: ir.Table, name: str | None) -> tuple[ir.FloatingValue, ir.BooleanValue]:
    """The column as a number (null when missing or blank) and whether it held a non-number.

    Infinity and NaN (a float column's, or the texts ``inf`` and ``nan``) are no numbers of
    journeys or money: an infinite value made every total infinite.
    """
    if name is None:
        return ibis.literal(0.0), ibis.literal(False)
    column = t[name]
    if column.type().is_numeric():
        value = column.cast(dt.float64)
        return value, (value.isinf() | value.isnan()).fill_null(False)
    text = column.cast(dt.string).strip()
    value = text.try_cast(dt.float64)
    unreadable = text.notnull() & (text != "") & value.isnull()
    return value, (unreadable | value.isinf() | value.isnan()).fill_null(False)


def from_paths(
    source: Any,
    journey_map: JourneyMap | None = None,
    *,
    path: str | None = None,
    conversions: str | None = None,
    nulls: str | None = None,
    value: str | None = None,
    sep: str = ">",
) -> Paths:
    """Read distinct paths into weighted segments (see the module doc).

    Args:
        source: An Ibis table, an Arrow table or a pandas/polars DataFrame (a pandas
            column mixing text and numbers is read as text: a value in it that is no number
            is skipped and counted, as in a file).
        journey_map: The map: the phase of every touchpoint (for the phase level and the
            W-shaped and full-path models) and its channel.
        path: The path column (default ``path``): touches joined by ``sep``; spaces around
            a touch are ignored.
        conversions: Converting journeys per path (default ``total_conversions``).
        nulls: Journeys that took the path and did not convert (default ``total_null``;
            without it, only converting journeys are known).
        value: Total conversion value per path (default ``total_conversion_value``, if
            present).
        sep: The separator between touches.

    Raises:
        UsageError: if a named column is missing, ``sep`` is empty, or the source is no table
            (or Arrow cannot read it as one).

    Examples:
        ChannelAttribution's columns; the empty path is skipped and counted:

        >>> import pyarrow as pa
        >>> from journeymap.attribution import attribute
        >>> table = pa.table({
        ...     "path": ["ad > mail", "mail", "ad", ""],
        ...     "total_conversions": [3, 1, 0, 2],
        ...     "total_null": [1, 2, 4, 0],
        ... })
        >>> with from_paths(table) as paths:
        ...     print(paths.rows, paths.journeys, paths.conversions, paths.skipped)
        ...     first = attribute(paths, model="first_touch")
        4 11 4.0 {'empty path': 1}
        >>> first.table.select(["key", "conversions"]).to_pylist()
        [{'key': 'ad', 'conversions': 3.0}, {'key': 'mail', 'conversions': 1.0}]

        A path data frame of pandas or polars reads the same way; ``sep`` and the column
        arguments read other exports.
    """
    if not sep:
        raise UsageError(_("the path separator must not be empty"))
    t = _table(source)
    path_name = _column(t, path, "path", "path", required=True)
    conv_name = _column(t, conversions, "total_conversions", "conversions", required=True)
    null_name = _column(t, nulls, "total_null", "nulls", required=False)
    value_name = _column(t, value, "total_conversion_value", "value", required=False)
    assert path_name is not None and conv_name is not None
    # A blank value is no value (0), as a null one; text that is no number is an error.
    amount, not_a_number = _number(t, value_name)
    read = t.select(
        *([_ROW] if _ROW in t.columns else []),
        _path=t[path_name].cast(dt.string),
        _conv=_number(t, conv_name)[0],
        _null=_number(t, null_name)[0],
        _value=amount,
        _value_bad=not_a_number,
    )

    stored: ir.Table | None = None
    if _ROW not in read.columns:
        # Stored first, numbered after: numbering the rows while a file is read put a
        # one-thread step into DuckDB's parallel scan (0.24 s in all for 389,221 CSV rows;
        # stored, then checked and numbered, 0.17 s).
        stored = materialize(read)
        read = stored

    def whole(x: ir.FloatingValue) -> ir.BooleanValue:
        # Infinity is no whole number, and Ibis's floor casts to an integer, which it
        # overflowed (a conversion error from inside DuckDB): it never reaches the floor.
        finite = ibis.ifelse(x.isinf() | x.isnan(), ibis.null(dt.float64), x)
        return finite.notnull() & (finite >= 0) & (finite == finite.floor())

    mark = re.escape(sep)
    # A touch that is empty or blank: four patterns, each with a literal or an anchor RE2 can
    # seek, instead of one alternation it must try at every position (0.045 s against
    # 0.064 s for 389,221 paths).
    patterns = [rf"{mark}\s*{mark}", rf"^\s*{mark}", rf"{mark}\s*$", r"^\s*$"]
    empty = read._path.isnull()
    for pattern in patterns:
        empty = empty | read._path.re_search(pattern)
    reason = ibis.cases(
        (empty, "empty path"),
        (~(whole(read._conv) & whole(read._null)), "bad count"),
        (read._value_bad, "bad value"),
        else_=ibis.null(dt.string),
    )
    # One read of the source: it may be a file that every further query would read again.
    position = read[_ROW] if _ROW in read.columns else ibis.row_number() + 1
    checked = materialize(read.mutate(_reason=reason, _pid=position.cast(dt.int64)))
    if stored is not None and is_temporary(checked):  # else the checked rows still read it
        drop_temporary(stored)
        stored = None
    ok = checked._reason.isnull()
    # The totals come from the paths themselves, in the same pass that counts the rows.
    counts = (
        checked.group_by("_reason")
        .aggregate(
            n=checked.count(),
            c=checked._conv.sum(where=ok),
            v=exact_sum(checked._value, value=True, where=ok & (checked._conv > 0)),
            j=(checked._conv + checked._null).sum(where=ok),
        )
        .to_pyarrow()
        .to_pylist()
    )
    skipped = {str(r["_reason"]): int(r["n"]) for r in counts if r["_reason"] is not None}
    skipped_rows = _first_skipped(checked) if skipped else {}
    good = checked.filter(ok)
    # The converting touches are stored: every model reads them. The null journeys' touches
    # (three in four at 1M generated journeys) stay an expression over the checked paths,
    # cut only by the models that read them (Markov, Shapley); the heuristics never do.
    converting = materialize(_touches(good, sep, converted=True))
    base = converting.union(_touches(good, sep, converted=False))
    lookup = phase_lookup(journey_map) if journey_map is not None else {}
    # Columns computed when a model reads them (the phase for the phase level and W-shaped
    # and full-path models), not stored for every touch.
    table = base.mutate(
        age_s=ibis.null(dt.float64),
        phase=base.touchpoint.substitute(lookup, else_=ibis.null(dt.string))
        if lookup
        else ibis.null(dt.string),
        person_id=ibis.null(dt.string),
        persona=ibis.null(dt.string),
    )
    good_counts = [r for r in counts if r["_reason"] is None]
    total = good_counts[0] if good_counts else {"c": 0, "v": 0, "j": 0}
    segments = Segments(
        table=table,
        conversions=float(total["c"] or 0),
        value=float(total["v"] or 0.0),
        lookback=None,
        by_account=False,
        touchpoints=_distinct_touches(good, sep),
    )
    rows = sum(int(r["n"]) for r in counts)
    return Paths(
        segments=segments,
        rows=rows,
        journeys=int(total["j"] or 0),
        skipped=skipped,
        _temporary=tuple(x for x in (converting, checked, stored) if x is not None),
        phase_of=lookup,
        skipped_rows=skipped_rows,
        nulls_known=null_name is not None,
    )


def _touches(good: ir.Table, sep: str, *, converted: bool) -> ir.Table:
    """One row per touch of each kept path's converting (or its null) journeys."""
    weight = good._conv if converted else good._null
    split = good.filter(weight > 0).mutate(_w=weight, _touches=good._path.split(sep))
    touches = split._touches
    # Two unnests in one select run side by side (touch and its offset); Ibis's
    # ``Table.unnest(offset=)`` zips them first, which took ten times as long on DuckDB.
    kept = split.select(
        _g=split._pid * 2 + int(converted),  # a path's converting and null journeys
        _w=split._w.cast(dt.int64),
        seg_value=split._value.fill_null(0.0) if converted else ibis.literal(0.0),
        _n=touches.length().cast(dt.int64),
        _touch=touches.unnest(),
        _i=ibis.range(0, touches.length()).unnest(),
    )
    return kept.select(
        _g=kept._g,
        _segno=ibis.literal(0, dt.int64),
        i=(kept._i + 1).cast(dt.int64),
        n=kept._n,
        converted=ibis.literal(converted),
        seg_value=kept.seg_value,
        touchpoint=_trim(kept._touch),
        **{WEIGHT: kept._w},
    )


def _distinct_touches(good: ir.Table, sep: str) -> ir.Table:
    """The distinct touchpoints of the kept paths that stand for some journey.

    Distinct texts first, trimmed after: trimming each of the millions of touches cost more
    than the rest of the query (0.15 s against 0.06 s for 389,221 paths).
    """
    taken = good.filter((good._conv > 0) | (good._null > 0))
    texts = taken.select(_touch=taken._path.split(sep).unnest()).distinct()
    return texts.select(touchpoint=_trim(texts._touch)).distinct()


def _first_skipped(checked: ir.Table) -> dict[str, list[int]]:
    """The first :data:`FIRST_SKIPPED` positions of the skipped rows, by reason."""
    bad = checked.filter(checked._reason.notnull())
    rank = ibis.row_number().over(group_by=bad._reason, order_by=bad._pid)
    first = bad.select("_reason", "_pid", _k=rank).filter(lambda t: t._k < FIRST_SKIPPED)
    found: dict[str, list[int]] = {}
    for row in first.order_by("_pid").to_pyarrow().to_pylist():
        found.setdefault(str(row["_reason"]), []).append(int(row["_pid"]))
    return found
