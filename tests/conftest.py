"""Shared fixtures: where the real datasets are, and artifact folders for screenshots."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pytest

from journeymap.ingest import Workspace
from journeymap.model import JourneyMap, Phase, Touchpoint

if TYPE_CHECKING:
    import ibis.expr.types as ir

ROOT = Path(__file__).resolve().parent.parent
DATASETS = Path(os.environ.get("JOURNEYMAP_DATASETS", ROOT.parent / "shared" / "datasets"))
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The real, public datasets beside the project (``../shared/datasets``); never edited."""
    if not DATASETS.is_dir():
        pytest.fail(f"the shared datasets are missing at {DATASETS}; CI provides them there")
    return DATASETS


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """A folder for test artifacts (screenshots, rendered reports) kept after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def bpic2012_events(datasets: Path) -> Iterator[ir.Table]:
    """BPI Challenge 2012 (van Dongen, 2012; 4TU.ResearchData) imported once per test process.

    Imported with journeymap's importer by the rules of ``bpic_log.RULES`` (case = journey,
    activity = touchpoint, only COMPLETE transitions, A_APPROVED converts): the events table
    of an in-memory workspace that stays open for the session. The import takes about 20 s,
    and several test modules measure the same log. Read it (``analyze``), never write to it:
    a test that imports into a workspace or replaces its events imports its own.
    """
    from bpic_log import RULES, log_path
    from journeymap.ingest import import_events

    with Workspace("duckdb://") as workspace:
        import_events(workspace, log_path(datasets), RULES)
        yield workspace.events()


@pytest.fixture
def shop_map() -> JourneyMap:
    """A small shop for engine and analysis tests.

    Three phases: awareness (ad, blog), consideration (reviews), purchase (checkout, buy).
    """
    return JourneyMap(
        id="shop",
        name="Shop",
        phases=[
            Phase(id="awareness", name="Awareness", order=1),
            Phase(id="consideration", name="Consideration", order=2),
            Phase(id="purchase", name="Purchase", order=3),
        ],
        touchpoints=[
            Touchpoint(id="ad", name="Ad", channel="paid", phases=["awareness"]),
            Touchpoint(id="blog", name="Blog", channel="content", phases=["awareness"]),
            Touchpoint(id="reviews", name="Reviews", channel="reviews", phases=["consideration"]),
            Touchpoint(id="checkout", name="Checkout", channel="web", phases=["purchase"]),
            Touchpoint(id="buy", name="Buy", channel="web", phases=["purchase"]),
        ],
    )


_CONTRACT_DEFAULTS = {
    "account_id": pa.string(),
    "phase": pa.string(),
    "persona": pa.string(),
    "value": pa.float64(),
}


def _fill_workspace(path: Path, rows: pa.Table) -> Path:
    """Write ready-made contract rows into a DuckDB workspace at ``path``.

    Columns the rows lack get the contract's defaults (null account, phase, persona and value,
    source ``test``, one event key and row number per row, empty ``extra``).
    """
    n = rows.num_rows
    for name, kind in _CONTRACT_DEFAULTS.items():
        if name not in rows.column_names:
            rows = rows.append_column(name, pa.nulls(n, kind))
    fill = {
        "source": pa.array(["test"] * n),
        "event_key": pa.array([f"k{i}" for i in range(n)]),
        "row_number": pa.array(range(n), pa.int64()),
        "extra": pa.array(["{}"] * n),
    }
    for name, values in fill.items():
        if name not in rows.column_names:
            rows = rows.append_column(name, values)
    columns = ", ".join(EVENTS_COLUMNS)
    with Workspace(f"duckdb:///{path}") as workspace:
        assert workspace.duckdb is not None
        workspace.duckdb.register("incoming", rows.select(list(EVENTS_COLUMNS)))
        workspace.duckdb.execute(f"INSERT INTO events ({columns}) SELECT {columns} FROM incoming")
    return path


EVENTS_COLUMNS = (
    "person_id",
    "account_id",
    "ts",
    "touchpoint",
    "phase",
    "persona",
    "conversion",
    "value",
    "source",
    "event_key",
    "row_number",
    "extra",
)


@pytest.fixture
def fill_workspace() -> Callable[[Path, pa.Table], Path]:
    """A function that writes contract rows into a DuckDB workspace file and returns its path."""
    return _fill_workspace


# The PostgreSQL server these machines run; tests marked ``postgres`` use a database of their own.
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh database on the local PostgreSQL server, dropped after the test."""
    psycopg = pytest.importorskip("psycopg", reason="the postgres extra is not installed")
    admin = "postgresql://{user}@{host}:{port}/postgres".format(**POSTGRES)
    try:
        connection = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable on 127.0.0.1:5432 ({exc}); start it, or leave these "
            "tests out with -m 'not postgres'"
        )
    name = f"journeymap_test_{uuid.uuid4().hex[:12]}"
    with connection:
        connection.execute(f'CREATE DATABASE "{name}"')
        try:
            yield name
        finally:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Debian's chromium, headless, without network: every browser test opens the files it renders.
BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A real Chromium (Debian's ``/usr/bin/chromium``) for one test module, through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=BROWSER_FLAGS
        )
        yield chromium
        chromium.close()


def _engine_url(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if engine == "duckdb":
        return f"duckdb:///{tmp_path / 'ws.duckdb'}"
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / 'ws.sqlite'}"
    database = request.getfixturevalue("database")
    return "postgresql://{user}@{host}:{port}/".format(**POSTGRES) + database


@pytest.fixture(params=["duckdb", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new workspace on each engine: DuckDB, SQLite and the local PostgreSQL."""
    return _engine_url(request.param, request, tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_engine_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new workspace on SQLite and on the local PostgreSQL (the engines beside DuckDB)."""
    return _engine_url(request.param, request, tmp_path)
