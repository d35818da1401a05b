"""``analyze``'s tables of figures in the terminal, as the report has them, and their widths.

The conversion rate per touchpoint says when each touchpoint was met first and last (the
``first_seen`` and ``last_seen`` of ``touchpoint_stats``), as dates in the user's language.
With those, the table is seven columns wide: where it does not fit the terminal, rich narrows
its widest columns first, which are the touchpoint ids (``organic…``) and the dates as much as
the long headers; :func:`fitted_widths` keeps every cell whole and wraps the headers instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.markup import escape
from rich.table import Table

from journeymap.cli.app import _, console

__all__ = ["fitted_widths", "print_figure_tables", "seen_dates"]


def print_figure_tables(analysis: Any, top: int) -> None:
    """The report's tables of figures: conversion rate per touchpoint, checkout and the rest.

    Checkout abandonment, time in phase, the slowest steps, the touchpoints met more than
    once and the variants' reach follow the touchpoints' conversion rates. The ranked tables
    keep their first ``top`` rows; the report shows more.
    """
    from journeymap.i18n import current_language
    from journeymap.render.context import figure_tables
    from journeymap.render.measured import measured_from

    measured = measured_from(analysis)
    if measured is None:
        return
    language = current_language()
    tables = figure_tables(analysis.journey_map, measured, language, top, touchpoint_ids=True)
    for found in tables:
        if found["intro"]:
            console.print(f"[bold]{escape(found['title'])}:[/] {escape(found['intro'])}")
        if not found["rows"]:
            continue
        headers = [column["label"] for column in found["columns"]]
        numeric = [column["numeric"] for column in found["columns"]]
        groups = [
            (group["name"], [[row["header"], *row["cells"]] for row in group["rows"]])
            for group in found["groups"]
        ]
        if found["id"] == "touchpoints":
            headers += [_("First seen"), _("Last seen")]
            numeric += [True, True]
            groups = [
                (name, [row + seen_dates(measured.touchpoint_rows.get(row[0], {}), language)
                        for row in rows])
                for name, rows in groups
            ]  # fmt: skip
        _print_table(None if found["intro"] else found["title"], headers, numeric, groups)
        for note in found["notes"]:
            console.print(note, markup=False, highlight=False)


def _print_table(
    title: str | None,
    headers: list[str],
    numeric: list[bool],
    groups: list[tuple[str | None, list[list[str]]]],
) -> None:
    """One table: each group's name in bold on a row of its own, above its rows."""
    rows = [row for _name, group in groups for row in group]
    names = [name for name, _group in groups if name]
    widths = fitted_widths(headers, rows, console.width, names)
    table = Table(title=title)
    for index, header in enumerate(headers):
        table.add_column(
            header,
            justify="right" if numeric[index] else "left",
            width=widths[index] if widths else None,
        )
    for name, group in groups:
        if name:
            table.add_row(f"[bold]{escape(name)}[/]", *[""] * (len(headers) - 1))
        for row in group:
            table.add_row(escape(row[0]), *row[1:])
    console.print(table)


def fitted_widths(
    headers: Sequence[str], rows: Sequence[Sequence[str]], width: int, names: Sequence[str] = ()
) -> list[int] | None:
    """Column widths that keep every cell whole in ``width``; None where rich's own do.

    None when the table fits as it is (each column as wide as its widest cell and header), or
    when not even the cells fit (rich narrows them, as before). Otherwise every column is as
    wide as its widest cell and the room left widens the headers, those that need least
    first: to their longest word (``Converted`` whole, not ``Conver…``), then to their whole
    text.
    ``names`` are the group names of the first column, which wrap like a header.

    Examples:
        >>> fitted_widths(["Touchpoint", "Journeys"], [["organic_search", "2,296"]], 80)
        >>> fitted_widths(["Touchpoint", "Ended here without converting"],
        ...               [["organic_search", "88%"]], 31)
        [14, 10]
    """
    count = len(headers)
    # Rich's box: a bar before each column and after the last, a space either side of a cell.
    room = width - (3 * count + 1)
    cells = [[cell_len(str(row[index])) for row in rows] for index in range(count)]
    need = [max(found, default=0) for found in cells]
    words = [max((cell_len(word) for word in header.split()), default=0) for header in headers]
    words[0] = max([words[0], *(cell_len(word) for name in names for word in name.split())])
    whole = [max(need[i], cell_len(headers[i])) for i in range(count)]
    if count == 0 or sum(whole) <= room or sum(need) > room:
        return None
    widths = list(need)
    for wanted in (words, whole):
        # The headers that need least first: more of them whole, fewer cut.
        for index in sorted(range(count), key=lambda i: (wanted[i] - widths[i], i)):
            widths[index] += min(room - sum(widths), max(0, wanted[index] - widths[index]))
    return widths


def seen_dates(row: dict[str, Any], language: str) -> list[str]:
    """A ``touchpoint_stats`` row's first and last event as dates (UTC) in ``language``.

    Babel's short form, the narrowest (``14.06.2017``, ``6/14/17``): the table has five columns
    of figures besides. ``-`` for a touchpoint without events.

    Examples:
        >>> import datetime as dt
        >>> met = {"first_seen": dt.datetime(2017, 6, 14, 23, tzinfo=dt.UTC), "last_seen": None}
        >>> seen_dates(met, "da"), seen_dates(met, "en")
        (['14.06.2017', '-'], ['6/14/17', '-'])
    """
    from journeymap.i18n.numbers import format_day

    return [
        format_day(row.get(name), language, "short") or "-" for name in ("first_seen", "last_seen")
    ]
