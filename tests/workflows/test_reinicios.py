"""Crashes: the worker killed (SIGKILL) in the middle of a sequence of actions, and the Temporal
server stopped and started again on its database file. Nothing is lost, nothing is written twice.

Each test synchronises on the situation it claims, never on elapsed time: the kill lands while the
action's write is provably waiting in Postgres (we hold the pendiente's row lock), and the restart
happens while the postponement timer is provably still pending (read from the workflow's history)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import select
from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter

from api.pendientes.comandos import Comandos
from contrato.mensajes import ConfigFlujo, DatosPendiente, OrdenAccion
from db import models as m
from domain.acciones import Accion
from domain.enums import PrioridadPendiente
from domain.errores import NoDisponible
from infra.temporal import workflow_id
from ops.demo import personas_demo
from tests.infra.temporal_en_archivo import ServidorEnArchivo, conectar
from worker import build_worker

LIMA = ZoneInfo("America/Lima")
# How far ahead the postponement is due: only the worker's shutdown and the server's stop must fit in
# it (a second or two); if they do not, the test says so instead of proving nothing.
DEMORA_POSTERGACION = timedelta(seconds=15)


async def _pendiente(comandos: Comandos, sessions, personas, tipo="INSTALACION_CAMARAS") -> int:
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000006"))
    coordinadora = personas.actores["coordinadora"]
    datos = DatosPendiente(
        cliente_id=cliente,
        registrado_por=coordinadora.empleado_id,
        tipo=tipo,
        lugar="ACORA",
        prioridad="URGENTE",
        detalle={},
    )
    return await comandos.crear_pendiente(datos, coordinadora)


async def _historial(sessions, pendiente_id: int) -> list[m.Historial]:
    async with sessions() as s:
        consulta = (
            select(m.Historial).where(m.Historial.pendiente_id == pendiente_id).order_by(m.Historial.seq)
        )
        return list(await s.scalars(consulta))


def _worker(settings, cola: str) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=settings.database_url, TEMPORAL_ADDRESS=settings.temporal_address)
    env |= {"TEMPORAL_TASK_QUEUE": cola, "ENVIRONMENT": "test"}
    return subprocess.Popen([sys.executable, "-m", "worker"], env=env)


async def _ejecutar_con_reintentos(comandos: Comandos, pendiente_id: int, accion: Accion, orden: OrdenAccion):
    """What a careful client does: on a timeout, retry with the same idempotency key."""
    for _ in range(10):
        try:
            return await comandos.ejecutar(pendiente_id, accion, orden)
        except NoDisponible:
            await asyncio.sleep(0.5)
    raise AssertionError(f"{accion} never completed")


async def _hasta(condicion, segundos: float, que: str):
    """Poll `condicion` (an async callable) until it returns something truthy; fail naming `que`."""
    reloj = asyncio.get_running_loop()
    limite = reloj.time() + segundos
    while reloj.time() < limite:
        if resultado := await condicion():
            return resultado
        await asyncio.sleep(0.05)
    raise AssertionError(f"{que}: not within {segundos} s")


@asynccontextmanager
async def _fila_bloqueada(database_url: str, pendiente_id: int) -> AsyncIterator[int]:
    """Hold the pendiente's row lock (as a concurrent writer would) until the block ends; yields
    the holding backend's pid. The worker's write of any action on this pendiente waits for it."""
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        await conn.execute("SELECT 1 FROM pendientes WHERE id = %s FOR UPDATE", (pendiente_id,))
        try:
            yield conn.info.backend_pid
        finally:
            await conn.rollback()


async def _esperando_el_bloqueo(database_url: str, pid: int) -> list[str]:
    """The statements of the backends waiting on `pid`'s locks, once there is one (a separate
    autocommit connection: pg_stat_activity is a per-transaction snapshot)."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:

        async def bloqueadas() -> list[str]:
            cursor = await conn.execute(
                "SELECT query FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", (pid,)
            )
            return [fila[0] for fila in await cursor.fetchall()]

        return await _hasta(bloqueadas, 15, "the action never reached Postgres")


