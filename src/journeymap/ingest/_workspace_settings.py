"""The workspace settings (``workspace.url``, ``workspace.memory_limit``) and DuckDB's config."""

from __future__ import annotations

from journeymap.i18n import N_
from journeymap.settings import Setting, parse_size, register, resolve

DEFAULT_URL = "duckdb:///journeymap.duckdb"


register(
    Setting(
        name="workspace.url",
        default=DEFAULT_URL,
        help=N_(
            "Where events live: a DuckDB file (duckdb:///path), duckdb:// for memory, or any "
            "Ibis connection URL."
        ),
    )
)


def _memory_limit(text: str | None) -> str | None:
    cleaned = str(text or "").strip()
    return None if cleaned.lower() in {"", "none", "off"} else cleaned


register(
    Setting(
        name="workspace.memory_limit",
        default=None,
        help=N_(
            "Most memory a DuckDB workspace may use (e.g. 3GB); beyond it DuckDB spills to "
            "disk. none: DuckDB's default, 80% of the machine's memory."
        ),
        parse=parse_size,
    )
)


def duckdb_config() -> dict[str, str | bool | int | float | list[str]]:
    """The DuckDB connection settings: ``memory_limit`` where the settings ask for one.

    ``allocator_background_threads`` always: DuckDB then hands the memory a query freed back
    to the system while the analysis goes on, where its allocator otherwise kept it. At 10M
    generated journeys the metrics' arrays read from the events left 2,931 MB resident (peak
    3,478 MB), and 1,303 MB with it (peak 2,476 MB), the read 10.9 s instead of 12.2 s
    (``benchmarks/README.md``, stop 28).
    """
    config: dict[str, str | bool | int | float | list[str]] = {"allocator_background_threads": True}
    limit = _memory_limit(resolve("workspace.memory_limit"))
    if limit:
        config["memory_limit"] = limit
    return config
