"""The interactive variant of the report: Vega-Lite charts driven by an inlined vega-embed.

The JavaScript comes from :func:`vl_convert.javascript_bundle` (Vega, Vega-Lite and vega-embed
bundled offline), so the interactive report still loads nothing from the network. Building the
bundle takes seconds, so it is built once per process.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from journeymap.errors import MissingDependencyError

__all__ = ["embed_script", "script_json", "vega_bundle"]


@cache
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script (``window.vegaEmbed``), safe to inline."""
    try:
        import vl_convert
    except ImportError as error:  # pragma: no cover - depends on the install
        raise MissingDependencyError(
            "vl-convert-python", "render", "The interactive report"
        ) from error
    bundle = str(vl_convert.javascript_bundle("window.vegaEmbed = vegaEmbed;"))
    # The bundle has no "</script" today; if a future one does, it must not end our element.
    return re.sub(r"</(script)", r"<\\/\1", bundle, flags=re.IGNORECASE)


def script_json(value: Any) -> str:
    """JSON that cannot end a ``<script>`` element or open markup inside it."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def embed_script(specs: dict[str, dict[str, Any]]) -> str:
    """A script that replaces each static chart ``#vis-<id>`` by its interactive view."""
    calls = "".join(
        f"vegaEmbed({script_json('#vis-' + chart_id)}, {script_json(spec)},"
        ' {"renderer": "svg", "actions": false}).catch(function (e) { console.error(e); });'
        for chart_id, spec in specs.items()
    )
    return f"window.addEventListener('load', function () {{ {calls} }});"
