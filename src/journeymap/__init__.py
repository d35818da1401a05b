"""journeymap: customer journey maps that are both designed and measured.

The curated public API. Heavy parts (the engine, attribution, rendering) load on first use, so
``import journeymap`` stays quick for working with map files.

Examples:
    >>> import journeymap
    >>> from journeymap.examples import example_path
    >>> journey_map = journeymap.load_map(example_path("online-yoga"))
    >>> [phase.id for phase in journey_map.ordered_phases()]
    ['attention', 'consideration', 'decision', 'evaluation']
"""

from __future__ import annotations

import typing as _typing

from journeymap._lazy import lazy_names as _lazy_names
from journeymap.errors import JourneymapError
from journeymap.mapfile import (
    dump_map,
    load_map,
    load_map_document,
    load_rules,
    loads_map,
    save_map,
)
from journeymap.model import (
    JourneyMap,
    Persona,
    Phase,
    StageCell,
    Touchpoint,
    diff_maps,
    phase_template,
)

if _typing.TYPE_CHECKING:
    from journeymap.analysis import Analysis, analyze
    from journeymap.analysis.compare import Comparison, compare
    from journeymap.ingest import Workspace, import_events

__all__ = [
    "Analysis",
    "Comparison",
    "JourneyMap",
    "JourneymapError",
    "Persona",
    "Phase",
    "StageCell",
    "Touchpoint",
    "Workspace",
    "__version__",
    "analyze",
    "compare",
    "diff_maps",
    "dump_map",
    "import_events",
    "load_map",
    "load_map_document",
    "load_rules",
    "loads_map",
    "phase_template",
    "save_map",
]

__version__ = "0.1.0"

_LAZY = {
    "Analysis": "journeymap.analysis",
    "analyze": "journeymap.analysis",
    "Comparison": "journeymap.analysis.compare",
    "compare": "journeymap.analysis.compare",
    "Workspace": "journeymap.ingest",
    "import_events": "journeymap.ingest",
}


__getattr__, __dir__ = _lazy_names(__name__, _LAZY, globals())


def _map_repr_html(self: JourneyMap) -> str:
    from journeymap.render import render_map_html

    return render_map_html(self)


# The composition root wires the drawing into the model, which itself knows nothing of render.
JourneyMap._repr_html_ = _map_repr_html  # type: ignore[attr-defined]
