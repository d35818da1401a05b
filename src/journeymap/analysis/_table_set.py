"""What an analysis and a comparison share: named Arrow tables, a summary, their conversions."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa

from journeymap.engine._tables import polars_frame
from journeymap.errors import AnalysisError
from journeymap.i18n import N_
from journeymap.i18n.messages import _

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = ["TableSet", "json_value"]


def json_value(value: Any) -> Any:
    """A value made JSON-safe: datetimes as ISO text, NaN/inf as None, containers recursed."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


class TableSet:
    """Named tables and a summary, with ``table``, ``to_pandas``, ``to_polars``, ``to_json``.

    A subclass sets ``tables`` and ``summary``, and words its missing-table message and what
    a polars conversion is for.
    """

    tables: dict[str, pa.Table]
    summary: dict[str, Any]
    _no_table: ClassVar[str] = N_("no table {name} in this analysis; available: {known}")
    _to_polars_for: ClassVar[str] = "Converting analysis tables to polars"

    def table(self, name: str) -> pa.Table:
        """The table ``name``; an :class:`AnalysisError` lists the available ones."""
        try:
            return self.tables[name]
        except KeyError:
            known = ", ".join(sorted(self.tables))
            raise AnalysisError(_(self._no_table).format(name=repr(name), known=known)) from None

    def to_pandas(self, name: str) -> pd.DataFrame:
        """The table ``name`` as a pandas DataFrame."""
        frame: pd.DataFrame = self.table(name).to_pandas()
        return frame

    def to_polars(self, name: str) -> pl.DataFrame:
        """The table ``name`` as a polars DataFrame (needs the ``polars`` extra)."""
        return polars_frame(self.table(name), self._to_polars_for)

    def to_dict(self) -> dict[str, Any]:
        """Summary and every table as a list of records, JSON-safe."""
        return {
            "summary": json_value(self.summary),
            "tables": {name: json_value(t.to_pylist()) for name, t in self.tables.items()},
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (for an analysis, what ``analysis.json`` holds)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)
