"""The reconciler against a real Temporal server and Postgres: drift between a row and its workflow is
found, reported, and repaired towards the committed record; a Schedule runs it; ops read the findings.

Drift is produced the way a crash leaves it: a change committed in Postgres that the workflow never
recorded (written here straight into the row and historial, as the lost activity would have), a
workflow that is gone while its row is open, a row deleted while its workflow still runs."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from temporalio.client import WorkflowExecutionStatus

from activities.reconciliacion import Reconciliador
from api.pendientes.comandos import Comandos
from contrato.mensajes import DatosPendiente, EstadoVivo, InformeReconciliacion, OrdenAccion
from db import models as m
from domain.acciones import Accion
from infra.temporal import PROGRAMA_RECONCILIADOR, asegurar_reconciliador, workflow_id
from ops.demo import personas_demo
from tests.conftest import TASK_QUEUE


@pytest.fixture(scope="module")
async def personas(sessions, demo):
    return await personas_demo(sessions)


@pytest.fixture(scope="module")
def comandos(temporal_env, sessions, worker) -> Comandos:
    return Comandos(temporal_env.client, sessions, TASK_QUEUE)


@pytest.fixture(scope="module")
def reconciliador(temporal_env, sessions, worker) -> Reconciliador:
    return Reconciliador(sessions, temporal_env.client, TASK_QUEUE)


async def _asignado(comandos: Comandos, sessions, personas) -> int:
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000002"))
    coordinadora = personas.actores["coordinadora"]
    datos = DatosPendiente(
        cliente_id=cliente,
        registrado_por=coordinadora.empleado_id,
        tipo="INSTALACION_CAMARAS",
        lugar="PUNO",
        prioridad="MEDIA",
        detalle={},
    )
    pendiente_id = await comandos.crear_pendiente(datos, coordinadora)
    orden = OrdenAccion(actor=coordinadora, tecnico_id=personas.tecnicos[0].empleado_id)
    await comandos.ejecutar(pendiente_id, Accion.ASIGNAR, orden)
    return pendiente_id


async def _cambio_perdido(sessions, pendiente_id: int) -> None:
    """What a crash between the activity's commit and its workflow task leaves: Postgres one change
    ahead (comenzar, EN_PROGRESO v2) and the workflow still at ASIGNADO v1."""
    async with sessions.begin() as s:
        await s.execute(
            update(m.Pendiente).where(m.Pendiente.id == pendiente_id).values(estado="EN_PROGRESO", seq=2)
        )
        s.add(
            m.Historial(
                pendiente_id=pendiente_id,
                actor_nombre="técnico",
                accion="comenzar",
                estado_anterior="ASIGNADO",
                estado="EN_PROGRESO",
                estado_tecnico="OK",
                seq=2,
                cambio_id="perdido-1",
                huella="x",
            )
        )


async def _vivo(temporal_env, pendiente_id: int) -> EstadoVivo:
    return await temporal_env.client.get_workflow_handle(workflow_id(pendiente_id)).query(
        "estado", result_type=EstadoVivo
    )


def _de(informe: InformeReconciliacion, pendiente_id: int) -> list:
    return [h for h in informe.hallazgos if h.pendiente_id == pendiente_id]


async def test_un_desfase_se_informa_y_se_repara_hacia_postgres(
    reconciliador, comandos, sessions, personas, temporal_env
):
    pendiente_id = await _asignado(comandos, sessions, personas)
    await _cambio_perdido(sessions, pendiente_id)

    informe = await reconciliador.revisar_todo(reparar=False)
    [hallazgo] = _de(informe, pendiente_id)
    assert hallazgo.tipo == "desfase" and not hallazgo.reparado
    assert "estado: postgres EN_PROGRESO · flujo ASIGNADO" in hallazgo.detalle
    assert "seq: postgres 2 · flujo 1" in hallazgo.detalle
    assert "Estado en la UI: ASIGNADO · postgres EN_PROGRESO" in hallazgo.detalle
    assert (await _vivo(temporal_env, pendiente_id)).seq == 1  # report only: nothing touched

    informe = await reconciliador.revisar_todo(reparar=True)
    [hallazgo] = _de(informe, pendiente_id)
    assert hallazgo.reparado
    vivo = await _vivo(temporal_env, pendiente_id)
    assert (vivo.estado, vivo.seq) == ("EN_PROGRESO", 2)
    descripcion = await temporal_env.client.get_workflow_handle(workflow_id(pendiente_id)).describe()
    assert descripcion.search_attributes["Estado"] == ["EN_PROGRESO"]

    # Repaired: the next round finds nothing, and the workflow goes on from the committed state.
    assert _de(await reconciliador.revisar_todo(reparar=True), pendiente_id) == []
    vivo = await comandos.ejecutar(
        pendiente_id, Accion.PAUSAR, OrdenAccion(actor=personas.tecnicos[0], motivo="x")
    )
    assert (vivo.estado, vivo.seq) == ("PAUSADO", 3)
    async with sessions() as s:
        fila = await s.get(m.Pendiente, pendiente_id)
        assert (fila.estado, fila.seq) == ("PAUSADO", 3)
        anotados = list(
            await s.scalars(select(m.Reconciliacion).where(m.Reconciliacion.pendiente_id == pendiente_id))
        )
    assert sorted(a.reparado for a in anotados) == [False, True]


async def test_una_fila_abierta_sin_flujo_recibe_uno_nuevo_desde_postgres(
    reconciliador, comandos, sessions, personas, temporal_env
):
    pendiente_id = await _asignado(comandos, sessions, personas)
    await temporal_env.client.get_workflow_handle(workflow_id(pendiente_id)).terminate(
        "prueba: flujo perdido"
    )

    informe = await reconciliador.revisar_todo(reparar=True)
    [hallazgo] = _de(informe, pendiente_id)
    assert (hallazgo.tipo, hallazgo.reparado) == ("sin_flujo", True)
    vivo = await _vivo(temporal_env, pendiente_id)
    assert (vivo.estado, vivo.seq, vivo.asignado_a) == ("ASIGNADO", 1, personas.tecnicos[0].empleado_id)
    vivo = await comandos.ejecutar(pendiente_id, Accion.COMENZAR, OrdenAccion(actor=personas.tecnicos[0]))
    assert (vivo.estado, vivo.seq) == ("EN_PROGRESO", 2)


async def test_un_flujo_de_una_fila_eliminada_termina(
    reconciliador, comandos, sessions, personas, temporal_env
):
    pendiente_id = await _asignado(comandos, sessions, personas)
    async with sessions.begin() as s:
        await s.execute(update(m.Pendiente).where(m.Pendiente.id == pendiente_id).values(vigente=False))

    informe = await reconciliador.revisar_todo(reparar=True)
    [hallazgo] = _de(informe, pendiente_id)
    assert (hallazgo.tipo, hallazgo.reparado) == ("flujo_huerfano", True)
    handle = temporal_env.client.get_workflow_handle(workflow_id(pendiente_id))
    await asyncio.wait_for(handle.result(), timeout=20)
    assert (await handle.describe()).status is WorkflowExecutionStatus.COMPLETED


async def test_el_programa_ejecuta_el_reconciliador_y_sus_hallazgos_se_leen_por_la_api(
    comandos, sessions, personas, temporal_env, http, h
):
    pendiente_id = await _asignado(comandos, sessions, personas)
    await _cambio_perdido(sessions, pendiente_id)
    client = temporal_env.client
    await asegurar_reconciliador(client, TASK_QUEUE, minutos=60)
    programa = client.get_schedule_handle(PROGRAMA_RECONCILIADOR)
    try:
        descripcion = await programa.describe()
        assert descripcion.schedule.spec.intervals[0].every == timedelta(minutes=60)
        await programa.trigger()
        for _ in range(200):
            acciones = (await programa.describe()).info.recent_actions
            if acciones:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the schedule never started the reconciler")
        ejecucion = client.get_workflow_handle(
            acciones[-1].action.workflow_id, result_type=InformeReconciliacion
        )
        informe = await asyncio.wait_for(ejecucion.result(), timeout=60)
    finally:
        await asegurar_reconciliador(client, TASK_QUEUE, minutos=0)
    assert [(x.tipo, x.reparado) for x in _de(informe, pendiente_id)] == [("desfase", True)]
    assert (await _vivo(temporal_env, pendiente_id)).estado == "EN_PROGRESO"

    r = await http.get("/api/reconciliaciones", params={"size": 100}, headers=h["administrador"])
    assert r.status_code == 200, r.text
    propios = [x for x in r.json()["data"]["content"] if x["pendienteId"] == pendiente_id]
    assert [(x["tipo"], x["reparado"]) for x in propios] == [("desfase", True)]
    r = await http.get("/api/reconciliaciones", headers=h["coordinadora"])
    assert r.status_code == 403 and "ADMINISTRAR" in r.json()["message"]


async def test_la_orden_de_la_cli_informa_sin_reparar(settings, comandos, sessions, personas, temporal_env):
    pendiente_id = await _asignado(comandos, sessions, personas)
    await _cambio_perdido(sessions, pendiente_id)
    env = dict(os.environ, DATABASE_URL=settings.database_url, TEMPORAL_ADDRESS=settings.temporal_address)
    env |= {"TEMPORAL_TASK_QUEUE": TASK_QUEUE, "ENVIRONMENT": "test"}
    proceso = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "ops.cli", "reconciliar", "--solo-informe"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proceso.returncode == 0, proceso.stderr
    lineas = [x for x in proceso.stdout.splitlines() if x.startswith(f"pendiente {pendiente_id}\t")]
    assert len(lineas) == 1 and "\tdesfase\tsin reparar\t" in lineas[0]
    assert (await _vivo(temporal_env, pendiente_id)).seq == 1
    # Leave the session's pendientes consistent for the tests that follow.
    await temporal_env.client.get_workflow_handle(workflow_id(pendiente_id)).execute_update(
        "sincronizar", result_type=bool
    )
