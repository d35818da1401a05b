"""The errors journeymap raises for user mistakes.

Everything a user can cause (a bad map file, a bad rules file, an unreadable events file, an
unknown touchpoint in a query, a missing optional dependency) raises a subclass of
:class:`JourneymapError`. The CLI catches only that class, prints ``Error: ...`` and exits with a
non-zero code; any other exception is a bug in journeymap and keeps its traceback.

The tree::

    JourneymapError
    ├── MapError                      a journey map is not usable
    │   ├── MapFileError              a map file cannot be read; carries file, line, column
    │   │   └── UnsafeInputError      custom tags, alias bombs, oversized documents
    │   └── MapValidationError        the map is well-formed but inconsistent (list of issues)
    │       └── RulesValidationError  a mapping rules file is inconsistent, or does not fit its map
    ├── IngestError                   events cannot be imported
    │   ├── ReaderError               the events file cannot be read in the given format
    │   └── RulesError                mapping rules are invalid or do not fit the data
    ├── EngineError                   the analytics engine failed (driver errors translated)
    │   └── WorkspaceError            the workspace database is missing, locked or incompatible
    ├── AnalysisError                 an analysis was asked for something it cannot answer
    │   └── AttributionError          an attribution model cannot run on these journeys
    ├── RenderError                   a drawing or report cannot be produced
    ├── MissingDependencyError        an optional extra is not installed (with the install hint)
    └── UsageError                    a command was called with contradictory or invalid options
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "AnalysisError",
    "AttributionError",
    "EngineError",
    "IngestError",
    "JourneymapError",
    "Location",
    "MapError",
    "MapFileError",
    "MapValidationError",
    "MissingDependencyError",
    "ReaderError",
    "RenderError",
    "RulesError",
    "RulesValidationError",
    "UnsafeInputError",
    "UsageError",
    "ValidationIssue",
    "WorkspaceError",
    "from_engine",
]


class JourneymapError(Exception):
    """Root of every error a user can cause; the CLI prints these without a traceback."""

    exit_code: int = 1


@dataclass(frozen=True)
class Location:
    """Where in a file a problem is: 1-based line and column, both optional."""

    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class ValidationIssue:
    """One finding of map validation.

    Attributes:
        severity: ``"error"`` (the map cannot be used) or ``"warning"`` (usable, but look at it).
        code: A stable machine-readable code such as ``unknown-phase``.
        message: What is wrong and what to do about it, in words a map author understands.
        path: Where in the map document the problem is, as keys and list indexes,
            e.g. ``("touchpoints", 3, "phases", 0)``.
        location: File position, filled in by the map-file layer when it knows it.
    """

    severity: str
    code: str
    message: str
    path: tuple[str | int, ...] = ()
    location: Location | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        # List items counted from 1, as the author counts them in the file (the path keeps 0).
        dotted = ".".join(str(p + 1) if isinstance(p, int) else str(p) for p in self.path)
        at = f" (at {dotted})" if dotted else ""
        return f"{where}{self.severity}: {self.message}{at}"


class MapError(JourneymapError):
    """A journey map is not usable."""


class MapFileError(MapError):
    """A map (or rules) file cannot be read; the message names file:line:column and the fix."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.location = location or Location()
        self.reason = message
        super().__init__(f"{self.location}: {message}")


class UnsafeInputError(MapFileError):
    """The document uses YAML features we refuse: custom tags, alias bombs, huge inputs."""


class MapValidationError(MapError):
    """The map is well-formed but inconsistent; ``issues`` lists every error found."""

    subject = "the journey map"
    """What the issues are about, as the message names it."""

    def __init__(self, issues: Sequence[ValidationIssue]) -> None:
        self.issues = list(issues)
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        noun = "problem" if len(self.issues) == 1 else "problems"
        super().__init__(f"{self.subject} has {len(self.issues)} {noun}:\n{lines}")


class RulesValidationError(MapValidationError):
    """A mapping rules file is well-formed but wrong, or names what its journey map lacks.

    A subclass of :class:`MapValidationError` so that code catching that keeps working; only
    the message differs: it names the rules file, not the map.

    Examples:
        >>> issue = ValidationIssue("error", "unknown-touchpoint", "no such touchpoint")
        >>> print(RulesValidationError([issue]))
        the mapping rules file has 1 problem:
          error: no such touchpoint
    """

    subject = "the mapping rules file"


class IngestError(JourneymapError):
    """Events cannot be imported."""


class ReaderError(IngestError):
    """The events file cannot be read in the given or detected format."""

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        self.path = str(path) if path is not None else None
        super().__init__(f"{self.path}: {message}" if self.path else message)


class RulesError(IngestError):
    """Mapping rules are invalid or do not fit the data."""


class EngineError(JourneymapError):
    """The analytics engine failed; driver errors are translated into this class."""


# The database drivers whose exceptions are the engine's failures, not ours (see from_engine).
DRIVER_MODULES = frozenset({"duckdb", "psycopg", "sqlite3"})


def from_engine(exc: BaseException, *also: str) -> bool:
    """Whether ``exc`` came from a database driver (or a package named in ``also``).

    Such failures (out of memory, a full disk, a lost connection) become an
    :class:`EngineError` with a message; any other exception is our own bug and keeps its
    traceback. Code that builds Ibis expressions from user input adds ``"ibis"``.
    """
    # A driver's C extension names itself with a leading underscore (``_duckdb``).
    return type(exc).__module__.split(".")[0].lstrip("_") in DRIVER_MODULES.union(also)


class WorkspaceError(EngineError):
    """The workspace database is missing, locked or was written by an incompatible version."""


class AnalysisError(JourneymapError):
    """An analysis was asked for something it cannot answer (unknown model, level, column)."""


class AttributionError(AnalysisError):
    """An attribution model cannot run on these journeys."""


class RenderError(JourneymapError):
    """A drawing or report cannot be produced."""


class MissingDependencyError(JourneymapError):
    """An optional dependency is missing; the message says which extra to install."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{purpose} needs the '{package}' package. "
            f"Install it with: pip install 'journeymap[{extra}]'"
        )


class UsageError(JourneymapError):
    """A command was called with contradictory or invalid options."""

    exit_code = 2
