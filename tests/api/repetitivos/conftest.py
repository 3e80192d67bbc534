"""Fixtures of the repeating work orders: a client of their own, a template factory over HTTP, the
Schedule of a template, and a poll for what the worker does in the background."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from db import models as m

# Lima: UTC-5 all year (written here, not imported: the expectations stay independent of the code).
LIMA = timezone(timedelta(hours=-5))


def ahora() -> datetime:
    return datetime.now(LIMA)


@pytest.fixture(scope="session")
def cliente_propio(sessions, demo):
    """Factory: a fresh company client (so lists filtered by client see only a test's own)."""

    async def _nuevo() -> int:
        sufijo = uuid.uuid4().hex[:10]
        fila = m.Cliente(
            tipo_cliente="EMPRESA",
            nombre=f"Empresa {sufijo}",
            tipo_documento="RUC",
            numero_documento=f"20{uuid.uuid4().int % 10**9:09d}",
            codigo_cliente=f"RP{sufijo.upper()}",
        )
        async with sessions.begin() as s:
            s.add(fila)
        return fila.id

    return _nuevo


def regla_diaria(**campos: Any) -> dict[str, Any]:
    hoy = ahora().date()
    return {"frecuencia": "DIARIA", "cada": 1, "hora": "09:00", "fechaInicio": hoy.isoformat()} | campos


@pytest.fixture(scope="session")
def plantilla(http, h):
    """Factory: POST /api/repetitivos as `rol` (coordinadora by default); returns the response data."""

    async def _crear(cliente_id: int, rol: str = "coordinadora", **campos: Any) -> dict:
        cuerpo = {
            "nombre": f"Mantenimiento {uuid.uuid4().hex[:6]}",
            "tipo": "AVERIA",
            "clienteId": cliente_id,
            "prioridad": "MEDIA",
            "lugar": "JULIACA",
            "detalle": {"descripcionFalla": "revisión preventiva"},
            "regla": regla_diaria(),
        }
        r = await http.post("/api/repetitivos", json=cuerpo | campos, headers=h[rol])
        assert r.status_code == 201, r.text
        return r.json()["data"]

    return _crear


@pytest.fixture(scope="session")
def programa(temporal_env):
    """The Schedule of a template, straight from Temporal."""

    def _handle(repetitivo_id: int):
        return temporal_env.client.get_schedule_handle(f"repetitivo-{repetitivo_id}")

    return _handle


async def esperar(condicion: Callable[[], Awaitable[Any]], segundos: float = 30) -> Any:
    """Poll until `condicion()` is truthy (the worker runs occurrences in the background)."""
    limite = asyncio.get_running_loop().time() + segundos
    while True:
        if valor := await condicion():
            return valor
        assert asyncio.get_running_loop().time() < limite, "timed out waiting"
        await asyncio.sleep(0.2)


@pytest.fixture(scope="session")
def pendientes_de(http, h):
    """Factory: the pendientes a template created, through the pendientes list's `repetitivoId` filter."""

    async def _lista(repetitivo_id: int) -> list[dict]:
        r = await http.get(
            f"/api/pendientes?repetitivoId={repetitivo_id}&size=100", headers=h["coordinadora"]
        )
        assert r.status_code == 200, r.text
        return r.json()["data"]["content"]

    return _lista
