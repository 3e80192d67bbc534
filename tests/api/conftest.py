"""Fixtures shared with the action tests: pendientes moved to any state by the real workflow."""

from __future__ import annotations

from tests.api.pendientes.acciones.conftest import crear, personas  # noqa: F401
