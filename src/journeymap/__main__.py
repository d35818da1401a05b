"""``python -m journeymap`` runs the CLI."""

from journeymap.cli import main

main()
