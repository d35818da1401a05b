"""The :class:`Analysis` result: named Arrow tables plus a JSON-able summary."""

from __future__ import annotations

import copy
import html
import json
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from journeymap.analysis._save import ANALYSIS_FILE, _save_into
from journeymap.analysis._table_set import TableSet, json_value
from journeymap.errors import AnalysisError, UsageError
from journeymap.i18n import format_fixed, format_integer, format_percent
from journeymap.i18n.messages import _

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.engine.journeys import JourneyOptions
    from journeymap.model import JourneyMap

__all__ = ["ANALYSIS_FILE", "Analysis", "json_value", "warn_unread_parameters"]


class Analysis(TableSet):
    """Every metric of one analysis run, as named :class:`pyarrow.Table` s and a summary.

    Attributes:
        tables: Table name -> Arrow table (names and columns per docs/contracts.md).
        summary: JSON-able headline numbers and the options used.
        journeys: The lazy journeys table the metrics came from (not saved), or ``None``
            after :meth:`load`.
        journey_map: The map the analysis measured, or ``None`` after :meth:`load`.
        options: A copy of the :class:`~journeymap.engine.journeys.JourneyOptions` it was
            computed with (changing the caller's object later leaves it as it was).
        attribution_parameters: The model parameters the attribution tables were computed
            with (``analyze(..., attribution={...})``); :meth:`attribution` starts from them.

    Examples:
        >>> import tempfile
        >>> import pandas as pd
        >>> from journeymap.analysis import analyze
        >>> from journeymap.examples import example_path
        >>> from journeymap.mapfile import load_map
        >>> journey_map = load_map(example_path("online-yoga"))
        >>> events = pd.DataFrame({
        ...     "person_id": ["ann", "ann", "ann", "bo"],
        ...     "account_id": None,
        ...     "ts": pd.to_datetime(["2024-05-01 09:00", "2024-05-02 10:00",
        ...                           "2024-05-03 11:00", "2024-05-01 12:00"], utc=True),
        ...     "touchpoint": ["social-ads", "video-samples", "checkout", "social-ads"],
        ...     "phase": None, "persona": None,
        ...     "conversion": [False, False, True, False],
        ...     "value": [None, None, 49.0, None],
        ...     "source": "crm",
        ... })
        >>> analysis = analyze(journey_map, events, attribution=False)
        >>> analysis.summary["journeys"], analysis.summary["conversions"]
        (2, 1)
        >>> analysis.to_pandas("phase_funnel")[["phase", "reached", "converted"]]
                   phase  reached  converted
        0      attention        2          1
        1  consideration        1          1
        2       decision        1          1
        3     evaluation        0          0
        >>> folder = tempfile.mkdtemp()
        >>> Analysis.load(analysis.save(folder)).summary["conversion_rate"]
        0.5
    """

    def __init__(
        self,
        tables: dict[str, pa.Table],
        summary: dict[str, Any],
        *,
        journeys: ir.Table | None = None,
        journey_map: JourneyMap | None = None,
        options: JourneyOptions | None = None,
        coded: Any = None,
    ) -> None:
        """Wrap computed tables; :func:`journeymap.analysis.analyze` builds these.

        ``coded``: the journeys' coded events (``engine._coded_journeys``) where the analysis
        read them, for the attribution to count off without reading the events again.
        """
        self.tables = dict(tables)
        self.summary = dict(summary)
        self.journeys = journeys
        self.journey_map = journey_map
        # A copy: the caller's options, changed for the next run, changed this one's too.
        self.options = copy.deepcopy(options)
        self.attribution_parameters: dict[str, Any] = {}
        self._segments: Any = None
        self._coded = coded

    def __repr__(self) -> str:
        return (
            f"Analysis(map={self.summary.get('map_id')!r}, journeys={self.summary.get('journeys')},"
            f" tables={sorted(self.tables)})"
        )

    def save(self, directory: str | Path) -> Path:
        """Write ``analysis.json`` and one ``<table>.parquet`` per table into ``directory``.

        All or nothing, as far as the file system allows: everything is written into a
        temporary folder beside ``directory`` first, so a failure (a full disk, a killed
        process) leaves ``directory`` as it was. A new folder is then renamed into place in
        one step. Into a folder that exists, the files are moved one by one (each in one
        step) with ``analysis.json``, which says what the folder holds, last; tables of the
        previous analysis there that this one does not have are removed. Other files in the
        folder (a report rendered there, your own notes) are left alone.

        Raises:
            AnalysisError: if ``directory`` is a file, a folder stands where a file of the
                analysis goes, or the files cannot be written.
        """
        folder = Path(directory)
        try:
            _save_into(folder, self.to_json(), self.tables)
        except OSError as exc:
            # The system's words without the file they name: a temporary one of journeymap's.
            raise AnalysisError(
                _("cannot write the analysis to {folder}: {reason}").format(
                    folder=folder, reason=exc.strerror or exc
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
        self._coded = None

    def __enter__(self) -> Analysis:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stored_journeys(self) -> ir.Table | None:
        """:attr:`journeys`, stored once where the metrics counted them off their arrays.

        The attribution reads the journeys many times (segments, checks, chains): at 1M
        generated journeys, a full analysis took 21.2-21.9 s of compute reading them from
        the events each time, 16.2-17.5 s storing them first. The metrics alone never store
        them.
        """
        from journeymap.engine.journeys import built_from, materialize_journeys

        if self.journeys is not None and built_from(self.journeys) is not None:
            self.journeys = materialize_journeys(self.journeys)
        return self.journeys

    def segment_cache(self) -> Any:
        """The attribution segments of these journeys, computed once per lookback/grouping."""
        if self._segments is None:
            from journeymap.attribution import SegmentCache

            self._segments = SegmentCache(self.stored_journeys(), coded=self._coded)
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

        merged = {**self.attribution_parameters, **params}
        try:
            # Asked first: the segment cache may answer without a query, and every call
            # should say the same when the workspace is gone.
            self.journeys.limit(0).to_pyarrow()
            cache = self.segment_cache()  # first: it may store the journeys
            result = attribute(
                self.journeys, self.journey_map, model=model, level=level, cache=cache, **merged
            )
        except duckdb.ConnectionException as error:
            raise AnalysisError(
                _(
                    "the workspace this analysis was computed on has been closed; call "
                    "attribution() while it is open (inside the 'with Workspace(...)' block)"
                )
            ) from error
        warn_unread_parameters(params, merged, [model], self.journey_map, stacklevel=3)
        return result

    def notes(
        self, language: str | None = None, *, journey_map: JourneyMap | None = None
    ) -> list[str]:
        """What the tables do not say by themselves, in sentences: the command line's notes.

        ``journeymap analyze`` prints them under its tables, the report under "Notes on the
        figures": journeys the phase funnel leaves out because they never reached its first
        phase, a touchpoint funnel that takes a phase's alternatives as steps, journeys
        that may still be open, touchpoints that always or never go with converting,
        touchpoints only the events or only the map have, and more
        (:func:`journeymap.analysis.notes.figure_notes`). None: nothing to say.

        Args:
            language: ``en``, ``da`` or ``de`` (or a locale such as ``de_DE``); default: the
                language journeymap speaks to the user (``JOURNEYMAP_LANG``, the locale).
            journey_map: The map, for an analysis loaded from disk (which keeps none).

        Raises:
            AnalysisError: for a loaded analysis without ``journey_map``.
            UsageError: for a language journeymap does not speak.
        """
        from journeymap.analysis.notes import figure_notes
        from journeymap.i18n import LANGUAGES, current_language, language_code

        journey_map = journey_map or self.journey_map
        if journey_map is None:
            raise AnalysisError(
                _(
                    "this analysis was loaded from disk and has no journey map; give it: "
                    "analysis.notes(journey_map=load_map('map.yaml'))"
                )
            )
        code = current_language() if language is None else language_code(language)
        if code is None:
            raise UsageError(
                _("unknown language {language}; choose one of: {languages}").format(
                    language=repr(language), languages=", ".join(LANGUAGES)
                )
            )
        return figure_notes(self, journey_map, code)

    def _repr_html_(self) -> str:
        from journeymap.i18n import current_language

        language = current_language()
        keys = [
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
        ]
        summary = self.summary
        # More conversion events than converted journeys: journeys go on after converting,
        # and value and credit count every conversion event.
        if "conversion_events" in summary and summary.get("conversion_events") != summary.get(
            "conversions"
        ):
            keys.insert(keys.index("conversions") + 1, "conversion_events")
        esc = html.escape
        rows = "".join(
            f"<tr><th>{esc(key)}</th><td>{esc(_format(key, summary.get(key), language))}</td></tr>"
            for key in keys
            if key in summary
        )
        names = esc(
            ", ".join(
                f"{n} ({format_integer(t.num_rows, language)})"
                for n, t in sorted(self.tables.items())
            )
        )
        return (
            "<table class='journeymap-analysis'>"
            f"<caption>journeymap analysis</caption>{rows}"
            f"<tr><th>tables</th><td>{names}</td></tr></table>"
        )


# Summary figures that are counts; the others are a rate, a value or text.
_COUNTS = ("journeys", "persons", "accounts", "events", "conversions", "conversion_events")


def _format(key: str, value: Any, language: str) -> str:
    """A summary figure as a reader writes it: ``4,596,123.40``, ``99.5%``, ``12,330``."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if key in _COUNTS:
            return format_integer(value, language)
        if key == "conversion_rate":
            return format_percent(value, language, decimals=1)
        if key == "value":
            return format_fixed(value, 2, language)
    return str(value)


def warn_unread_parameters(
    given: Mapping[str, Any],
    params: Mapping[str, Any],
    run: Sequence[str],
    journey_map: JourneyMap | None,
    *,
    stacklevel: int,
) -> None:
    """Warn (``UserWarning``) of each parameter in ``given`` that no model of ``run`` reads.

    ``attribution(model="linear", order=3)`` ran linear, which reads no Markov order: the
    command line says so, and Python said nothing. ``params`` are all the parameters the
    models ran with (``given`` over the analysis' own), which decide whether Shapley samples.
    A value the models would take anyway (its setting or default) is no request, so nothing
    is said of it: ``summary["attribution_used"]`` given back names every parameter. Which
    model reads what, and the values used, are the attribution package's.
    """
    try:
        from journeymap.attribution._options import unread_message
        from journeymap.attribution.api import unread_parameters, used_parameters
    except ImportError:  # pragma: no cover - attribution ships with journeymap
        return
    models = list(dict.fromkeys(str(name) for name in run))
    named = {name: value for name, value in params.items() if value is not None}
    unread = {
        name: readers
        for name, readers in unread_parameters(named, models).items()
        if given.get(name) is not None  # the analysis' own parameters: said when it ran
    }
    if not unread:
        return
    default = used_parameters({}, journey_map)
    for name, readers in unread.items():
        if used_parameters({name: given[name]}, journey_map).get(name) == default.get(name):
            continue
        warnings.warn(
            unread_message(name, given[name], readers, models), UserWarning, stacklevel=stacklevel
        )
