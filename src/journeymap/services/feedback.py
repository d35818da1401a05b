"""Use cases: import survey feedback into a workspace, and compare it with the designed map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from journeymap.analysis.feedback import FeedbackComparison, compare_feedback
from journeymap.errors import UsageError
from journeymap.i18n.messages import _
from journeymap.ingest.feedback import FeedbackColumns, FeedbackReport, import_feedback
from journeymap.ingest.feedback import read_feedback as read_feedback
from journeymap.ingest.workspace import Workspace, open_for_import
from journeymap.mapfile import load_map
from journeymap.services.imports import _csv_options, workspace_url

__all__ = ["feedback_comparison", "import_feedback_file", "workspace_comparison"]


def import_feedback_file(
    path: str | Path,
    map_path: str | Path,
    *,
    db: str | Path | None = None,
    engine: str | None = None,
    scale: str | None = None,
    reverse: bool = False,
    columns: FeedbackColumns | None = None,
    format: str | None = None,
    replace: bool = False,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> FeedbackReport:
    """Import a feedback file for the map at ``map_path`` into the workspace.

    See :func:`journeymap.ingest.feedback.import_feedback` for the scales and columns.

    Raises:
        UsageError: Contradictory options, an unknown scale or column.
        ReaderError: The file cannot be read.
        MapError: The map cannot be loaded.
        WorkspaceError: The workspace cannot be opened.
    """
    journey_map = load_map(map_path)
    options: dict[str, Any] = _csv_options(path, format, delimiter, encoding)
    with open_for_import(workspace_url(db, engine)) as workspace:
        return import_feedback(
            workspace,
            path,
            journey_map,
            scale=scale,
            reverse=reverse,
            columns=columns,
            format=format,
            replace=replace,
            **options,
        )


def workspace_comparison(
    journey_map: Any, *, db: str | Path | None = None, engine: str | None = None
) -> FeedbackComparison:
    """The designed-versus-measured comparison of the feedback a workspace holds for a map.

    Raises:
        UsageError: The workspace holds no feedback for the map (with how to import it).
        WorkspaceError: The workspace cannot be opened (or does not exist).
    """
    with Workspace(workspace_url(db, engine), read_only=True) as workspace:
        answers = read_feedback(workspace, journey_map.id)
        where = workspace.display_url
    if answers.num_rows == 0:
        raise UsageError(
            _(
                "the workspace {where} holds no feedback for the map {map}; import it first "
                "with `journeymap feedback import FILE --map MAP`"
            ).format(where=where, map=repr(journey_map.id))
        )
    return compare_feedback(journey_map, answers)


def feedback_comparison(
    map_path: str | Path, *, db: str | Path | None = None, engine: str | None = None
) -> FeedbackComparison:
    """Load the map at ``map_path`` and compare it with the workspace's feedback for it."""
    return workspace_comparison(load_map(map_path), db=db, engine=engine)
