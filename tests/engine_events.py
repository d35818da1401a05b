"""Helpers to build event tables by hand for the engine tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir

from journeymap.engine.journeys import EVENT_COLUMNS
from journeymap.model import JourneyMap, Phase, Touchpoint

T0 = dt.datetime(2024, 1, 1, 0, 0, 0)


def at(hours: float) -> dt.datetime:
    """A timestamp ``hours`` after 2024-01-01 00:00."""
    return T0 + dt.timedelta(hours=hours)


def events(rows: list[tuple[Any, ...]], **extra_columns: list[Any]) -> ir.Table:
    """Events from (person, hours, touchpoint[, conversion[, account[, persona[, value]]]])."""
    data: dict[str, list[Any]] = {name: [] for name in (*EVENT_COLUMNS, "source")}
    for row in rows:
        person, hours, touchpoint, *rest = row
        conversion = rest[0] if len(rest) > 0 else False
        account = rest[1] if len(rest) > 1 else None
        persona = rest[2] if len(rest) > 2 else None
        value = rest[3] if len(rest) > 3 else None
        data["person_id"].append(person)
        data["account_id"].append(account)
        data["ts"].append(at(hours))
        data["touchpoint"].append(touchpoint)
        data["phase"].append(None)
        data["persona"].append(persona)
        data["conversion"].append(conversion)
        data["value"].append(value)
        data["source"].append("test")
    data.update(extra_columns)
    schema = {
        "person_id": "string",
        "account_id": "string",
        "ts": "timestamp",
        "touchpoint": "string",
        "phase": "string",
        "persona": "string",
        "conversion": "boolean",
        "value": "float64",
        "source": "string",
    }
    schema.update({name: "string" for name in extra_columns})
    return ibis.memtable(data, schema=schema)


def one_phase_map(
    touchpoints: list[str],
    *,
    ids: tuple[str, str] = ("m", "look"),
    names: tuple[str, str] = ("M", "Look"),
) -> JourneyMap:
    """A map ``ids[0]`` whose touchpoints all lie in its one phase ``ids[1]``."""
    return JourneyMap(
        id=ids[0],
        name=names[0],
        phases=[Phase(id=ids[1], name=names[1], order=1)],
        touchpoints=[Touchpoint(id=t, name=t, phases=[ids[1]]) for t in touchpoints],
    )