async def test_matar_el_worker_no_pierde_ni_duplica_historial(settings, temporal_env, sessions, demo):
    cola = f"reinicio-{uuid.uuid4().hex[:6]}"
    # Long enough for a loaded machine to answer the creation (not retried); a killed worker's updates
    # wait it out once and are retried by _ejecutar_con_reintentos.
    comandos = Comandos(temporal_env.client, sessions, cola, timeout=timedelta(seconds=15))
    personas = await personas_demo(sessions)
    tecnico = personas.tecnicos[0]
    worker = _worker(settings, cola)
    matados_en_vuelo = 0
    try:
        pendiente_id = await _pendiente(comandos, sessions, personas)
        orden = OrdenAccion(actor=personas.actores["coordinadora"], tecnico_id=tecnico.empleado_id)
        await _ejecutar_con_reintentos(comandos, pendiente_id, Accion.ASIGNAR, orden)
        pasos = [Accion.COMENZAR] + [Accion.PAUSAR, Accion.CONTINUAR] * 6
        for i, accion in enumerate(pasos):
            orden = OrdenAccion(actor=tecnico, clave=f"paso-{i}")
            if i not in (3, 8):
                await _ejecutar_con_reintentos(comandos, pendiente_id, accion, orden)
                continue
            async with _fila_bloqueada(settings.database_url, pendiente_id) as bloqueo:
                en_curso = asyncio.create_task(
                    _ejecutar_con_reintentos(comandos, pendiente_id, accion, orden)
                )
                # The worker's transaction is inside Postgres, waiting for our lock: the action is in
                # flight. Kill it now: no goodbye, no graceful shutdown, no commit.
                esperando = await _esperando_el_bloqueo(settings.database_url, bloqueo)
                # Only a locking read waits for a row lock (a plain SELECT never does); the text
                # Postgres shows is cut at 1 KB, before the lock read's FOR UPDATE clause.
                assert any(q.startswith("SELECT pendientes.id") for q in esperando), esperando
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                matados_en_vuelo += 1
                worker = _worker(settings, cola)
            # Lock released: the orphaned transaction dies with its client; the new worker redoes the step.
            await en_curso
    finally:
        worker.terminate()
        worker.wait()

    assert matados_en_vuelo == 2
    filas = await _historial(sessions, pendiente_id)
    assert [f.seq for f in filas] == list(range(len(pasos) + 2))
    assert [f.accion for f in filas] == ["crear", "asignar", *[a.value for a in pasos]]
    async with sessions() as s:
        fila = await s.get(m.Pendiente, pendiente_id)
        assert (fila.seq, fila.estado) == (len(pasos) + 1, "EN_PROGRESO")


@pytest.fixture
def servidor_en_archivo(tmp_path):
    """A dev server on its own ports and database file, restartable."""
    servidor = ServidorEnArchivo(tmp_path / "temporal.db")
    yield servidor.arrancar, servidor.parar
    servidor.cerrar()


async def _temporizadores(handle: WorkflowHandle) -> dict[str, tuple[str, datetime | None]]:
    """The workflow's timers from its history: id -> (summary, when it fired; None while pending)."""
    resumenes: dict[str, str] = {}
    disparos: dict[str, datetime] = {}
    for evento in (await handle.fetch_history()).events:
        if evento.HasField("timer_started_event_attributes"):
            resumen = pydantic_data_converter.payload_converter.from_payload(
                evento.user_metadata.summary, str
            )
            resumenes[evento.timer_started_event_attributes.timer_id] = resumen
        elif evento.HasField("timer_fired_event_attributes"):
            disparo = evento.event_time.ToDatetime(tzinfo=UTC)
            disparos[evento.timer_fired_event_attributes.timer_id] = disparo
    return {id_: (resumen, disparos.get(id_)) for id_, resumen in resumenes.items()}


