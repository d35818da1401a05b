"""What the credits do not say by themselves: the facts behind the notes under them.

- A first-order Markov chain forgets where a journey has been, so it credits touchpoints that
  no converting journey met (a rejection on the way to another attempt that converted): the
  loan log's ``declined``, ``cancelled`` and ``offer-declined`` took 115 conversions.
- Journeys that go on after a conversion (``after_conversion="continue"``) leave the touches
  after their last conversion to the chain as journeys of their own that did not convert.
- When every conversion has a single touch to credit, every heuristic model gives the same
  credits: thirteen identical columns, and the reader searched for a difference.

:func:`credit_facts` measures them after :func:`~journeymap.attribution.compare_models`, on
the same segment cache; :func:`credit_notes` says them in the reader's language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from journeymap.attribution._aggregate import SEG, KeyOf, Segments, keyed
from journeymap.attribution._cache import SegmentCache
from journeymap.attribution._levels import _choices
from journeymap.attribution._names import model_name
from journeymap.attribution._options import _markov_order
from journeymap.attribution._parameters import checked, example
from journeymap.attribution.heuristic import HEURISTICS
from journeymap.attribution.paths import Paths
from journeymap.i18n import N_, format_fixed, format_integer, gettext, ngettext
from journeymap.model import JourneyMap

__all__ = ["CreditFacts", "credit_facts", "credit_notes"]

# The highest Markov order (see _options._markov_order): no higher one to suggest.
HIGHEST_ORDER = 4
# Credit below this many conversions shows as 0.0 in the tables: not worth a note.
SHOWN_CREDIT = 0.05
# How many keys a note names; the rest are counted.
NAMED = 10
# Two models give "the same credits" when no key's credit differs by more than this (the
# sums of the same weights in another order differ in the last bits).
SAME_CREDIT = 1e-9


@dataclass(frozen=True)
class CreditFacts:
    """What the credits of :func:`~journeymap.attribution.compare_models` do not say.

    Attributes:
        single_touch: Every conversion had a single touch to credit (and there was one).
        unconverting: Markov: each key that no converting journey (segment) met, with the
            conversions the chain credits it.
        tails: Markov: the journeys (accounts, with ``by_account``) that go on after
            their last conversion; the chain takes those touches as journeys that did not
            convert.
        order: The Markov order run.
    """

    single_touch: bool = False
    unconverting: dict[str, float] = field(default_factory=dict)
    tails: int = 0
    order: int = 1


def credit_facts(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    table: pa.Table,
    *,
    level: str,
    cache: SegmentCache,
    **params: Any,
) -> CreditFacts:
    """The facts behind the notes on ``table``, the long table of ``compare_models``.

    Run on the cache and with the parameters ``compare_models`` ran with: the segments it
    cut are read again (a query each), never cut anew where it needed none.

    Args:
        journeys: As for :func:`~journeymap.attribution.attribute`.
        journey_map: As for :func:`~journeymap.attribution.attribute`.
        table: The long table the models gave.
        level: The level they credited.
        cache: The segment cache they ran on.
        **params: Their model parameters.
    """
    params = checked(params, ("level", "cache"))
    models = set(table.column("model").to_pylist()) if table.num_rows else set()
    key, cut = _choices(journeys, journey_map, level, params, cache)
    segments = cache.cached(*cut)
    single = False
    if models & set(HEURISTICS):
        # Read off the converting segments: the converting actors' serve as well.
        found = cache.cached(*cut, converting_only=True)
        single = _single_touch(found if found is not None else cache.get(*cut))
    if "markov" not in models:
        return CreditFacts(single_touch=single)
    credited = {
        str(row["key"]): float(row["conversions"] or 0.0)
        for row in table.filter(pc.equal(table["model"], "markov")).to_pylist()
    }
    shown = {name: credit for name, credit in credited.items() if credit >= SHOWN_CREDIT}
    whole = cut.lookback is None and cut.conversion_touch and not cut.by_account
    if segments is None and (isinstance(journeys, Paths) or not whole):
        segments = cache.get(*cut)  # the chain read them (by_account aside)
    if segments is not None:
        met, tails = _segments_facts(segments, key)
    else:
        assert not isinstance(journeys, Paths)
        met, tails = _journeys_facts(journeys, key)
    return CreditFacts(
        single_touch=single,
        unconverting={name: credit for name, credit in shown.items() if name not in met},
        tails=tails,
        order=_markov_order(params),
    )


def _single_touch(segments: Segments) -> bool:
    """Whether every converting segment has one touch (and some segment converted)."""
    t = segments.table
    converting = t.filter(t.converted)
    longest = converting.n.max().to_pyarrow().as_py()
    return longest is not None and int(longest) == 1


def _segments_facts(segments: Segments, key: KeyOf) -> tuple[set[str], int]:
    """The keys of converting segments, and the segments that follow a conversion unconverted."""
    t = keyed(segments, key)
    met = t.filter(t.converted).select("_key").distinct().to_pyarrow().column("_key")
    after = t.filter(~t.converted & (t._segno > 0)).select(*SEG).distinct().count()
    return {str(name) for name in met.to_pylist()}, int(after.to_pyarrow().as_py() or 0)


def _journeys_facts(journeys: ir.Table, key: KeyOf) -> tuple[set[str], int]:
    """As :func:`_segments_facts`, read off the journeys (one segment each, up to a conversion).

    A touch belongs to a converting segment when its journey converts at or after it; the
    touches after a journey's last conversion are its tail.
    """
    conversion = journeys.conversion.cast(dt.boolean).fill_null(False)
    per = journeys.group_by("journey_id").aggregate(
        _last_conversion=journeys.step.max(where=conversion), _last=journeys.step.max()
    )
    joined = journeys.join(per, "journey_id")
    before = joined.filter(joined.step <= joined._last_conversion)
    met = before.select(_key=key(before).cast(dt.string).fill_null("(none)")).distinct()
    tails = per.count(where=per._last_conversion.notnull() & (per._last > per._last_conversion))
    found = met.to_pyarrow().column("_key").to_pylist()
    return {str(name) for name in found}, int(tails.to_pyarrow().as_py() or 0)


def _listed(names: list[str], language: str, named: int = NAMED) -> str:
    """``a, b, c``; past ``named`` names, ``... and 4 more``."""
    shown = ", ".join(names[:named])
    if len(names) > named:
        shown = gettext(N_("{first} and {more} more"), language).format(
            first=shown, more=format_integer(len(names) - named, language)
        )
    return shown


def _same_as(table: pa.Table, models: list[str]) -> list[str]:
    """The models of ``models`` whose credits equal the first one's, key by key."""
    credit: dict[str, dict[str, float]] = {}
    for row in table.select(["model", "key", "conversions"]).to_pylist():
        credit.setdefault(str(row["model"]), {})[str(row["key"])] = float(row["conversions"] or 0)
    first = credit.get(models[0], {})

    def same(other: dict[str, float]) -> bool:
        keys = set(first) | set(other)
        return all(
            math.isclose(first.get(k, 0.0), other.get(k, 0.0), rel_tol=SAME_CREDIT, abs_tol=1e-9)
            for k in keys
        )

    return [model for model in models if same(credit.get(model, {}))]


