"""Who is speaking: an Update sent straight to the Temporal frontend (not through the API) names any actor
it likes in its payload. The worker writes only changes whose actor the API signed, so a forged one is
refused (403 to the API's error mapping) and nothing is written or recorded under the forged name."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError

from api.pendientes.comandos import Comandos
from contrato.mensajes import ActorMsg, DatosPendiente, InicioPendiente, OrdenAccion
from db import models as m
from domain.acciones import Accion
from domain.permisos import Permiso
from infra.temporal import workflow_id
from ops.demo import personas_demo
from tests.conftest import TASK_QUEUE
from workflows.pendiente import PendienteWorkflow


@pytest.fixture(scope="module")
async def personas(sessions, demo):
    return await personas_demo(sessions)


@pytest.fixture(scope="module")
def comandos(temporal_env, sessions, worker) -> Comandos:
    return Comandos(temporal_env.client, sessions, TASK_QUEUE)


async def _datos(sessions, personas) -> DatosPendiente:
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000003"))
    return DatosPendiente(
        cliente_id=cliente,
        registrado_por=personas.actores["coordinadora"].empleado_id,
        tipo="INSTALACION_CAMARAS",
        lugar="PUNO",
        prioridad="BAJA",
        detalle={},
    )


async def _fila_e_historial(sessions, pendiente_id: int) -> tuple[tuple[str, int], int]:
    async with sessions() as s:
        fila = await s.get(m.Pendiente, pendiente_id)
        n = await s.scalar(select(func.count()).where(m.Historial.pendiente_id == pendiente_id))
        return (fila.estado, fila.seq), n


def _tipo_de_fallo(error: BaseException) -> str | None:
    while error is not None and getattr(error, "type", None) is None:
        error = error.__cause__ or getattr(error, "cause", None)
    return getattr(error, "type", None)


async def test_un_update_con_actor_inventado_no_se_aplica(comandos, sessions, personas, temporal_env):
    coordinadora = personas.actores["coordinadora"]
    pendiente_id = await comandos.crear_pendiente(await _datos(sessions, personas), coordinadora)
    antes = await _fila_e_historial(sessions, pendiente_id)
    # Whoever reaches the frontend claims to be an administrator (a real user id, every permission).
    falso = ActorMsg(
        usuario_id=personas.actores["administrador"].usuario_id,
        empleado_id=personas.actores["administrador"].empleado_id,
        nombre="Administrador",
        permisos=frozenset(Permiso),
    )
    orden = OrdenAccion(actor=falso, motivo="forjado", clave=f"x:{uuid.uuid4().hex}")
    handle = temporal_env.client.get_workflow_handle(workflow_id(pendiente_id))
    with pytest.raises(WorkflowUpdateFailedError) as error:
        await handle.execute_update("cancelar", orden, id=uuid.uuid4().hex)
    assert _tipo_de_fallo(error.value) == "SinPermiso"
    assert await _fila_e_historial(sessions, pendiente_id) == antes


async def test_una_firma_ajena_no_sirve_para_otro_cambio(comandos, sessions, personas, temporal_env):
    """A signature read from history is bound to its pendiente, its key and its actor."""
    coordinadora = personas.actores["coordinadora"]
    pendiente_id = await comandos.crear_pendiente(await _datos(sessions, personas), coordinadora)
    firma = await comandos.firma_de(pendiente_id, "c1", coordinadora)  # as history shows it for key c1
    antes = await _fila_e_historial(sessions, pendiente_id)
    handle = temporal_env.client.get_workflow_handle(workflow_id(pendiente_id))
    for clave, actor in (("c2", coordinadora), ("c1", personas.actores["administrador"])):
        orden = OrdenAccion(actor=actor, motivo="reuso de firma", clave=clave, firma=firma)
        with pytest.raises(WorkflowUpdateFailedError) as error:
            await handle.execute_update("cancelar", orden, id=uuid.uuid4().hex)
        assert _tipo_de_fallo(error.value) == "SinPermiso"
    assert await _fila_e_historial(sessions, pendiente_id) == antes

    # The same actor with its own signature, as the API sends it, goes through.
    vivo = await comandos.ejecutar(
        pendiente_id, Accion.CANCELAR, OrdenAccion(actor=coordinadora, motivo="real")
    )
    assert vivo.estado == "CANCELADO"


async def test_un_alta_sin_firma_no_crea_la_fila(comandos, sessions, personas, temporal_env):
    async with sessions.begin() as s:
        pendiente_id = await s.scalar(select(func.nextval("pendientes_id_seq")))
    inicio = InicioPendiente(
        pendiente_id=pendiente_id,
        datos=await _datos(sessions, personas),
        actor=personas.actores["coordinadora"],
    )
    handle = await temporal_env.client.start_workflow(
        PendienteWorkflow.run, inicio, id=workflow_id(pendiente_id), task_queue=TASK_QUEUE
    )
    with pytest.raises(WorkflowFailureError) as error:
        # Bounded: a workflow that accepted the forged creation would run on forever.
        await asyncio.wait_for(handle.result(), timeout=30)
    assert _tipo_de_fallo(error.value) == "SinPermiso"
    async with sessions() as s:
        assert await s.get(m.Pendiente, pendiente_id) is None
