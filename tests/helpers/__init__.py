"""Shared test helpers (no fixtures here: those live in tests/conftest.py)."""
