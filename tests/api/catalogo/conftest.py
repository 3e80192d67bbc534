"""Fixtures of the product, item, catalogue and app-version tests: pendientes in any state come from the
lifecycle fixtures (real workflow Updates); products are made over HTTP as an administrator would."""

from __future__ import annotations

import uuid

import pytest

from tests.api.pendientes.acciones.conftest import crear, personas  # noqa: F401 - fixtures used by these tests
from tests.conftest import auth


def codigo() -> str:
    return f"775{uuid.uuid4().int % 10**10:010d}"


@pytest.fixture
def admin(tokens) -> dict[str, str]:
    return auth(tokens["administrador"])


@pytest.fixture
def producto(http, admin):
    """Factory: a new product through the API; returns its response data."""

    async def _producto(**extra) -> dict:
        cuerpo = {
            "codigoBarra": codigo(),
            "nombre": "Cable UTP Cat6 (metro)",
            "descripcion": "Para exteriores",
            "costoUnitario": "2.50",
        } | extra
        r = await http.post("/api/productos", json=cuerpo, headers=admin)
        assert r.status_code == 201, r.text
        return r.json()["data"]

    return _producto
