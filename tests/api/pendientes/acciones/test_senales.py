"""Signals for fire-and-forget callers, and continue-as-new of long-lived pendientes."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select
from temporalio.client import WorkflowExecutionStatus

from api.pendientes.comandos import Comandos
from contrato.mensajes import ActorMsg, ConfigFlujo, DatosPendiente, OrdenAccion
from db import models as m
from domain.acciones import Accion
from domain.permisos import Permiso
from infra.temporal import workflow_id
from tests.conftest import TASK_QUEUE
from workflows.pendiente import PendienteWorkflow


async def _esperar_filas(historial, pendiente_id: int, cuantas: int) -> list[m.Historial]:
    for _ in range(100):
        filas = await historial(pendiente_id)
        if len(filas) >= cuantas:
            return filas
        await asyncio.sleep(0.05)
    raise AssertionError(f"the signal left no historial row on pendiente {pendiente_id}")


async def test_una_senal_aplica_la_accion_con_el_actor_de_postgres(temporal_env, crear, personas, historial):
    pendiente_id = await crear("REGISTRADO")
    coordinadora = personas.actores["coordinadora"]
    orden = OrdenAccion(
        actor=ActorMsg(usuario_id=coordinadora.usuario_id), tecnico_id=personas.tecnicos[0].empleado_id
    )

    await temporal_env.client.get_workflow_handle(workflow_id(pendiente_id)).signal("asignar", orden)

    filas = await _esperar_filas(historial, pendiente_id, 2)
    assert (filas[-1].accion, filas[-1].estado, filas[-1].empleado_id) == (
        "asignar",
        "ASIGNADO",
        coordinadora.empleado_id,
    )


async def test_una_senal_no_permitida_se_registra_como_rechazada(temporal_env, crear, personas, historial):
    """The payload claims every permission; the workflow believes Postgres, not the payload."""
    pendiente_id = await crear("REGISTRADO")
    tecnico = personas.tecnicos[0]
    falso = ActorMsg(
        usuario_id=tecnico.usuario_id, empleado_id=tecnico.empleado_id, permisos=frozenset(Permiso)
    )
    handle = temporal_env.client.get_workflow_handle_for(PendienteWorkflow.run, workflow_id(pendiente_id))

    await handle.signal("asignar", OrdenAccion(actor=falso, tecnico_id=tecnico.empleado_id))

    filas = await _esperar_filas(historial, pendiente_id, 2)
    assert filas[-1].accion == "senal_rechazada"
    assert "ASIGNAR_TECNICO" in filas[-1].detalles
    assert filas[-1].estado == "REGISTRADO"
    assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
    assert (await handle.query(PendienteWorkflow.estado)).estado == "REGISTRADO"


async def test_una_senal_de_usuario_desconocido_se_rechaza(temporal_env, crear, historial):
    pendiente_id = await crear("REGISTRADO")
    orden = OrdenAccion(actor=ActorMsg(usuario_id=999999), motivo="sin dueño")

    await temporal_env.client.get_workflow_handle(workflow_id(pendiente_id)).signal("cancelar", orden)

    filas = await _esperar_filas(historial, pendiente_id, 2)
    assert filas[-1].accion == "senal_rechazada" and filas[-1].empleado_id is None
    assert filas[-1].estado == "REGISTRADO"


async def test_continua_como_nuevo_sin_perder_estado_ni_claves(
    app, temporal_env, sessions, personas, historial
):
    comandos = Comandos(temporal_env.client, sessions, TASK_QUEUE, flujo=ConfigFlujo(limite_historia=40))
    tecnico = personas.tecnicos[0]
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000004"))
    datos = DatosPendiente(
        cliente_id=cliente,
        registrado_por=personas.actores["coordinadora"].empleado_id,
        tipo="INSTALACION_CAMARAS",
        lugar="POMATA",
        prioridad="BAJA",
        detalle={},
    )
    pendiente_id = await comandos.crear_pendiente(datos, personas.actores["coordinadora"])
    handle = temporal_env.client.get_workflow_handle_for(PendienteWorkflow.run, workflow_id(pendiente_id))
    primera_ejecucion = (await handle.describe()).run_id
    await comandos.ejecutar(
        pendiente_id,
        Accion.ASIGNAR,
        OrdenAccion(actor=personas.actores["coordinadora"], tecnico_id=tecnico.empleado_id),
    )
    clave = f"k-{uuid.uuid4()}"
    primera = await comandos.ejecutar(pendiente_id, Accion.COMENZAR, OrdenAccion(actor=tecnico, clave=clave))
    for _ in range(6):
        await comandos.ejecutar(pendiente_id, Accion.PAUSAR, OrdenAccion(actor=tecnico))
        await comandos.ejecutar(pendiente_id, Accion.CONTINUAR, OrdenAccion(actor=tecnico))

    descripcion = await handle.describe()
    assert descripcion.run_id != primera_ejecucion
    assert descripcion.status is WorkflowExecutionStatus.RUNNING
    vivo = await handle.query(PendienteWorkflow.estado)
    assert (vivo.estado, vivo.asignado_a, vivo.seq) == ("EN_PROGRESO", tecnico.empleado_id, 14)
    repetida = await comandos.ejecutar(pendiente_id, Accion.COMENZAR, OrdenAccion(actor=tecnico, clave=clave))
    assert repetida == primera
    await comandos.ejecutar(pendiente_id, Accion.TERMINAR, OrdenAccion(actor=tecnico))
    filas = await historial(pendiente_id)
    assert [f.seq for f in filas] == list(range(16))
