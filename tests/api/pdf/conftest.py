"""The pagos fixtures the PDF tests reuse: the demo roles' empleados and an uploads folder of their own."""

from __future__ import annotations

from tests.api.pagos.conftest import carpeta_uploads, empleado  # noqa: F401 - fixtures