def credit_notes(
    facts: CreditFacts,
    table: pa.Table,
    language: str = "en",
    names: Mapping[str, str] | None = None,
) -> list[str]:
    """The notes on ``table`` (the long table of ``compare_models``), in ``language``.

    ``names`` shows a key under its name (a persona's or a phase's). The Markov order is
    suggested as the caller writes it (``order=2``, or ``--order 2`` on the command line).
    """
    shown = names or {}
    notes = []
    run = list(dict.fromkeys(str(model) for model in table.column("model").to_pylist()))
    if facts.single_touch:
        heuristic = [model for model in run if model in HEURISTICS]
        same = _same_as(table, [*heuristic, *(m for m in run if m not in HEURISTICS)])
        if len(same) == len(run) > 1:
            notes.append(
                gettext(
                    N_(
                        "Note: each conversion here has a single touch to credit, so every "
                        "model gives the same credits: they differ only in how they share a "
                        "conversion among several touches."
                    ),
                    language,
                )
            )
        elif len(same) > 1:
            models = [model_name(model, language) for model in same]
            notes.append(
                gettext(
                    N_(
                        "Note: each conversion here has a single touch to credit, so {models} "
                        "give the same credits: they differ only in how they share a "
                        "conversion among several touches."
                    ),
                    language,
                ).format(models=_listed(models, language, len(models)))
            )
    if facts.unconverting:
        keys = sorted(facts.unconverting, key=lambda name: (-facts.unconverting[name], name))
        total = sum(facts.unconverting[name] for name in keys)
        note = ngettext(
            "Note: the Markov chain credits {conversions} conversions to {keys}, which no "
            "converting journey met: a chain of order {order} remembers only a journey's last "
            "touch, so it lets the journeys that met them go on to conversions they never "
            "reached.",
            "Note: the Markov chain credits {conversions} conversions to {keys}, which no "
            "converting journey met: a chain of order {order} remembers only a journey's last "
            "{order} touches, so it lets the journeys that met them go on to conversions they "
            "never reached.",
            facts.order,
            language,
        ).format(
            conversions=format_fixed(total, 1, language),
            keys=_listed([shown.get(name, name) for name in keys], language),
            order=format_integer(facts.order, language),
        )
        if facts.order < HIGHEST_ORDER:
            note += " " + gettext(N_("A higher order remembers more: {example}."), language).format(
                example=example("order", facts.order + 1)
            )
        notes.append(note)
    if facts.tails:
        notes.append(
            ngettext(
                "Note: {count} journey goes on after its last conversion; the Markov chain "
                "takes the touches after it as a journey of their own that did not convert.",
                "Note: {count} journeys go on after their last conversion; the Markov chain "
                "takes the touches after it as journeys of their own that did not convert.",
                facts.tails,
                language,
            ).format(count=format_integer(facts.tails, language))
        )
    return notes
