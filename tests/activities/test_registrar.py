"""Registering a pendiente writes its row, its type detail, its 'crear' historial entry and its
`pendiente.creado` event together or not at all, once per id: a retry writes nothing more and answers the
same lifecycle facts. The answer is what the workflow starts from, so it must equal the committed record.
Driven straight through the activity (no workflow), as the workflow's first task calls it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.persistencia import PersistenciaActivities
from api.pendientes.comandos import Comandos
from contrato.mensajes import DatosPendiente
from db import models as m
from domain import sla
from domain.enums import EstadoPendiente
from ops.demo import personas_demo
from tests.conftest import TASK_QUEUE

LIMA = ZoneInfo("America/Lima")


@pytest.fixture(scope="module")
def actividades(sessions) -> PersistenciaActivities:
    return PersistenciaActivities(sessions)


@pytest.fixture(scope="module")
def comandos(temporal_env, sessions) -> Comandos:
    # Used only to reserve ids and sign actors as the API does.
    return Comandos(temporal_env.client, sessions, TASK_QUEUE)


@pytest.fixture(scope="module")
async def coordinadora(sessions, demo):
    return (await personas_demo(sessions)).actores["coordinadora"]


@pytest.fixture(scope="module")
async def cliente(sessions, demo) -> int:
    async with sessions() as s:
        return await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000003"))


async def _inicio(comandos, coordinadora, cliente: int, tipo: str, detalle: dict | None, **otros):
    datos = DatosPendiente(
        cliente_id=cliente,
        registrado_por=coordinadora.empleado_id,
        tipo=tipo,
        lugar="JULIACA",
        prioridad="URGENTE",
        fecha_pendiente=datetime.now(LIMA) + timedelta(days=2),
        detalle=detalle,
        **otros,
    )
    pendiente_id = await comandos.reservar_id(None, None, "")
    inicio = await comandos.inicio(pendiente_id, datos, coordinadora)
    reloj = sla.iniciar(8 * 3600, EstadoPendiente.REGISTRADO, datetime.now(LIMA))
    return inicio.model_copy(update={"sla": reloj})


async def _escrito(sessions, pendiente_id: int, detalle) -> dict[str, int]:
    """How many rows of each piece Postgres holds for the pendiente."""
    async with sessions() as s:

        async def contar(modelo, columna) -> int:
            return await s.scalar(select(func.count()).select_from(modelo).where(columna == pendiente_id))

        return {
            "fila": await contar(m.Pendiente, m.Pendiente.id),
            "detalle": await contar(detalle, detalle.pendiente_id),
            "crear": await contar(m.Historial, m.Historial.pendiente_id),
            "evento": await contar(m.Evento, m.Evento.pendiente_id),
        }


async def _comprometido(actividades, pendiente_id: int):
    return (await ActivityEnvironment().run(actividades.leer_comprometido, pendiente_id)).vivo


async def test_una_averia_escribe_todo_una_vez_y_responde_lo_comprometido(
    sessions, actividades, comandos, coordinadora, cliente
):
    detalle = {"descripcion_falla": "sin señal desde ayer", "vlan": 120, "pppoe_usuario": "cli3"}
    inicio = await _inicio(comandos, coordinadora, cliente, "AVERIA", detalle)

    vivo = await ActivityEnvironment().run(actividades.registrar_pendiente, inicio)

    assert await _escrito(sessions, inicio.pendiente_id, m.PendienteAveria) == {
        "fila": 1,
        "detalle": 1,
        "crear": 1,
        "evento": 1,
    }
    assert vivo == await _comprometido(actividades, inicio.pendiente_id)
    assert (vivo.estado, vivo.estado_tecnico, vivo.seq) == ("REGISTRADO", "OK", 0)
    assert vivo.tiene_detalle and vivo.vlan_configurada and vivo.pppoe_configurado
    assert vivo.sla is not None and vivo.sla.plazo_seg == 8 * 3600
    async with sessions() as s:
        entrada = await s.scalar(select(m.Historial).where(m.Historial.pendiente_id == inicio.pendiente_id))
        guardado = await s.get(m.PendienteAveria, inicio.pendiente_id)
        fila = await s.get(m.Pendiente, inicio.pendiente_id)
    assert (entrada.accion, entrada.estado, entrada.seq) == ("crear", "REGISTRADO", 0)
    assert (entrada.empleado_id, entrada.actor_nombre) == (coordinadora.empleado_id, coordinadora.nombre)
    assert guardado.descripcion_falla == "sin señal desde ayer" and guardado.vlan == 120
    assert (fila.lugar, fila.prioridad, fila.cliente_id) == ("JULIACA", "URGENTE", cliente)

    # A retry (the answer was lost): nothing more is written, the same facts come back.
    otra_vez = await ActivityEnvironment().run(actividades.registrar_pendiente, inicio)

    assert otra_vez == vivo
    assert await _escrito(sessions, inicio.pendiente_id, m.PendienteAveria) == {
        "fila": 1,
        "detalle": 1,
        "crear": 1,
        "evento": 1,
    }


@pytest.mark.parametrize(
    ("tipo", "detalle", "modelo", "con_detalle"),
    [
        ("INSTALACION_CAMARAS", {}, m.PendienteInstalacionCamaras, True),
        ("INSTALACION_INTERNET", None, m.PendienteInstalacionInternet, False),
        (
            "INSTALACION_INTERNET",
            {"velocidad_solicitada": "200 Mbps", "costo_fijo": "35.50", "tipo_instalacion": "FIBRA"},
            m.PendienteInstalacionInternet,
            True,
        ),
    ],
)
async def test_el_detalle_se_escribe_solo_si_viene(
    sessions, actividades, comandos, coordinadora, cliente, tipo, detalle, modelo, con_detalle
):
    inicio = await _inicio(comandos, coordinadora, cliente, tipo, detalle)

    vivo = await ActivityEnvironment().run(actividades.registrar_pendiente, inicio)

    escrito = await _escrito(sessions, inicio.pendiente_id, modelo)
    assert escrito == {"fila": 1, "detalle": int(con_detalle), "crear": 1, "evento": 1}
    assert vivo.tiene_detalle is con_detalle
    assert vivo == await _comprometido(actividades, inicio.pendiente_id)


async def test_una_referencia_invalida_no_escribe_nada(sessions, actividades, comandos, coordinadora):
    inicio = await _inicio(comandos, coordinadora, 999_999, "AVERIA", {"descripcion_falla": "x"})

    with pytest.raises(ApplicationError) as error:
        await ActivityEnvironment().run(actividades.registrar_pendiente, inicio)

    assert error.value.non_retryable
    assert await _escrito(sessions, inicio.pendiente_id, m.PendienteAveria) == {
        "fila": 0,
        "detalle": 0,
        "crear": 0,
        "evento": 0,
    }


async def test_un_detalle_invalido_no_deja_la_fila(sessions, actividades, comandos, coordinadora, cliente):
    # The detail's check (a VLAN is 1..4094) fails after the row's insert in the same statement.
    inicio = await _inicio(comandos, coordinadora, cliente, "AVERIA", {"vlan": 5000})

    with pytest.raises(ApplicationError):
        await ActivityEnvironment().run(actividades.registrar_pendiente, inicio)

    assert await _escrito(sessions, inicio.pendiente_id, m.PendienteAveria) == {
        "fila": 0,
        "detalle": 0,
        "crear": 0,
        "evento": 0,
    }