async def test_el_servidor_reiniciado_conserva_flujos_y_plazos(servidor_en_archivo, sessions, demo):
    arrancar, parar = servidor_en_archivo
    cola = "reinicio-servidor"
    personas = await personas_demo(sessions)
    direccion = arrancar()
    client = await conectar(direccion)
    comandos = Comandos(client, sessions, cola)
    async with build_worker(client, sessions, cola):
        pendiente_id = await _pendiente(comandos, sessions, personas)
        coordinadora = personas.actores["coordinadora"]
        asignar = OrdenAccion(actor=coordinadora, tecnico_id=personas.tecnicos[0].empleado_id)
        await comandos.ejecutar(pendiente_id, Accion.ASIGNAR, asignar)
        regreso = datetime.now(UTC) + DEMORA_POSTERGACION
        postergar = OrdenAccion(actor=coordinadora, nueva_fecha=regreso, motivo="reinicio")
        await comandos.ejecutar(pendiente_id, Accion.POSTERGAR, postergar)
        # The reactivation's timer is set and has not fired (the SLA's, set at creation, was cancelled
        # when postponing stopped the clock).
        temporizadores = await _temporizadores(client.get_workflow_handle(workflow_id(pendiente_id)))
        [id_timer] = [id_ for id_, (resumen, _) in temporizadores.items() if resumen == "reactivar"]
        assert temporizadores[id_timer][1] is None
        assert {resumen for resumen, disparo in temporizadores.values()} <= {"reactivar", "escalar_sla"}
    parar()
    reiniciado = datetime.now(UTC)
    assert reiniciado < regreso, f"the server stopped after the timer was due: raise {DEMORA_POSTERGACION=}"

    direccion = arrancar()
    client = await conectar(direccion)
    handle = client.get_workflow_handle(workflow_id(pendiente_id))

    # No worker yet: the restarted server fires the stored timer by itself; nothing is applied yet.
    async def disparado() -> datetime | None:
        return (await _temporizadores(handle))[id_timer][1]

    disparo = await _hasta(disparado, DEMORA_POSTERGACION.total_seconds() + 30, "the timer never fired")
    assert disparo >= reiniciado
    assert [f.accion for f in await _historial(sessions, pendiente_id)][-1] == "postergar"

    async with build_worker(client, sessions, cola):

        async def reactivado() -> list[m.Historial]:
            filas = await _historial(sessions, pendiente_id)
            return filas if "reactivar" in [f.accion for f in filas] else []

        filas = await _hasta(reactivado, 30, "the pendiente never came back after the restart")
        # The workflow also still takes actions after the restart.
        comenzar = OrdenAccion(actor=personas.tecnicos[0])
        vivo = await Comandos(client, sessions, cola).ejecutar(pendiente_id, Accion.COMENZAR, comenzar)

    assert [f.accion for f in filas[:4]] == ["crear", "asignar", "postergar", "reactivar"]
    assert (filas[3].estado, filas[3].actor_nombre) == ("ASIGNADO", "sistema")
    assert vivo.estado == "EN_PROGRESO"
    # Back in an open state on its new date: if that Lima day ended meanwhile it is overdue too.
    despues = [f.accion for f in await _historial(sessions, pendiente_id)][4:]
    if "vencer" in despues:
        assert datetime.now(LIMA).date() > regreso.astimezone(LIMA).date(), despues
        despues.remove("vencer")
    assert despues == ["comenzar"]


async def test_la_escalada_sla_debida_con_el_servidor_parado_llega_una_sola_vez(
    servidor_en_archivo, sessions, demo
):
    """Every deadline is 20 s here. The server (and the worker) stop right after creation, stay down past
    the whole deadline, and come back: the stored timer fires and the workflow raises the one
    escalation due -- `sla_100` -- not the 50 % and 75 % ones it slept through."""
    arrancar, parar = servidor_en_archivo
    cola = "reinicio-sla"
    flujo = ConfigFlujo(sla_plazos=dict.fromkeys(PrioridadPendiente, 20))
    personas = await personas_demo(sessions)
    client = await conectar(arrancar())
    async with build_worker(client, sessions, cola):
        pendiente_id = await _pendiente(Comandos(client, sessions, cola, flujo=flujo), sessions, personas)
        creado = datetime.now(UTC)
        [(resumen, disparo)] = (
            await _temporizadores(client.get_workflow_handle(workflow_id(pendiente_id)))
        ).values()
        assert (resumen, disparo) == ("escalar_sla", None)
    parar()
    assert datetime.now(UTC) < creado + timedelta(seconds=10), "the server stopped after the 50 % mark"
    await asyncio.sleep((creado + timedelta(seconds=22) - datetime.now(UTC)).total_seconds())
    assert [f.accion for f in await _historial(sessions, pendiente_id)] == ["crear"]

    client = await conectar(arrancar())
    async with build_worker(client, sessions, cola):

        async def escalado() -> list[str]:
            acciones = [f.accion for f in await _historial(sessions, pendiente_id)]
            return acciones if len(acciones) > 1 else []

        assert await _hasta(escalado, 30, "no escalation after the restart") == ["crear", "sla_100"]
        async with sessions() as s:
            assert (await s.get(m.Pendiente, pendiente_id)).estado_sla == "INCUMPLIDO"
        await asyncio.sleep(1)
        assert [f.accion for f in await _historial(sessions, pendiente_id)] == ["crear", "sla_100"]
