"""A journey's touchpoints and phases in order, collected as integers and sorted per journey.

An ordered aggregate (``string_agg(... ORDER BY step)``) makes DuckDB sort each journey's
events inside the grouping: at 10M generated journeys, under a 2500MB cap, the touchpoint
sequences alone took 20-23 s. Each event becomes one integer instead, ``step * width +
code``, where ``code`` numbers its (touchpoint, phase): a journey's integers are collected in
any order, sorted as a list and read back as the sequences through list literals, 7.4 s on
the same table (``benchmarks/README.md``, stop 25).

Only on DuckDB, and only when a map-sized number of distinct touchpoints and phases is
found: each becomes a branch of a ``CASE``. With 195 distinct touchpoints (the 1M generated
journeys' channels, each split 13 ways by person) the facts took 1.20-1.21 s this way and
1.23-1.25 s with the ordered text aggregate, so :data:`CODED_VALUES` stays at 256.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir

from journeymap.engine._tables import backend_name

__all__ = ["CODED_VALUES", "SequenceCodes", "sequence_codes"]

CODED_VALUES = 256
"""At most this many distinct touchpoints, and as many phases, are coded (``CASE`` branches)."""


@dataclass(frozen=True)
class SequenceCodes:
    """How each event's (touchpoint, phase) is numbered, and how the numbers read back.

    ``touchpoints[i]`` is the touchpoint numbered ``i`` (0: none). ``phases`` is None when
    every event's phase is the one the map gives its touchpoint (``phase_of``): the phase is
    then read off the touchpoint, ``touchpoint_phases[i]``. Otherwise ``phases[j]`` is the
    phase numbered ``j`` (0: none), and an event's code is ``i * len(phases) + j``.
    """

    touchpoints: tuple[str | None, ...]
    phases: tuple[str | None, ...] | None
    touchpoint_phases: tuple[str | None, ...]

    @property
    def _phase_count(self) -> int:
        return 1 if self.phases is None else len(self.phases)

    @property
    def width(self) -> int:
        """One more than the largest code: a step's share of an event's key."""
        return len(self.touchpoints) * self._phase_count

    def key(self, journeys: ir.Table) -> ir.IntegerValue:
        """Each event's ``step * width + code``: sorting a journey's keys orders its events."""
        code = _numbered(journeys.touchpoint, self.touchpoints)
        if self.phases is not None:
            code = code * len(self.phases) + _numbered(journeys.phase, self.phases)
        return journeys.step.cast(dt.int64) * self.width + code

    def decode(self, keys: ir.ArrayValue) -> dict[str, ir.ArrayValue]:
        """``touchpoints`` and ``phases``, the ordered sequences the (unordered) ``keys`` spell."""
        codes = keys.sort().map(lambda key: key % self.width)
        touchpoints = _literal(self.touchpoints)
        if self.phases is None:
            phase_of = _literal(self.touchpoint_phases)
            return {
                "touchpoints": codes.map(lambda code: touchpoints[code]),
                "phases": codes.map(lambda code: phase_of[code]),
            }
        count, phases = len(self.phases), _literal(self.phases)
        return {
            "touchpoints": codes.map(lambda code: touchpoints[(code // count).cast(dt.int64)]),
            "phases": codes.map(lambda code: phases[code % count]),
        }


def sequence_codes(journeys: ir.Table, phase_of: Mapping[str, str] | None) -> SequenceCodes | None:
    """The codes of a stored DuckDB journeys table's events; None where they do not apply.

    None for another backend, a lazy table (each scan would compute it again) or more than
    :data:`CODED_VALUES` distinct touchpoints or phases. One query reads the distinct
    (touchpoint, phase) pairs, a few where the events are millions.
    """
    if not isinstance(journeys.op(), ops.PhysicalTable) or backend_name(journeys) != "duckdb":
        return None
    pairs = journeys.select("touchpoint", "phase").distinct()
    found = pairs.limit(CODED_VALUES * CODED_VALUES + 1).to_pyarrow().to_pylist()
    touchpoints = _values(pair["touchpoint"] for pair in found)
    phases = _values(pair["phase"] for pair in found)
    if max(len(touchpoints), len(phases)) > CODED_VALUES + 1:
        return None
    lookup = dict(phase_of or {})
    derived = phase_of is not None and all(
        pair["phase"] == lookup.get(pair["touchpoint"]) for pair in found
    )
    return SequenceCodes(
        touchpoints=touchpoints,
        phases=None if derived else phases,
        touchpoint_phases=tuple(None if t is None else lookup.get(t) for t in touchpoints),
    )


def _values(found: Iterable[str | None]) -> tuple[str | None, ...]:
    """None (numbered 0), then the distinct texts in code-point order (numbered from 1)."""
    return (None, *sorted({value for value in found if value is not None}))


def _numbered(column: ir.StringValue, values: tuple[str | None, ...]) -> ir.IntegerValue:
    """The number of ``column``'s value in ``values`` (0 for none)."""
    mapping = {value: number for number, value in enumerate(values) if value is not None}
    if not mapping:
        return ibis.literal(0, dt.int64)
    return column.substitute(mapping, else_=ibis.literal(0, dt.int64)).cast(dt.int64)


def _literal(values: tuple[str | None, ...]) -> ir.ArrayValue:
    return ibis.literal(list(values), type=dt.Array(dt.string))
