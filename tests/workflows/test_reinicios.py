"""Crashes: the worker killed (SIGKILL) in the middle of a sequence of actions, and the Temporal
server stopped and started again on its database file. Nothing is lost, nothing is written twice."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from pendientes.comandos import Comandos
from pendientes.db import models as m
from pendientes.demo import personas_demo
from pendientes.domain.acciones import Accion
from pendientes.errores import NoDisponible
from pendientes.infra import comando_temporal_dev, esperar_puerto
from pendientes.worker import build_worker
from pendientes.workflows.mensajes import DatosPendiente, OrdenAccion


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    return subprocess.Popen([sys.executable, "-m", "pendientes.worker"], env=env)


async def _ejecutar_con_reintentos(comandos: Comandos, pendiente_id: int, accion: Accion, orden: OrdenAccion):
    """What a careful client does: on a timeout, retry with the same idempotency key."""
    for _ in range(10):
        try:
            return await comandos.ejecutar(pendiente_id, accion, orden)
        except NoDisponible:
            await asyncio.sleep(0.5)
    raise AssertionError(f"{accion} never completed")


async def test_matar_el_worker_no_pierde_ni_duplica_historial(settings, temporal_env, sessions, demo):
    cola = f"reinicio-{uuid.uuid4().hex[:6]}"
    comandos = Comandos(temporal_env.client, sessions, cola, timeout=timedelta(seconds=5))
    personas = await personas_demo(sessions)
    tecnico = personas.tecnicos[0]
    worker = _worker(settings, cola)
    try:
        pendiente_id = await _pendiente(comandos, sessions, personas)
        orden = OrdenAccion(actor=personas.actores["coordinadora"], tecnico_id=tecnico.empleado_id)
        await _ejecutar_con_reintentos(comandos, pendiente_id, Accion.ASIGNAR, orden)
        pasos = [Accion.COMENZAR] + [Accion.PAUSAR, Accion.CONTINUAR] * 6
        for i, accion in enumerate(pasos):
            orden = OrdenAccion(actor=tecnico, clave=f"paso-{i}")
            en_curso = asyncio.create_task(_ejecutar_con_reintentos(comandos, pendiente_id, accion, orden))
            if i in (3, 8):
                # While an action is in flight: no goodbye, no graceful shutdown.
                await asyncio.sleep(0.005 * i)
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                worker = _worker(settings, cola)
            await en_curso
    finally:
        worker.terminate()
        worker.wait()

    filas = await _historial(sessions, pendiente_id)
    assert [f.seq for f in filas] == list(range(len(pasos) + 2))
    assert [f.accion for f in filas] == ["crear", "asignar", *[a.value for a in pasos]]
    async with sessions() as s:
        assert (await s.get(m.Pendiente, pendiente_id)).seq == len(pasos) + 1


@pytest.fixture
def servidor_en_archivo(tmp_path):
    """A dev server on its own ports and database file, restartable."""
    puerto = _puerto_libre()
    comando = comando_temporal_dev(puerto, None, tmp_path / "temporal.db")
    procesos: list[subprocess.Popen] = []

    def arrancar() -> str:
        proceso = subprocess.Popen(comando, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procesos.append(proceso)
        esperar_puerto(puerto, 30, proceso)
        return f"127.0.0.1:{puerto}"

    def parar() -> None:
        procesos[-1].terminate()
        procesos[-1].wait(timeout=20)

    yield arrancar, parar
    for proceso in procesos:
        if proceso.poll() is None:
            proceso.kill()


async def test_el_servidor_reiniciado_conserva_flujos_y_plazos(servidor_en_archivo, sessions, demo):
    arrancar, parar = servidor_en_archivo
    cola = "reinicio-servidor"
    personas = await personas_demo(sessions)
    direccion = arrancar()
    client = await Client.connect(direccion, data_converter=pydantic_data_converter)
    comandos = Comandos(client, sessions, cola)
    async with build_worker(client, sessions, cola):
        pendiente_id = await _pendiente(comandos, sessions, personas)
        coordinadora = personas.actores["coordinadora"]
        asignar = OrdenAccion(actor=coordinadora, tecnico_id=personas.tecnicos[0].empleado_id)
        await comandos.ejecutar(pendiente_id, Accion.ASIGNAR, asignar)
        en_un_rato = datetime.now(UTC) + timedelta(seconds=6)
        postergar = OrdenAccion(actor=coordinadora, nueva_fecha=en_un_rato, motivo="reinicio")
        await comandos.ejecutar(pendiente_id, Accion.POSTERGAR, postergar)
    parar()

    direccion = arrancar()
    client = await Client.connect(direccion, data_converter=pydantic_data_converter)
    async with build_worker(client, sessions, cola):
        for _ in range(300):
            filas = await _historial(sessions, pendiente_id)
            if filas[-1].accion == "reactivar":
                break
            await asyncio.sleep(0.1)
        # The workflow also still takes actions after the restart.
        comenzar = OrdenAccion(actor=personas.tecnicos[0])
        vivo = await Comandos(client, sessions, cola).ejecutar(pendiente_id, Accion.COMENZAR, comenzar)

    assert [f.accion for f in filas] == ["crear", "asignar", "postergar", "reactivar"]
    assert filas[-1].estado == "ASIGNADO"
    assert vivo.estado == "EN_PROGRESO"
