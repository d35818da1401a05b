"""A chart's figures as a table: what a screen reader reads instead of the chart's marks.

The report shows each chart (Vega-Lite's and the Sankey of observed paths) with this table of
its figures, for screen readers and a closer look.
"""

from __future__ import annotations

from typing import Any

from journeymap.i18n import N_, format_decimal, format_fixed, format_integer, gettext


def _ratio(value: float, language: str) -> str:
    """An odds ratio with two decimals, or two significant digits below 0.01 (never 0.00)."""
    return format_fixed(value, 2, language) if value >= 0.01 else format_decimal(value, language, 2)


def _chart_table(chart_id: str, spec: dict[str, Any], language: str) -> dict[str, Any] | None:
    """A chart's figures as rows and columns: what a screen reader reads instead of the marks.

    Vega's SVG gives a screen reader each mark's label, one after the other ("44 % 14 % 9 %
    ..."); the table gives each figure its row and column.
    """
    values: list[dict[str, Any]] = spec["data"]["values"]
    if chart_id == "funnel":
        columns = [N_("Phase"), N_("Reached"), N_("Drop-off")]
        rows = [
            [v["phase"], format_integer(v["reached"], language), v["dropoff"]]
            for v in sorted(values, key=lambda v: v["step"])
        ]
    elif chart_id == "attribution":
        models = list(spec["encoding"]["x"]["sort"])
        cells: dict[str, dict[str, str]] = {}
        for v in values:
            cells.setdefault(v["touchpoint"], {})[v["model"]] = v["label"]
        touchpoints = spec["encoding"]["y"]["sort"]
        header = [gettext(N_("Touchpoint"), language), *models]
        rows = [[tp, *(cells[tp].get(m, "–") for m in models)] for tp in touchpoints]
        return {"columns": header, "rows": rows}
    elif chart_id == "time_to_convert":
        encoding = spec["encoding"]
        header = [
            encoding["x"]["title"],
            encoding["x2"]["title"],
            gettext(N_("Journeys"), language),
        ]
        rows = [
            [
                format_fixed(v["from"], 1, language),
                format_fixed(v["to"], 1, language),
                format_integer(v["journeys"], language),
            ]
            for v in values
        ]
        return {"columns": header, "rows": rows}
    elif chart_id == "correlation":
        columns = [
            N_("Touchpoint"),
            N_("Odds ratio"),
            N_("Lower confidence limit"),
            N_("Upper confidence limit"),
            N_("Direction"),
        ]
        rows = [
            [
                v["touchpoint"],
                _ratio(v["odds_ratio"], language),
                _ratio(v["ci_low"], language),
                _ratio(v["ci_high"], language),
                v["direction"],
            ]
            for v in sorted(values, key=lambda v: (-v["odds_ratio"], v["touchpoint"]))
        ]
    else:
        return None
    return {"columns": [gettext(column, language) for column in columns], "rows": rows}


def _sankey_table(
    rows: list[dict[str, Any]], names: dict[str, str], language: str
) -> dict[str, Any]:
    """The Sankey's links: from which node to which, at which step, how many journeys."""
    from journeymap.render.sankey import NODE_LABELS

    labels = {node: gettext(label, language) for node, label in NODE_LABELS.items()}
    labels.update(names)
    links = sorted(
        (r for r in rows if int(r.get("journeys") or 0) > 0),
        key=lambda r: (int(r["step"]), -int(r["journeys"]), str(r["source"]), str(r["target"])),
    )
    return {
        "columns": [
            gettext(column, language)
            for column in (N_("Step"), N_("From"), N_("To"), N_("Journeys"))
        ],
        "rows": [
            [
                format_integer(int(r["step"]), language),
                labels.get(str(r["source"]), str(r["source"])),
                labels.get(str(r["target"]), str(r["target"])),
                format_integer(int(r["journeys"]), language),
            ]
            for r in links
        ],
    }
