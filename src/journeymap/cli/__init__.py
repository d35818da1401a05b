"""The ``journeymap`` command line: a thin edge over :mod:`journeymap.services`.

Exit codes: 0 success, 1 a user error or an invalid map, 2 a usage error. Only
:class:`~journeymap.errors.JourneymapError` is caught and printed as ``Error: ...``; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys

from journeymap.cli.app import EXIT_ERROR, EXIT_FAIL, EXIT_SUCCESS, app, console_error
from journeymap.errors import JourneymapError

__all__ = ["EXIT_ERROR", "EXIT_FAIL", "EXIT_SUCCESS", "app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user errors print ``Error: ...`` and exit with their code."""
    try:
        app(args=argv, standalone_mode=True)
    except JourneymapError as error:
        console_error(error)
        sys.exit(error.exit_code)
