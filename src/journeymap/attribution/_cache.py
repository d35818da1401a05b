"""Segments of one journeys table kept across calls, and a call run on such a cache.

:class:`SegmentCache` computes the conversion segments once per lookback and grouping;
:func:`_with_cache` runs a model on a given cache or on one of its own, and says the driver's
errors of closed journeys or paths in words (:func:`_readable`).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, TypeVar

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

from journeymap.attribution._aggregate import WEIGHT, Segments, prepare, without_outcomes
from journeymap.attribution.paths import Paths
from journeymap.engine._coded_journeys import CodedJourneys, coded_journeys
from journeymap.engine._tables import drop_temporary, is_temporary, materialize
from journeymap.errors import AttributionError
from journeymap.i18n.messages import _

ResultT = TypeVar("ResultT")
# Lookback seconds, by account, conversion touch, outcomes, converting actors' segments alone.
_Key = tuple[float | None, bool, bool, tuple[str, ...], bool]


@contextlib.contextmanager
def _readable(journeys: ir.Table | Paths) -> Iterator[None]:
    """The driver's error for journeys whose database or table is gone, as what to do instead.

    As :meth:`journeymap.analysis.Analysis.attribution` says it for an analysis' journeys.
    """
    if isinstance(journeys, Paths) and journeys.closed:
        raise AttributionError(
            _(
                "these paths were closed (at the end of their 'with from_paths(...)' block, or "
                "by close()), which dropped their tables: attribute them inside the block, or "
                "read them again with from_paths()"
            )
        )
    import duckdb

    try:
        yield
    except duckdb.ConnectionException as error:
        raise AttributionError(
            _(
                "the database these journeys are read from has been closed; attribute them "
                "while it is open (inside the 'with Workspace(...)' block)"
            )
        ) from error
    except duckdb.CatalogException as error:
        # Only the journeys' own temporary table gone is ours to explain.
        if isinstance(journeys, Paths) or not is_temporary(journeys):
            raise
        op = journeys.op()
        if not isinstance(op, ops.DatabaseTable) or op.name not in str(error):
            raise
        raise AttributionError(
            _(
                "the journeys table no longer exists: an analysis drops its journeys when it "
                "is closed (close(), or the end of 'with analyze(...)'); attribute before "
                "closing, e.g. with analysis.attribution(...)"
            )
        ) from error


class SegmentCache:
    """Conversion segments of one journeys table, computed once per lookback and grouping.

    ``compare_models`` and :class:`~journeymap.analysis.Analysis` keep one so that every
    model and level reads the same temporary table. The journeys must not change while the
    cache is in use (an analysis' journeys are a snapshot).
    """

    def __init__(
        self,
        journeys: ir.Table | Paths,
        *,
        heuristics_only: bool = False,
        coded: CodedJourneys | None = None,
    ) -> None:
        """Cache segments of ``journeys`` (path data bring their own).

        ``coded``: every actor's coded events of ``journeys``, where the caller read them
        already (an analysis counted its metrics off them): they are not read again.

        ``heuristics_only``: no model but the heuristic ones will read these segments, so at
        a level read off the touchpoint they may be the converting actors' alone
        (:func:`~._aggregate.prepare`'s ``converting_only``). A cache that outlives one call
        (an analysis', which Markov and Shapley read too) leaves it False.
        """
        self.journeys = journeys
        self.heuristics_only = heuristics_only
        self._prepared: dict[_Key, Segments] = {}
        # Results computed once per segments table (the touchpoint level's, which every level
        # read off the touchpoint is mapped from) or per journeys (checks, Markov chains).
        self._once: dict[tuple[int, str], Any] = {}
        # The journeys' coded events (engine._coded_journeys): every actor's, or the
        # converting actors' alone.
        self._coded: dict[bool, CodedJourneys | None] = {}
        if coded is not None:
            self._coded[False] = coded

    def coded(self, converting_only: bool = False) -> CodedJourneys | None:
        """The journeys' coded events, read once per cache (None: the window pass orders them).

        Every actor's events serve where only the converting actors' are asked for.
        """
        if isinstance(self.journeys, Paths):
            return None
        if False in self._coded:
            return self._coded[False]
        if converting_only not in self._coded:
            self._coded[converting_only] = coded_journeys(
                self.journeys, converting_only=converting_only
            )
        return self._coded[converting_only]

    def coded_held(self) -> CodedJourneys | None:
        """Every actor's coded events if this cache holds them already (no read); else None.

        An analysis hands its cache the coded events its metrics counted off.
        """
        return None if isinstance(self.journeys, Paths) else self._coded.get(False)

    def once(self, segments: Segments | None, name: str, compute: Callable[[], ResultT]) -> ResultT:
        """Result ``name`` of ``segments`` (of the journeys if ``None``), computed once."""
        key = (id(segments) if segments is not None else 0, name)
        if key not in self._once:
            self._once[key] = compute()
        found: ResultT = self._once[key]
        return found

    def get(
        self,
        lookback: timedelta | None,
        by_account: bool,
        conversion_touch: bool = True,
        outcomes: tuple[str, ...] = (),
        converting_only: bool = False,
    ) -> Segments:
        """The segments for this lookback, grouping, conversion touch and outcomes (once).

        Path data bring their own segments; with ``outcomes``, a copy without them.
        ``converting_only`` (honoured on a ``heuristics_only`` cache): the converting actors'
        segments suffice; the whole segments serve as well when they were computed already.
        """
        converting_only = converting_only and self.heuristics_only
        whole = self._key(lookback, by_account, conversion_touch, outcomes)
        key = (*whole[:-1], converting_only)
        if converting_only and whole in self._prepared:
            return self._prepared[whole]
        if isinstance(self.journeys, Paths):
            own = self.journeys.segments  # owned by the Paths, which drop them
            if not outcomes:
                return own
            if key not in self._prepared:
                self._prepared[key] = _paths_without(own, outcomes)
            return self._prepared[key]
        if key not in self._prepared:
            self._prepared[key] = prepare(
                self.journeys,
                lookback=lookback,
                by_account=by_account,
                conversion_touch=conversion_touch,
                outcomes=outcomes,
                converting_only=converting_only,
                coded=lambda: self.coded(converting_only=True),
            )
        return self._prepared[key]

    def cached(
        self,
        lookback: timedelta | None,
        by_account: bool,
        conversion_touch: bool = True,
        outcomes: tuple[str, ...] = (),
        converting_only: bool = False,
    ) -> Segments | None:
        """The segments of :meth:`get`, if they were computed already (else None).

        ``converting_only``: the converting actors' segments serve too.
        """
        if isinstance(self.journeys, Paths) and not outcomes:
            return self.journeys.segments
        whole = self._key(lookback, by_account, conversion_touch, outcomes)
        found = self._prepared.get(whole)
        if found is None and converting_only:
            found = self._prepared.get((*whole[:-1], True))
        return found

    @staticmethod
    def _key(
        lookback: timedelta | None,
        by_account: bool,
        conversion_touch: bool,
        outcomes: tuple[str, ...],
    ) -> _Key:
        """The whole segments' key (``converting_only`` False)."""
        seconds = lookback.total_seconds() if lookback else None
        return (seconds, by_account, conversion_touch, tuple(sorted(outcomes)), False)

    def prepared(self) -> list[Segments]:
        """The segments computed so far (path data: theirs, once asked for)."""
        return list(self._prepared.values())

    def close(self) -> None:
        """Drop the segment tables; a later :meth:`get` computes them again."""
        drop_temporary(*(segments.table for segments in self._prepared.values()))
        self._prepared.clear()
        self._once.clear()

    def __enter__(self) -> SegmentCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _paths_without(segments: Segments, outcomes: tuple[str, ...]) -> Segments:
    """Path data's segments without their outcome touches (a table of the cache's own)."""
    table = materialize(without_outcomes(segments.table, outcomes))
    ends = table.filter(table.converted & (table.i == table.n))
    stands_for = ends[WEIGHT] if WEIGHT in ends.columns else ibis.literal(1)
    own = ibis.ifelse(ends._outcome_alone, stands_for, 0).sum()
    found = ends.aggregate(own=own).to_pyarrow().to_pylist()[0]
    return dataclasses.replace(
        segments,
        table=table,
        touchpoints=None,  # the distinct touchpoints of the path texts hold the outcomes
        outcomes=outcomes,
        outcome_alone=int(found["own"] or 0),
    )


def _with_cache(
    journeys: ir.Table | Paths,
    cache: SegmentCache | None,
    run: Callable[[SegmentCache], ResultT],
    *,
    heuristics_only: bool = False,
) -> ResultT:
    """``run`` with ``cache``, or with a cache of its own that is dropped after.

    ``heuristics_only``: ``run`` runs heuristic models alone, so a cache of its own may hold
    the converting actors' segments alone (:class:`SegmentCache`).

    Driver errors of closed journeys or paths are said in words (:func:`_readable`).
    """
    with _readable(journeys):
        if cache is None:
            with SegmentCache(journeys, heuristics_only=heuristics_only) as own:
                return run(own)
        return run(cache)
