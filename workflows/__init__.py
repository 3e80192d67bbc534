"""Deterministic workflow code only. Imports nothing that does I/O (no db, no config)."""
