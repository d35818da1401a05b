"""Benchmarks of journeymap against peer tools (see README.md)."""
