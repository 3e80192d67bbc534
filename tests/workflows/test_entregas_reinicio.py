"""A delivery survives its worker: the worker (`python -m worker`, the real entry point, which also starts
the relay) is killed with SIGKILL while a delivery waits for its retry, and a new worker finishes it; an
event written while no worker runs is relayed and delivered, after the first, once one is back."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from contrato import nombres
from db import models as m
from domain.eventos import EstadoEntrega, TipoEvento
from tests.activities.receptor import Receptor, apartar_lo_anterior, firma_valida
from tests.activities.test_entregas import (
    crear_webhook,
    entregas_de,
    escribir_eventos,
    hasta,
    intentos_de,
    vista,
)


def _worker(settings, cola: str) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=settings.database_url, TEMPORAL_ADDRESS=settings.temporal_address)
    env |= {
        "TEMPORAL_TASK_QUEUE": cola,
        "ENVIRONMENT": "test",
        "SECRETS_KEY": settings.secrets_key.get_secret_value(),
        "WEBHOOK_TIMEOUT_SEGUNDOS": "2",
    }
    return subprocess.Popen([sys.executable, "-m", "worker"], env=env)


async def test_la_entrega_termina_tras_matar_el_worker_a_mitad_de_la_escalera(
    settings, temporal_env, sessions
):
    cola = f"entregas-reinicio-{uuid.uuid4().hex[:6]}"
    lugar = f"L-{uuid.uuid4().hex[:6]}"
    pendiente = uuid.uuid4().int % 10**8
    # The first attempt of each event fails; the retry succeeds.
    await apartar_lo_anterior(sessions)
    async with Receptor(lambda p, previas: 500 if previas == 0 else 200) as receptor:
        webhook_id, secreto = await crear_webhook(sessions, settings, receptor.url, filtro_lugares=[lugar])
        worker = _worker(settings, cola)
        try:
            [primero] = await escribir_eventos(
                sessions, [(TipoEvento.PENDIENTE_CREADO, pendiente, 1, vista(pendiente, lugar))]
            )

            async def fallido_una_vez():
                entregas = await entregas_de(sessions, webhook_id)
                return entregas[0] if entregas and entregas[0].intentos == 1 else None

            entrega = await hasta(fallido_una_vez, 60, "the first attempt")
            # Mid-ladder: the retry is scheduled and the worker dies before it is due.
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            assert datetime.now(UTC) < entrega.proximo_intento, "the kill came after the retry was due"
            [segundo] = await escribir_eventos(
                sessions,
                [(TipoEvento.PENDIENTE_ASIGNADO, pendiente, 2, vista(pendiente, lugar, estado="ASIGNADO"))],
            )
            await asyncio.sleep(1)
            assert receptor.aceptadas() == []

            worker = _worker(settings, cola)
            await hasta(lambda: len(receptor.aceptadas()) == 2, 90, "both events delivered after the restart")
        finally:
            worker.terminate()
            worker.wait()
            handle = temporal_env.client.get_workflow_handle(nombres.REPARTIDOR_ID)
            await handle.terminate("fin de la prueba")

    assert [p.id for p in receptor.aceptadas()] == [primero, segundo]
    assert [(p.id, p.status) for p in receptor.peticiones] == [
        (primero, 500),
        (primero, 200),
        (segundo, 500),
        (segundo, 200),
    ]
    assert all(firma_valida(secreto, p.cabeceras, p.cuerpo) for p in receptor.peticiones)
    entregas = await entregas_de(sessions, webhook_id)
    assert [(e.estado, e.intentos) for e in entregas] == [(EstadoEntrega.ENTREGADA, 2)] * 2
    assert [i.status for i in await intentos_de(sessions, entregas[0].id)] == [500, 200]
    async with sessions() as s:
        # The relay that handed out the second event ran on the new worker's queue.
        assert await s.scalar(select(m.Evento.despachado_en).where(m.Evento.id == segundo)) is not None
