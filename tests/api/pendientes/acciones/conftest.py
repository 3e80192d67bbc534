"""Fixtures to put pendientes in any state through real workflow Updates."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from contrato.mensajes import DatosPendiente, OrdenAccion
from db import models as m
from domain.acciones import Accion
from ops.demo import personas_demo

LIMA = ZoneInfo("America/Lima")
A = Accion

# How to reach each state from REGISTRADO, and who acts (t = the assigned technician).
CAMINOS: dict[str, list[tuple[Accion, str]]] = {
    "REGISTRADO": [],
    "ASIGNADO": [(A.ASIGNAR, "coordinadora")],
    "EN_PROGRESO": [(A.ASIGNAR, "coordinadora"), (A.COMENZAR, "t")],
    "PAUSADO": [(A.ASIGNAR, "coordinadora"), (A.COMENZAR, "t"), (A.PAUSAR, "t")],
    "REVISION": [(A.ASIGNAR, "coordinadora"), (A.COMENZAR, "t"), (A.SOLICITAR_REVISION, "t")],
    "POR_VALIDAR": [(A.ASIGNAR, "coordinadora"), (A.COMENZAR, "t"), (A.TERMINAR, "t")],
    "OBSERVADO": [(A.ASIGNAR, "coordinadora"), (A.COMENZAR, "t"), (A.TERMINAR, "t"), (A.OBSERVAR, "asesor")],
    "FINALIZADO": [
        (A.ASIGNAR, "coordinadora"),
        (A.COMENZAR, "t"),
        (A.TERMINAR, "t"),
        (A.FINALIZAR, "asesor"),
    ],
    "POSTERGADO": [(A.POSTERGAR, "coordinadora")],
    "CANCELADO": [(A.CANCELAR, "coordinadora")],
}


def manana() -> datetime:
    return datetime.now(LIMA) + timedelta(days=1)


def datos_para(accion: Accion, tecnico_id: int) -> dict:
    """The action data every action may need, in the API's field names."""
    return {
        "tecnicoId": tecnico_id,
        "motivo": f"motivo de {accion}",
        "nuevaFecha": manana().isoformat(),
        "vlan": 100,
        "pppoeUser": "cliente@simax",
        "pppoePassword": "clave-pppoe-de-prueba",
    }


@pytest.fixture(scope="session")
async def personas(sessions, demo):
    return await personas_demo(sessions)


async def avanzar(comandos, personas, pendiente_id: int, estado: str, extra=(), tecnico: int = 0) -> None:
    """Move an existing pendiente along the path to `estado` (plus `extra` steps) through Updates.
    A plain function, not a fixture: other folders import `crear` alone."""
    t = personas.tecnicos[tecnico]
    for accion, rol in [*CAMINOS[estado], *extra]:
        actor = t if rol == "t" else personas.actores[rol]
        orden = OrdenAccion(
            actor=actor,
            tecnico_id=t.empleado_id,
            motivo="preparación",
            nueva_fecha=manana(),
            vlan=200,
        )
        await comandos.ejecutar(pendiente_id, Accion(accion), orden)


@pytest.fixture(scope="session")
def crear(app, personas, sessions):
    """Factory: a new pendiente of `tipo`, moved along the path to `estado` (plus `extra` steps)."""
    comandos = app.state.comandos

    async def _crear(estado: str = "REGISTRADO", tipo: str = "AVERIA", extra=(), tecnico: int = 0) -> int:
        coordinadora = personas.actores["coordinadora"]
        async with sessions() as s:
            cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000002"))
        detalles = {
            "AVERIA": {"descripcion_falla": "sin señal"},
            "INSTALACION_INTERNET": {"velocidad_solicitada": "100 Mbps", "costo_fijo": "47.00"},
            "INSTALACION_CAMARAS": {},
            "RECOJO_DISPOSITIVOS": {"dispositivo": "ROUTER"},
            "TRASLADO": {"lugar_destino": "PUNO"},
        }
        datos = DatosPendiente(
            cliente_id=cliente,
            registrado_por=coordinadora.empleado_id,
            tipo=tipo,
            lugar="ILAVE",
            prioridad="MEDIA",
            fecha_pendiente=manana(),
            detalle=detalles[tipo],
        )
        pendiente_id = await comandos.crear_pendiente(datos, coordinadora)
        await avanzar(comandos, personas, pendiente_id, estado, extra, tecnico)
        return pendiente_id

    return _crear


@pytest.fixture(scope="session")
def historial(sessions):
    async def _historial(pendiente_id: int) -> list[m.Historial]:
        async with sessions() as s:
            filas = await s.scalars(
                select(m.Historial).where(m.Historial.pendiente_id == pendiente_id).order_by(m.Historial.id)
            )
            return list(filas)

    return _historial
