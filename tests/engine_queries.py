"""The queries the engine runs, collected for the tests that count them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import ibis


@contextlib.contextmanager
def queries_run() -> Iterator[list[str]]:
    """The SQL of every query the engine runs inside the block, in order."""
    found: list[str] = []
    verbose, log = ibis.options.verbose, ibis.options.verbose_log
    ibis.options.verbose, ibis.options.verbose_log = True, found.append
    try:
        yield found
    finally:
        ibis.options.verbose, ibis.options.verbose_log = verbose, log
