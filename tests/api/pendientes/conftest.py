"""Fixtures for the pendiente core and type-detail tests: clients of their own (so filters see only
what a test made), pendientes created over HTTP or moved along the workflow, accounts with chosen
permissions."""

from __future__ import annotations

import uuid

import pytest

from db import models as m
from tests.api.pendientes.acciones.conftest import crear, personas  # noqa: F401


@pytest.fixture(scope="session")
def nuevo_cliente(sessions, demo):
    """Factory: a fresh active cliente (unique name, code and DNI); returns its id."""

    async def _nuevo(nombre: str | None = None, direccion: str | None = None) -> int:
        sufijo = uuid.uuid4().hex[:10]
        fila = m.Cliente(
            tipo_cliente="PERSONA",
            nombre=nombre or f"Cliente {sufijo}",
            tipo_documento="DNI",
            numero_documento=f"{uuid.uuid4().int % 10**8:08d}",
            codigo_cliente=f"PC{sufijo.upper()}",
            direccion=direccion,
        )
        async with sessions.begin() as s:
            s.add(fila)
        return fila.id

    return _nuevo


@pytest.fixture(scope="session")
def alta(http, h):
    """Factory: POST /api/pendientes as `rol` (coordinadora by default); returns the response data."""

    async def _alta(cliente_id: int, rol: str = "coordinadora", **campos) -> dict:
        cuerpo = {"clienteId": cliente_id, "tipo": "AVERIA", "lugar": "JULIACA", "prioridad": "MEDIA"}
        r = await http.post("/api/pendientes", json=cuerpo | campos, headers=h[rol])
        assert r.status_code == 201, r.text
        return r.json()["data"]

    return _alta


@pytest.fixture(scope="session")
def accion(http, h):
    """Factory: run one lifecycle action over HTTP and assert it applied."""

    async def _accion(pendiente_id: int, nombre: str, rol: str, **datos) -> dict:
        url = f"/api/pendientes/{pendiente_id}/acciones/{nombre}"
        r = await http.post(url, json=datos, headers=h[rol])
        assert r.status_code == 200, r.text
        return r.json()["data"]

    return _accion


def error(r, status: int, campo: str | None = None) -> dict:
    """Assert an error envelope with `status` (and `data.campo` when given); returns its body."""
    assert r.status_code == status, r.text
    cuerpo = r.json()
    assert cuerpo["success"] is False and cuerpo["code"] == status
    if campo is not None:
        assert cuerpo["data"]["campo"] == campo, cuerpo
    return cuerpo
