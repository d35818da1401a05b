"""The use cases: the only API the CLI (and later the web app) calls.

One module per area: :mod:`~journeymap.services.maps` (init, validate, show, diff),
:mod:`~journeymap.services.imports`, :mod:`~journeymap.services.analysis`,
:mod:`~journeymap.services.attribution`, :mod:`~journeymap.services.render` and
:mod:`~journeymap.services.demo`. They are imported by their full names so that a command loads
only what it needs.
"""
