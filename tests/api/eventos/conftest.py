"""Fixtures of the outbox tests: the events written since a point, and the API's own views to compare
their payloads with."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from db import models as m
from tests.api.pendientes.acciones.conftest import crear, personas  # noqa: F401


@pytest.fixture(scope="session")
def ultimo(sessions):
    """The outbox's last `numero` now: the events after it are what a test's changes wrote."""

    async def _ultimo() -> int:
        async with sessions() as s:
            return await s.scalar(select(func.coalesce(func.max(m.Evento.numero), 0)))

    return _ultimo


@pytest.fixture(scope="session")
def eventos(sessions):
    """The events written after `desde`, oldest first; only those of `pendiente_id` / `cliente_id` when
    given (tests run alongside other changes of the same session)."""

    async def _eventos(desde: int, pendiente_id: int | None = None, cliente_id: int | None = None):
        consulta = select(m.Evento).where(m.Evento.numero > desde).order_by(m.Evento.numero)
        if pendiente_id is not None:
            consulta = consulta.where(m.Evento.pendiente_id == pendiente_id)
        if cliente_id is not None:
            consulta = consulta.where(m.Evento.cliente_id == cliente_id)
        async with sessions() as s:
            return list(await s.scalars(consulta))

    return _eventos


@pytest.fixture(scope="session")
def como_admin(http, h):
    """GET `url` as the administrator; its `data`."""

    async def _get(url: str) -> dict:
        r = await http.get(url, headers=h["administrador"])
        assert r.status_code == 200, r.text
        return r.json()["data"]

    return _get


def mismo_pendiente(vista: dict, api: dict) -> None:
    """The event's pendiente equals `GET /api/pendientes/{id}` on every key the GET has; `etiquetas`
    is left to the labels' own tests."""
    claves = api.keys() - {"etiquetas"}
    assert claves <= vista.keys(), claves - vista.keys()
    assert {k: vista[k] for k in claves} == {k: api[k] for k in claves}


@pytest.fixture(scope="session")
def nuevo_cliente(sessions, demo):
    async def _nuevo() -> int:
        sufijo = uuid.uuid4().hex[:10]
        fila = m.Cliente(
            tipo_cliente="PERSONA",
            nombre=f"Cliente eventos {sufijo}",
            tipo_documento="DNI",
            numero_documento=f"{uuid.uuid4().int % 10**8:08d}",
            codigo_cliente=f"EV{sufijo.upper()}",
            telefono="951222333",
        )
        async with sessions.begin() as s:
            s.add(fila)
        return fila.id

    return _nuevo
