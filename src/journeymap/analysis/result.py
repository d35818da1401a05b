"""The :class:`Analysis` result: named Arrow tables plus a JSON-able summary."""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from journeymap.errors import AnalysisError, MissingDependencyError
from journeymap.i18n.messages import _

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd
    import polars as pl

    from journeymap.engine.journeys import JourneyOptions
    from journeymap.model import JourneyMap

__all__ = ["ANALYSIS_FILE", "Analysis", "json_value"]

ANALYSIS_FILE = "analysis.json"


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


class Analysis:
    """Every metric of one analysis run, as named :class:`pyarrow.Table` s and a summary.

    Attributes:
        tables: Table name -> Arrow table (names and columns per docs/contracts.md).
        summary: JSON-able headline numbers and the options used.
        journeys: The lazy journeys table the metrics came from (not saved), or ``None``
            after :meth:`load`.
        attribution_parameters: The model parameters the attribution tables were computed
            with (``analyze(..., attribution={...})``); :meth:`attribution` starts from them.
    """

    def __init__(
        self,
        tables: dict[str, pa.Table],
        summary: dict[str, Any],
        *,
        journeys: ir.Table | None = None,
        journey_map: JourneyMap | None = None,
        options: JourneyOptions | None = None,
    ) -> None:
        """Wrap computed tables; :func:`journeymap.analysis.analyze` builds these."""
        self.tables = dict(tables)
        self.summary = dict(summary)
        self.journeys = journeys
        self.journey_map = journey_map
        self.options = options
        self.attribution_parameters: dict[str, Any] = {}
        self._segments: Any = None

    def __repr__(self) -> str:
        return (
            f"Analysis(map={self.summary.get('map_id')!r}, journeys={self.summary.get('journeys')},"
            f" tables={sorted(self.tables)})"
        )

    def table(self, name: str) -> pa.Table:
        """The table ``name``; an :class:`AnalysisError` lists the available ones."""
        try:
            return self.tables[name]
        except KeyError:
            known = ", ".join(sorted(self.tables))
            raise AnalysisError(
                _("no table {name} in this analysis; available: {known}").format(
                    name=repr(name), known=known
                )
            ) from None

    def to_pandas(self, name: str) -> pd.DataFrame:
        """The table ``name`` as a pandas DataFrame."""
        frame: pd.DataFrame = self.table(name).to_pandas()
        return frame

    def to_polars(self, name: str) -> pl.DataFrame:
        """The table ``name`` as a polars DataFrame (needs the ``polars`` extra)."""
        try:
            import polars
        except ImportError:
            raise MissingDependencyError(
                "polars", "polars", "Converting analysis tables to polars"
            ) from None
        result = polars.from_arrow(self.table(name))
        assert isinstance(result, polars.DataFrame)
        return result

    def to_dict(self) -> dict[str, Any]:
        """Summary and every table as a list of records, JSON-safe."""
        return {
            "summary": json_value(self.summary),
            "tables": {name: json_value(t.to_pylist()) for name, t in self.tables.items()},
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The analysis as JSON text (what ``analysis.json`` holds)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    def save(self, directory: str | Path) -> Path:
        """Write ``analysis.json`` and one ``<table>.parquet`` per table into ``directory``."""
        folder = Path(directory)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / ANALYSIS_FILE).write_text(self.to_json(), encoding="utf-8")
            for name, table in self.tables.items():
                pq.write_table(table, folder / f"{name}.parquet")
        except OSError as exc:
            raise AnalysisError(
                _("cannot write the analysis to {folder}: {reason}").format(
                    folder=folder, reason=exc
                )
            ) from None
        return folder

    @classmethod
    def load(cls, directory: str | Path) -> Analysis:
        """Read an analysis written by :meth:`save` (tables from Parquet, summary from JSON)."""
        folder = Path(directory)
        path = folder / ANALYSIS_FILE
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise AnalysisError(
                _("{path} does not exist; run `journeymap analyze --out {folder}` first").format(
                    path=path, folder=folder
                )
            ) from None
        except (OSError, ValueError) as exc:
            raise AnalysisError(
                _("{path}: cannot read the analysis: {reason}").format(path=path, reason=exc)
            ) from None
        tables: dict[str, pa.Table] = {}
        for name in document.get("tables", {}):
            parquet = folder / f"{name}.parquet"
            if parquet.is_file():
                tables[name] = pq.read_table(parquet)
            else:
                tables[name] = pa.Table.from_pylist(document["tables"][name])
        return cls(tables, document.get("summary", {}))

    def close(self) -> None:
        """Drop the temporary tables behind :attr:`journeys` and the attribution segments.

        The computed :attr:`tables` stay; :meth:`attribution` needs the journeys, so it is
        not available after closing. ``with analyze(...) as analysis:`` closes at the end.
        """
        from journeymap.engine._tables import drop_temporary

        if self._segments is not None:
            self._segments.close()
            self._segments = None
        drop_temporary(self.journeys)
        self.journeys = None

    def __enter__(self) -> Analysis:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def segment_cache(self) -> Any:
        """The attribution segments of these journeys, computed once per lookback/grouping."""
        if self._segments is None:
            from journeymap.attribution import SegmentCache

            self._segments = SegmentCache(self.journeys)
        return self._segments

    def attribution(self, model: str = "markov", level: str = "touchpoint", **params: Any) -> Any:
        """Run an attribution model on this analysis' journeys.

        ``params`` go over the parameters the analysis attributed with
        (:attr:`attribution_parameters`). Returns ``journeymap.attribution.attribute(...)``'s
        result.

        Raises:
            AnalysisError: if the analysis was loaded from disk (journeys are not saved).
        """
        if self.journeys is None or self.journey_map is None:
            raise AnalysisError(
                _(
                    "this analysis has no journeys (it was loaded from disk or closed); "
                    "run analyze() again to attribute"
                )
            )
        import importlib

        attribution = importlib.import_module("journeymap.attribution")
        attribute: Any = getattr(attribution, "attribute", None)
        if attribute is None:
            raise AnalysisError(_("attribution is not available in this version of journeymap"))
        import duckdb

        try:
            # Asked first: the segment cache may answer without a query, and every call
            # should say the same when the workspace is gone.
            self.journeys.limit(0).to_pyarrow()
            return attribute(
                self.journeys,
                self.journey_map,
                model=model,
                level=level,
                cache=self.segment_cache(),
                **{**self.attribution_parameters, **params},
            )
        except duckdb.ConnectionException as error:
            raise AnalysisError(
                _(
                    "the workspace this analysis was computed on has been closed; call "
                    "attribution() while it is open (inside the 'with Workspace(...)' block)"
                )
            ) from error

    def _repr_html_(self) -> str:
        esc = html.escape
        keys = (
            "map_id",
            "journeys",
            "persons",
            "accounts",
            "events",
            "conversions",
            "conversion_rate",
            "value",
            "first_ts",
            "last_ts",
        )
        rows = "".join(
            f"<tr><th>{esc(key)}</th><td>{esc(_format(self.summary.get(key)))}</td></tr>"
            for key in keys
            if key in self.summary
        )
        names = esc(", ".join(f"{n} ({t.num_rows})" for n, t in sorted(self.tables.items())))
        return (
            "<table class='journeymap-analysis'>"
            f"<caption>journeymap analysis</caption>{rows}"
            f"<tr><th>tables</th><td>{names}</td></tr></table>"
        )


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)
