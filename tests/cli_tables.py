"""Reading the tables the CLI prints, for the tests of several folders."""

from __future__ import annotations

from journeymap.attribution import model_name


def printed_credits(output: str, model: str) -> dict[str, float]:
    """Credit per key of ``model`` from the side-by-side table (conversions, before the %)."""
    lines = [line for line in output.splitlines() if "│" in line or "┃" in line]
    header = [cell.strip() for cell in lines[0].strip("┃ ").split("┃")]
    column = header.index(model_name(model))
    found = {}
    for line in lines[1:]:
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if len(cells) == len(header) and cells[0]:
            found[cells[0]] = float(cells[column].split()[0])
    return found
