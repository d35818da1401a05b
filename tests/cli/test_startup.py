"""The CLI answers ``--help`` and bad usage without loading the engine.

Loading Ibis, DuckDB, pandas and SciPy takes a second or more on a shared machine; a user
asking for help, or mistyping an option, should not wait for it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

ENGINE = ("ibis", "duckdb", "pandas", "pyarrow", "scipy", "polars", "plotly", "weasyprint")

PROBE = """
import json, sys
from journeymap.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(name for name in {engine!r} if name in sys.modules)))
"""


def _loaded(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(engine=ENGINE), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("attribute", "--help"),
        ("analyze", "--help"),
        ("import", "--help"),
        ("render", "--help"),
        ("attribute", "--no-such-option"),
    ],
)
def test_help_and_usage_errors_load_no_engine(args: tuple[str, ...]) -> None:
    assert _loaded(*args) == []
