"""Labels through PendienteWorkflow: a labelled pendiente's history replays against the current code
(`GRABAR_HISTORIAS=1` records it under historias/, where test_replay.py replays it from then on), the
workflow itself refuses a labeller without EDITAR_PENDIENTE, and its state keeps the label ids."""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from activities.reconciliacion import Reconciliador
from contrato import nombres
from contrato.mensajes import DatosPendiente, EstadoVivo, OrdenAccion, OrdenEtiquetas
from db import models as m
from domain.acciones import Accion
from domain.errores import SinPermiso
from infra.temporal import workflow_id
from ops.demo import personas_demo
from tests.conftest import TASK_QUEUE
from workflows import busqueda
from workflows.pendiente import PendienteWorkflow

HISTORIAS = Path(__file__).parent / "historias"
LIMA = ZoneInfo("America/Lima")


async def _etiquetas(sessions, n: int) -> list[int]:
    filas = [m.Etiqueta(nombre=f"Historia {uuid.uuid4().hex[:8]}") for _ in range(n)]
    async with sessions.begin() as s:
        s.add_all(filas)
    return [f.id for f in filas]


async def _pendiente(app, sessions, actor) -> int:
    async with sessions() as s:
        cliente_id = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000003"))
    datos = DatosPendiente(
        cliente_id=cliente_id,
        registrado_por=actor.empleado_id,
        tipo="AVERIA",
        lugar="JULI",
        prioridad="MEDIA",
        fecha_pendiente=datetime.now(LIMA) + timedelta(days=1),
        detalle={"descripcion_falla": "sin señal"},
    )
    return await app.state.comandos.crear_pendiente(datos, actor)


async def test_historia_con_etiquetas_se_reproduce(app, sessions, temporal_env):
    comandos = app.state.comandos
    personas = await personas_demo(sessions)
    coordinadora, asesor = personas.actores["coordinadora"], personas.actores["asesor"]
    a, b, c = await _etiquetas(sessions, 3)
    pendiente_id = await _pendiente(app, sessions, coordinadora)

    vivo = await comandos.etiquetar(pendiente_id, OrdenEtiquetas(actor=coordinadora, etiquetas=[b, a]))
    assert vivo.etiquetas == sorted([a, b]) and vivo.seq == 1
    vivo = await comandos.etiquetar(pendiente_id, OrdenEtiquetas(actor=coordinadora, agregar=[c], quitar=[a]))
    assert vivo.etiquetas == sorted([b, c]) and vivo.seq == 2
    with pytest.raises(SinPermiso):
        await comandos.etiquetar(pendiente_id, OrdenEtiquetas(actor=asesor, etiquetas=[]))
    cancelado = OrdenAccion(actor=coordinadora, motivo="cliente desiste", etiquetas=[a])
    vivo = await comandos.ejecutar(pendiente_id, Accion.CANCELAR, cancelado)
    assert vivo.estado == "CANCELADO" and vivo.etiquetas == [a] and vivo.seq == 3
    handle = temporal_env.client.get_workflow_handle(workflow_id(pendiente_id))
    assert (await handle.query(nombres.ESTADO, result_type=EstadoVivo)).etiquetas == [a]
    # Deleting ends the workflow: its whole history can be replayed.
    await comandos.eliminar(pendiente_id, OrdenAccion(actor=coordinadora, motivo="fin de la prueba"))
    await handle.result()
    historia = await handle.fetch_history()

    replayer = Replayer(workflows=[PendienteWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(historia)

    if os.environ.get("GRABAR_HISTORIAS"):
        destino = HISTORIAS / "etiquetas_y_cancelacion_persat.json"
        destino.write_text(json.dumps(json.loads(historia.to_json()), indent=1))


async def _atributo(handle) -> list[str] | None:
    valor = (await handle.describe()).typed_search_attributes.get(busqueda.ETIQUETAS)
    return sorted(valor) if valor else None


async def test_relanzado_por_el_reconciliador_conserva_sus_etiquetas(app, sessions, temporal_env):
    """A workflow lost and started again from Postgres keeps the label ids and the search attribute."""
    personas = await personas_demo(sessions)
    coordinadora = personas.actores["coordinadora"]
    [a] = await _etiquetas(sessions, 1)
    pendiente_id = await _pendiente(app, sessions, coordinadora)
    await app.state.comandos.etiquetar(pendiente_id, OrdenEtiquetas(actor=coordinadora, etiquetas=[a]))
    handle = temporal_env.client.get_workflow_handle(workflow_id(pendiente_id))
    await handle.terminate("prueba: flujo perdido")

    reconciliador = Reconciliador(sessions, temporal_env.client, TASK_QUEUE)
    await reconciliador.revisar_todo(reparar=True)
    handle = temporal_env.client.get_workflow_handle(workflow_id(pendiente_id))
    assert (await handle.query(nombres.ESTADO, result_type=EstadoVivo)).etiquetas == [a]
    async with sessions() as s:
        nombre = await s.scalar(select(m.Etiqueta.nombre).where(m.Etiqueta.id == a))
    assert await _atributo(handle) == [nombre]


async def test_un_flujo_atrasado_adopta_las_etiquetas_de_postgres(app, sessions, temporal_env):
    """Postgres one labelling ahead (a crash after the commit): `sincronizar` adopts the labels."""
    personas = await personas_demo(sessions)
    [a] = await _etiquetas(sessions, 1)
    pendiente_id = await _pendiente(app, sessions, personas.actores["coordinadora"])
    async with sessions.begin() as s:
        s.add(m.PendienteEtiqueta(pendiente_id=pendiente_id, etiqueta_id=a))
        await s.execute(update(m.Pendiente).where(m.Pendiente.id == pendiente_id).values(seq=1))
        nombre = await s.scalar(select(m.Etiqueta.nombre).where(m.Etiqueta.id == a))
    handle = temporal_env.client.get_workflow_handle(workflow_id(pendiente_id))
    assert await handle.execute_update(nombres.SINCRONIZAR, result_type=bool) is True
    vivo = await handle.query(nombres.ESTADO, result_type=EstadoVivo)
    assert (vivo.etiquetas, vivo.seq) == ([a], 1)
    assert await _atributo(handle) == [nombre]
    # Caught up: nothing more to adopt.
    assert await handle.execute_update(nombres.SINCRONIZAR, result_type=bool) is False
