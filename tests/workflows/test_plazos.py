"""Durable timers on the time-skipping test server: a postponed pendiente comes back by itself, an
open one past its day becomes overdue, a cancelled one is archived after its retention; the timers
live in the server, so they fire even across a worker restart."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import WorkflowExecutionStatus
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from pendientes.comandos import Comandos
from pendientes.db import models as m
from pendientes.demo import personas_demo
from pendientes.domain.acciones import Accion
from pendientes.temporal_client import workflow_id
from pendientes.worker import build_worker
from pendientes.workflows import busqueda
from pendientes.workflows.mensajes import ConfigFlujo, DatosPendiente, OrdenAccion

COLA = "pendientes-plazos"


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
    return Comandos(entorno.client, sessions, COLA, flujo=ConfigFlujo(retencion_cancelado=timedelta(days=30)))


@pytest.fixture(scope="module")
async def worker(entorno, sessions):
    async with build_worker(entorno.client, sessions, COLA) as w:
        yield w


async def _nuevo(entorno, comandos, sessions, personas, *, fecha_en: timedelta, asignado: bool) -> int:
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000005"))
    coordinadora = personas.actores["coordinadora"]
    datos = DatosPendiente(
        cliente_id=cliente,
        registrado_por=coordinadora.empleado_id,
        tipo="RECOJO_DISPOSITIVOS",
        lugar="JULI",
        prioridad="MEDIA",
        fecha_pendiente=await entorno.get_current_time() + fecha_en,
        detalle={"dispositivo": "DECO"},
    )
    pendiente_id = await comandos.crear_pendiente(datos, coordinadora)
    if asignado:
        orden = OrdenAccion(actor=coordinadora, tecnico_id=personas.tecnicos[0].empleado_id)
        await comandos.ejecutar(pendiente_id, Accion.ASIGNAR, orden)
    return pendiente_id


async def _fila(sessions, pendiente_id: int) -> tuple[m.Pendiente, m.Historial]:
    async with sessions() as s:
        fila = await s.get(m.Pendiente, pendiente_id)
        ultima = await s.scalar(
            select(m.Historial)
            .where(m.Historial.pendiente_id == pendiente_id)
            .order_by(m.Historial.id.desc())
        )
        return fila, ultima


async def _postergar(entorno, comandos, personas, pendiente_id: int, dias: int) -> None:
    nueva = await entorno.get_current_time() + timedelta(days=dias)
    orden = OrdenAccion(actor=personas.actores["coordinadora"], nueva_fecha=nueva, motivo="lluvias")
    await comandos.ejecutar(pendiente_id, Accion.POSTERGAR, orden)


@pytest.fixture(scope="module")
async def personas(sessions, demo):
    return await personas_demo(sessions)


@pytest.mark.parametrize(("asignado", "vuelve_a"), [(True, "ASIGNADO"), (False, "REGISTRADO")])
async def test_un_postergado_vuelve_solo_en_su_fecha(
    entorno, comandos, worker, sessions, personas, asignado, vuelve_a
):
    pendiente_id = await _nuevo(
        entorno, comandos, sessions, personas, fecha_en=timedelta(days=5), asignado=asignado
    )
    await _postergar(entorno, comandos, personas, pendiente_id, dias=2)

    await entorno.sleep(timedelta(days=1))
    assert (await _fila(sessions, pendiente_id))[0].estado == "POSTERGADO"
    await entorno.sleep(timedelta(days=1, hours=1))

    fila, ultima = await _fila(sessions, pendiente_id)
    assert fila.estado == vuelve_a
    assert (ultima.accion, ultima.actor_nombre, ultima.empleado_id) == ("reactivar", "sistema", None)
    descripcion = await entorno.client.get_workflow_handle(workflow_id(pendiente_id)).describe()
    assert descripcion.typed_search_attributes.get(busqueda.ESTADO) == vuelve_a


async def test_un_pendiente_abierto_vence_al_terminar_su_dia(entorno, comandos, worker, sessions, personas):
    pendiente_id = await _nuevo(
        entorno, comandos, sessions, personas, fecha_en=timedelta(hours=1), asignado=True
    )

    await entorno.sleep(timedelta(days=2))

    fila, ultima = await _fila(sessions, pendiente_id)
    assert fila.vencido is True and fila.estado == "ASIGNADO"
    assert (ultima.accion, ultima.actor_nombre) == ("vencer", "sistema")
    handle = entorno.client.get_workflow_handle(workflow_id(pendiente_id))
    assert (await handle.describe()).typed_search_attributes.get(busqueda.VENCIDO) is True

    await _postergar(entorno, comandos, personas, pendiente_id, dias=3)
    fila, _ = await _fila(sessions, pendiente_id)
    assert fila.vencido is False
    assert (await handle.describe()).typed_search_attributes.get(busqueda.VENCIDO) is False


async def test_un_pendiente_futuro_no_vence(entorno, comandos, worker, sessions, personas):
    pendiente_id = await _nuevo(
        entorno, comandos, sessions, personas, fecha_en=timedelta(days=10), asignado=False
    )
    await entorno.sleep(timedelta(days=3))
    fila, ultima = await _fila(sessions, pendiente_id)
    assert fila.vencido is False and ultima.accion == "crear"


async def test_un_cancelado_se_archiva_tras_la_retencion(entorno, comandos, worker, sessions, personas):
    pendiente_id = await _nuevo(
        entorno, comandos, sessions, personas, fecha_en=timedelta(days=40), asignado=False
    )
    orden = OrdenAccion(actor=personas.actores["coordinadora"], motivo="cliente se mudó")
    await comandos.ejecutar(pendiente_id, Accion.CANCELAR, orden)
    handle = entorno.client.get_workflow_handle(workflow_id(pendiente_id))

    await entorno.sleep(timedelta(days=29))
    assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
    await entorno.sleep(timedelta(days=2))

    assert (await handle.describe()).status is WorkflowExecutionStatus.COMPLETED
    fila, ultima = await _fila(sessions, pendiente_id)
    assert fila.estado == "CANCELADO" and ultima.accion == "archivar"


async def test_el_plazo_sobrevive_al_reinicio_del_worker(entorno, sessions, personas):
    """The timer is set under one worker and fires under another: it lives in the server.
    (No sticky cache: the test server would otherwise keep offering tasks to the stopped worker.)"""
    cola = "pendientes-plazos-reinicio"
    comandos = Comandos(entorno.client, sessions, cola)
    async with build_worker(entorno.client, sessions, cola, max_cached_workflows=0):
        pendiente_id = await _nuevo(
            entorno, comandos, sessions, personas, fecha_en=timedelta(days=5), asignado=True
        )
        await _postergar(entorno, comandos, personas, pendiente_id, dias=1)

    async with build_worker(entorno.client, sessions, cola, max_cached_workflows=0):
        assert (await _fila(sessions, pendiente_id))[0].estado == "POSTERGADO"
        await entorno.sleep(timedelta(days=1, minutes=5))

    async with sessions() as s:
        acciones = list(
            await s.scalars(
                select(m.Historial.accion)
                .where(m.Historial.pendiente_id == pendiente_id)
                .order_by(m.Historial.id)
            )
        )
    assert acciones[:4] == ["crear", "asignar", "postergar", "reactivar"]
    assert (await _fila(sessions, pendiente_id))[0].estado == "ASIGNADO"
