"""Pendientes moved by the real workflow, shared with the action tests."""

from __future__ import annotations

from tests.acciones.conftest import crear, personas  # noqa: F401
