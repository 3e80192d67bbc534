"""The local Temporal dev server as `make run` starts it: its history file is write-ahead logged, and
what it acknowledged survives the process being killed (-9) mid-burst."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import uuid

import pytest
from temporalio.client import Client
from temporalio.service import RPCError

from infra.local import comando_temporal_dev, esperar_puerto

pytestmark = pytest.mark.asyncio


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _conectar(direccion: str) -> Client:
    """The port opens before the frontend answers; on a loaded machine the gap outlasts one try."""
    reloj = asyncio.get_running_loop()
    limite = reloj.time() + 60
    while True:
        try:
            return await Client.connect(direccion)
        except RuntimeError:
            if reloj.time() > limite:
                raise
            await asyncio.sleep(0.5)


@pytest.fixture
def servidor(tmp_path):
    puerto = _puerto_libre()
    archivo = tmp_path / "temporal.db"
    comando = comando_temporal_dev(puerto, None, archivo)
    procesos: list[subprocess.Popen] = []

    def arrancar() -> str:
        proceso = subprocess.Popen(comando, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procesos.append(proceso)
        esperar_puerto(puerto, 30, proceso)
        return f"127.0.0.1:{puerto}"

    def matar() -> None:
        os.kill(procesos[-1].pid, signal.SIGKILL)
        procesos[-1].wait(timeout=10)

    yield archivo, arrancar, matar
    for proceso in procesos:
        if proceso.poll() is None:
            proceso.kill()


async def test_el_servidor_local_guarda_su_historia_en_modo_wal(servidor):
    # The CLI once dropped --sqlite-pragma silently (temporalio/cli#681): read the file's own mode.
    archivo, arrancar, _ = servidor
    await _conectar(arrancar())
    with sqlite3.connect(archivo) as conexion:
        modo = conexion.execute("PRAGMA journal_mode").fetchone()[0]
    assert modo.lower() == "wal"


async def test_los_inicios_confirmados_sobreviven_a_matar_el_servidor(servidor):
    _, arrancar, matar = servidor
    cliente = await _conectar(arrancar())
    lote = uuid.uuid4().hex[:8]
    ids = [f"durable-{lote}-{n}" for n in range(25)]
    for workflow_id in ids:
        # No worker polls this queue: the start only has to be recorded, which is what the ack promises.
        await cliente.start_workflow("SinTrabajador", id=workflow_id, task_queue=f"nadie-{lote}")
    matar()

    cliente = await _conectar(arrancar())
    perdidos = []
    for workflow_id in ids:
        try:
            await cliente.get_workflow_handle(workflow_id).describe()
        except RPCError:
            perdidos.append(workflow_id)
    assert perdidos == []
