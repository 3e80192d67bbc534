"""SLA escalation on the time-skipping test server: the workflow raises 50 %, 75 % and 100 % of the
resolution deadline by itself (historial by `sistema`, notifications, events, estadoSla in Postgres and
as the `EstadoSla` search attribute); postponing and reporting the work done stop the clock; a change of
priority recomputes the deadline; the timers fire across a worker restart.

Every instant is computed here from the test server's clock at creation, with the deadlines of the
issue (MUY_URGENTE 4 h, MEDIA 72 h, BAJA 7 days), typed independently of the code; each check sits a
few minutes before or after the instant it is about, so the seconds a request takes do not matter."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from api.pendientes.comandos import Comandos
from contrato.mensajes import DatosPendiente, Edicion, OrdenAccion, OrdenEdicion
from db import models as m
from domain.acciones import Accion
from infra.temporal import workflow_id
from ops.demo import personas_demo
from worker import build_worker
from workflows import busqueda
from workflows.pendiente import PendienteWorkflow

COLA = "pendientes-sla"
HORA = timedelta(hours=1)
MINUTOS = timedelta(minutes=5)


@pytest.fixture(scope="module")
async def entorno(sessions, demo):
    servidor = Path(sys.executable).parent / "temporal-test-server"
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(servidor), data_converter=pydantic_data_converter
    )
    atributos = {k.name: k.indexed_value_type for k in busqueda.TODAS}
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(namespace="default", search_attributes=atributos)
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="module")
async def comandos(entorno, sessions):
    return Comandos(entorno.client, sessions, COLA)


@pytest.fixture(scope="module")
async def worker(entorno, sessions):
    async with build_worker(entorno.client, sessions, COLA) as w:
        yield w


@pytest.fixture(scope="module")
async def personas(sessions, demo):
    return await personas_demo(sessions)


async def _nuevo(entorno, comandos, sessions, personas, prioridad: str, asignado: bool = True):
    """A new pendiente scheduled a month ahead (its day's overdue timer stays out of the way); returns
    its id and the test server's instant just before it was created."""
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000005"))
    coordinadora = personas.actores["coordinadora"]
    creado = await entorno.get_current_time()
    datos = DatosPendiente(
        cliente_id=cliente,
        registrado_por=coordinadora.empleado_id,
        tipo="RECOJO_DISPOSITIVOS",
        lugar="PUNO",
        prioridad=prioridad,
        fecha_pendiente=creado + timedelta(days=30),
        detalle={"dispositivo": "ROUTER"},
    )
    pendiente_id = await comandos.crear_pendiente(datos, coordinadora)
    if asignado:
        orden = OrdenAccion(actor=coordinadora, tecnico_id=personas.tecnicos[0].empleado_id)
        await comandos.ejecutar(pendiente_id, Accion.ASIGNAR, orden)
    return pendiente_id, creado


async def _hasta(entorno, instante: datetime) -> None:
    restante = instante - await entorno.get_current_time()
    assert restante > timedelta(0), f"{instante} already passed: the test took too long"
    await entorno.sleep(restante)


async def _escaladas(sessions, pendiente_id: int) -> list[tuple[str, str]]:
    """The SLA entries of the historial, as (accion, actor)."""
    async with sessions() as s:
        filas = await s.execute(
            select(m.Historial.accion, m.Historial.actor_nombre)
            .where(m.Historial.pendiente_id == pendiente_id, m.Historial.accion.like("sla_%"))
            .order_by(m.Historial.seq)
        )
        return [tuple(f) for f in filas]


async def _fila(sessions, pendiente_id: int) -> m.Pendiente:
    async with sessions() as s:
        return await s.get(m.Pendiente, pendiente_id)


async def _avisados(sessions, pendiente_id: int, titulo: str) -> set[int]:
    async with sessions() as s:
        consulta = select(m.Notificacion.usuario_id).where(
            m.Notificacion.pendiente_id == pendiente_id, m.Notificacion.titulo == titulo
        )
        return set(await s.scalars(consulta))


async def _eventos(sessions, pendiente_id: int) -> list[str]:
    async with sessions() as s:
        consulta = (
            select(m.Evento.tipo).where(m.Evento.pendiente_id == pendiente_id).order_by(m.Evento.numero)
        )
        return [str(t) for t in await s.scalars(consulta)]


async def _atributo(entorno, pendiente_id: int) -> str | None:
    descripcion = await entorno.client.get_workflow_handle(workflow_id(pendiente_id)).describe()
    return descripcion.typed_search_attributes.get(busqueda.ESTADO_SLA)


async def test_un_muy_urgente_escala_a_la_mitad_a_tres_cuartos_y_al_vencer(
    entorno, comandos, worker, sessions, personas
):
    pendiente_id, creado = await _nuevo(entorno, comandos, sessions, personas, "MUY_URGENTE")
    fila = await _fila(sessions, pendiente_id)
    assert fila.estado_sla == "EN_PLAZO"
    assert abs(fila.sla_vence - (creado + 4 * HORA)) < MINUTOS
    assert await _atributo(entorno, pendiente_id) == "EN_PLAZO"

    await _hasta(entorno, creado + 2 * HORA - MINUTOS)
    assert await _escaladas(sessions, pendiente_id) == []

    await _hasta(entorno, creado + 2 * HORA + MINUTOS)
    assert await _escaladas(sessions, pendiente_id) == [("sla_50", "sistema")]
    assert (await _fila(sessions, pendiente_id)).estado_sla == "EN_RIESGO"
    assert await _atributo(entorno, pendiente_id) == "EN_RIESGO"
    despacho = await _usuarios_con_permiso(sessions, "ASIGNAR_TECNICO")
    tecnico = personas.tecnicos[0].usuario_id
    # Dispatch is told at 50 %; the technician only from 75 %. The actor (sistema) is nobody.
    assert await _avisados(sessions, pendiente_id, "SLA en riesgo") == despacho - {tecnico}

    await _hasta(entorno, creado + 3 * HORA + MINUTOS)
    assert [a for a, _ in await _escaladas(sessions, pendiente_id)] == ["sla_50", "sla_75"]
    assert tecnico in await _avisados(sessions, pendiente_id, "SLA en riesgo")

    await _hasta(entorno, creado + 4 * HORA + MINUTOS)
    assert [a for a, _ in await _escaladas(sessions, pendiente_id)] == ["sla_50", "sla_75", "sla_100"]
    fila = await _fila(sessions, pendiente_id)
    assert fila.estado_sla == "INCUMPLIDO" and fila.estado == "ASIGNADO"
    assert await _atributo(entorno, pendiente_id) == "INCUMPLIDO"
    assert await _avisados(sessions, pendiente_id, "SLA incumplido") == despacho | {tecnico}
    eventos = await _eventos(sessions, pendiente_id)
    assert eventos.count("pendiente.sla_en_riesgo") == 2 and eventos.count("pendiente.sla_incumplido") == 1

    # Nothing more is raised after the breach, however long it stays open.
    await entorno.sleep(timedelta(days=3))
    assert len(await _escaladas(sessions, pendiente_id)) == 3

    # Its history replays against this code; GRABAR_HISTORIAS=1 keeps it for test_replay.py.
    historia = await entorno.client.get_workflow_handle(workflow_id(pendiente_id)).fetch_history()
    await Replayer(workflows=[PendienteWorkflow], data_converter=pydantic_data_converter).replay_workflow(
        historia
    )
    if os.environ.get("GRABAR_HISTORIAS"):
        destino = Path(__file__).parent / "historias" / "sla_escaladas_muy_urgente.json"
        destino.write_text(json.dumps(json.loads(historia.to_json()), indent=1))


async def _usuarios_con_permiso(sessions, permiso: str) -> set[int]:
    async with sessions() as s:
        consulta = (
            select(m.Usuario.id)
            .join(m.Rol, m.Rol.id == m.Usuario.rol_id)
            .where(m.Rol.permisos.any(permiso), m.Usuario.vigente, m.Rol.vigente)
        )
        return set(await s.scalars(consulta))


async def test_postergar_detiene_el_reloj_y_la_vuelta_lo_reanuda(
    entorno, comandos, worker, sessions, personas
):
    pendiente_id, creado = await _nuevo(entorno, comandos, sessions, personas, "MUY_URGENTE")
    # One hour counted, then postponed for ten: the 50 % mark (2 h counted) moves to one hour after
    # the return.
    await _hasta(entorno, creado + HORA)
    regreso = creado + 11 * HORA
    orden = OrdenAccion(actor=personas.actores["coordinadora"], nueva_fecha=regreso, motivo="lluvias")
    await comandos.ejecutar(pendiente_id, Accion.POSTERGAR, orden)
    fila = await _fila(sessions, pendiente_id)
    assert fila.estado == "POSTERGADO" and fila.sla_vence is None and fila.estado_sla == "EN_PLAZO"

    await _hasta(entorno, regreso + HORA - 2 * MINUTOS)
    assert (await _fila(sessions, pendiente_id)).estado == "ASIGNADO"
    assert await _escaladas(sessions, pendiente_id) == []
    assert abs((await _fila(sessions, pendiente_id)).sla_vence - (regreso + 3 * HORA)) < 2 * MINUTOS

    await _hasta(entorno, regreso + HORA + 2 * MINUTOS)
    assert await _escaladas(sessions, pendiente_id) == [("sla_50", "sistema")]


async def test_el_trabajo_informado_detiene_el_reloj_y_la_observacion_lo_reanuda(
    entorno, comandos, worker, sessions, personas
):
    pendiente_id, creado = await _nuevo(entorno, comandos, sessions, personas, "MUY_URGENTE")
    tecnico = personas.tecnicos[0]
    await _hasta(entorno, creado + HORA)
    for accion in (Accion.COMENZAR, Accion.TERMINAR):
        await comandos.ejecutar(pendiente_id, accion, OrdenAccion(actor=tecnico))

    # Waiting for validation a whole day does not count against the technician's deadline.
    await entorno.sleep(timedelta(days=1))
    fila = await _fila(sessions, pendiente_id)
    assert fila.estado == "POR_VALIDAR" and fila.estado_sla == "EN_PLAZO" and fila.sla_vence is None
    assert await _escaladas(sessions, pendiente_id) == []

    observado = await entorno.get_current_time()
    orden = OrdenAccion(actor=personas.actores["asesor"], motivo="falta una cámara")
    await comandos.ejecutar(pendiente_id, Accion.OBSERVAR, orden)
    await _hasta(entorno, observado + HORA - MINUTOS)
    assert await _escaladas(sessions, pendiente_id) == []
    await _hasta(entorno, observado + HORA + MINUTOS)
    assert [a for a, _ in await _escaladas(sessions, pendiente_id)] == ["sla_50"]


async def test_cambiar_la_prioridad_recalcula_el_plazo(entorno, comandos, worker, sessions, personas):
    coordinadora = personas.actores["coordinadora"]
    pendiente_id, creado = await _nuevo(entorno, comandos, sessions, personas, "MEDIA")
    assert abs((await _fila(sessions, pendiente_id)).sla_vence - (creado + 72 * HORA)) < MINUTOS

    # One hour into a 72 h deadline, it becomes MUY_URGENTE: 4 h from creation, 50 % at 2 h.
    await _hasta(entorno, creado + HORA)
    edicion = Edicion(campos=["prioridad"], prioridad="MUY_URGENTE")
    await comandos.editar(pendiente_id, OrdenEdicion(actor=coordinadora, edicion=edicion))
    assert abs((await _fila(sessions, pendiente_id)).sla_vence - (creado + 4 * HORA)) < MINUTOS
    await _hasta(entorno, creado + 3 * HORA + MINUTOS)
    assert [a for a, _ in await _escaladas(sessions, pendiente_id)] == ["sla_50", "sla_75"]

    # Back to BAJA (7 days): 3 h counted is far from any mark, so it is no longer at risk.
    edicion = Edicion(campos=["prioridad"], prioridad="BAJA")
    await comandos.editar(pendiente_id, OrdenEdicion(actor=coordinadora, edicion=edicion))
    fila = await _fila(sessions, pendiente_id)
    assert fila.estado_sla == "EN_PLAZO"
    assert abs(fila.sla_vence - (creado + 7 * 24 * HORA)) < MINUTOS
    assert await _atributo(entorno, pendiente_id) == "EN_PLAZO"

    # Five hours in (BAJA raised nothing more), back to MUY_URGENTE: its deadline passed an hour ago, so
    # it breaches at once, with one entry, not the 50 % and 75 % ones again.
    await _hasta(entorno, creado + 5 * HORA)
    assert len(await _escaladas(sessions, pendiente_id)) == 2
    edicion = Edicion(campos=["prioridad"], prioridad="MUY_URGENTE")
    await comandos.editar(pendiente_id, OrdenEdicion(actor=coordinadora, edicion=edicion))
    await entorno.sleep(MINUTOS)
    assert [a for a, _ in await _escaladas(sessions, pendiente_id)] == ["sla_50", "sla_75", "sla_100"]
    assert (await _fila(sessions, pendiente_id)).estado_sla == "INCUMPLIDO"


async def test_la_escalada_se_dispara_tras_reiniciar_el_worker(entorno, sessions, personas):
    """Set under one worker, raised by the next one: the timer lives in the server. (No sticky cache:
    the test server would otherwise keep offering tasks to the stopped worker. A timer due while no
    worker runs is tests/workflows/test_reinicios.py's, on the real dev server.)"""
    cola = "pendientes-sla-reinicio"
    comandos = Comandos(entorno.client, sessions, cola)
    async with build_worker(entorno.client, sessions, cola, max_cached_workflows=0):
        pendiente_id, creado = await _nuevo(entorno, comandos, sessions, personas, "MUY_URGENTE")

    async with build_worker(entorno.client, sessions, cola, max_cached_workflows=0):
        await _hasta(entorno, creado + 2 * HORA - MINUTOS)
        assert await _escaladas(sessions, pendiente_id) == []
        await _hasta(entorno, creado + 2 * HORA + MINUTOS)
        assert await _escaladas(sessions, pendiente_id) == [("sla_50", "sistema")]
