"""The pagos fixtures (an employee, rows and historial readers, a second client, the uploads folder)."""

from __future__ import annotations

from tests.api.pagos.conftest import (  # noqa: F401 - fixtures
    carpeta_uploads,
    empleado,
    fila,
    historial_de,
    otro_cliente,
)
