"""The local Temporal dev server as `make run` starts it: its history file is write-ahead logged, and
what it acknowledged survives the process being killed (-9) mid-burst."""

from __future__ import annotations

import sqlite3
import uuid

import pytest
from temporalio.service import RPCError

from tests.infra.temporal_en_archivo import ServidorEnArchivo, conectar


@pytest.fixture
def servidor(tmp_path):
    servidor = ServidorEnArchivo(tmp_path / "temporal.db")
    yield servidor
    servidor.cerrar()


async def test_el_servidor_local_guarda_su_historia_en_modo_wal(servidor):
    # The CLI once dropped --sqlite-pragma silently (temporalio/cli#681): read the file's own mode.
    await conectar(servidor.arrancar())
    with sqlite3.connect(servidor.archivo) as conexion:
        modo = conexion.execute("PRAGMA journal_mode").fetchone()[0]
    assert modo.lower() == "wal"


async def test_los_inicios_confirmados_sobreviven_a_matar_el_servidor(servidor):
    cliente = await conectar(servidor.arrancar())
    lote = uuid.uuid4().hex[:8]
    ids = [f"durable-{lote}-{n}" for n in range(25)]
    for workflow_id in ids:
        # No worker polls this queue: the start only has to be recorded, which is what the ack promises.
        await cliente.start_workflow("SinTrabajador", id=workflow_id, task_queue=f"nadie-{lote}")
    servidor.matar()

    cliente = await conectar(servidor.arrancar())
    perdidos = []
    for workflow_id in ids:
        try:
            await cliente.get_workflow_handle(workflow_id).describe()
        except RPCError:
            perdidos.append(workflow_id)
    assert perdidos == []
