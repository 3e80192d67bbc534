"""Fixtures shared with the pendiente core tests: pendientes moved by the real workflow, clients of
their own, pendientes created over HTTP."""

from __future__ import annotations

from tests.acciones.conftest import crear, personas  # noqa: F401
from tests.pendientes_core.conftest import alta, nuevo_cliente  # noqa: F401
