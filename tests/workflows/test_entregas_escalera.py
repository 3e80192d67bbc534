"""EntregasWorkflow alone, on the time-skipping server: its two (local) activities replaced BY NAME with
fakes that keep in memory what they were asked and when (server time, which the test server skips ahead).

What a receiver depends on here: a delivery that keeps failing is attempted again at the waits the
delivery activity asks for, at least 8 times over at least 27 hours (more than the peer), and only then
given up; the next event of the same key waits until then and goes right after; a wake-up while idle
delivers what arrived; with nothing left the workflow ends, and a wake-up starts it again."""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus
from temporalio.worker import Worker

from contrato import nombres
from contrato.entregas import ClaveEntregas, Desenlace, OrdenEntrega, ResultadoEntrega
from domain.eventos import INTENTOS_MAXIMOS, espera_antes_del_intento
from infra.temporal import avisar_entregas
from workflows.entregas import EntregasWorkflow

FALLA_SIEMPRE = 1
SIGUIENTE_DE_LA_CLAVE = 2


@dataclass
class Receptor:
    """The two activities. `pendientes` are the waiting deliveries in event order; entrega 1's receiver
    always fails (the activity answers as the real one does: wait along the ladder, FALLIDA at the end),
    every other one answers 2xx."""

    # The test server's clock (which skips ahead): the activities are local, they run in this process.
    reloj: Callable[[], Awaitable[datetime]] | None = None
    pendientes: list[int] = field(default_factory=list)
    intentos: list[tuple[int, int, datetime]] = field(default_factory=list)
    esperas: list[float] = field(default_factory=list)

    @activity.defn(name=nombres.SIGUIENTE_ENTREGA)
    async def siguiente_entrega(self, cola: ClaveEntregas) -> int | None:
        return self.pendientes[0] if self.pendientes else None

    @activity.defn(name=nombres.ENTREGAR)
    async def entregar(self, orden: OrdenEntrega) -> ResultadoEntrega:
        self.intentos.append((orden.entrega_id, orden.intento, await self.reloj()))
        if orden.entrega_id != FALLA_SIEMPRE:
            self.pendientes.remove(orden.entrega_id)
            return ResultadoEntrega(estado=Desenlace.ENTREGADA, status=200)
        if orden.intento >= INTENTOS_MAXIMOS:
            self.pendientes.remove(orden.entrega_id)
            return ResultadoEntrega(estado=Desenlace.FALLIDA, status=500)
        espera = espera_antes_del_intento(orden.intento + 1, random.random()).total_seconds()
        self.esperas.append(espera)
        return ResultadoEntrega(estado=Desenlace.REINTENTAR, espera_segundos=espera, status=500)


@pytest.fixture
async def receptor(entorno):
    fakes = Receptor(reloj=entorno.get_current_time)
    cola = f"entregas-{uuid.uuid4().hex[:8]}"
    worker = Worker(
        entorno.client,
        task_queue=cola,
        workflows=[EntregasWorkflow],
        activities=[fakes.siguiente_entrega, fakes.entregar],
    )
    async with worker:
        yield fakes, cola


async def _despertar(entorno, cola: str, webhook_id: int, clave: str):
    """What infra.temporal.avisar_entregas does (signal-with-start), keeping the handle of the run."""
    return await entorno.client.start_workflow(
        EntregasWorkflow.run,
        args=[webhook_id, clave],
        id=nombres.entregas_id(webhook_id, clave),
        task_queue=cola,
        start_signal=nombres.AVISO,
    )


async def test_la_escalera_reintenta_mas_de_27_horas_y_la_siguiente_espera(entorno, receptor):
    fakes, cola = receptor
    fakes.pendientes = [FALLA_SIEMPRE, SIGUIENTE_DE_LA_CLAVE]
    webhook_id = uuid.uuid4().int % 10**6
    handle = await _despertar(entorno, cola, webhook_id, "pendiente-7")

    # Time skips through the whole ladder; the workflow ends a minute after its queue is empty.
    assert await handle.result() == 2

    fallidos = [(i, t) for e, i, t in fakes.intentos if e == FALLA_SIEMPRE]
    assert [i for i, _ in fallidos] == list(range(1, INTENTOS_MAXIMOS + 1))
    assert len(fallidos) >= 8
    assert fallidos[-1][1] - fallidos[0][1] >= timedelta(hours=27)
    # Each attempt came when the activity asked for it (timer granularity: a second).
    for (_, antes), (_, despues), espera in zip(fallidos[:-1], fallidos[1:], fakes.esperas, strict=True):
        assert abs((despues - antes).total_seconds() - espera) < 2, (antes, despues, espera)
    # The first retry is seconds away, the last ones hours: a backoff, not a fixed interval.
    assert fakes.esperas[0] < 10 and fakes.esperas[-1] > 5 * 3600
    # The key's next event went only once the first one was given up, and right after.
    [(intento, siguiente)] = [(i, t) for e, i, t in fakes.intentos if e == SIGUIENTE_DE_LA_CLAVE]
    assert intento == 1
    assert timedelta(0) <= siguiente - fallidos[-1][1] < timedelta(seconds=5)


async def test_un_aviso_despierta_al_flujo_y_otro_lo_vuelve_a_iniciar(entorno, receptor):
    fakes, cola = receptor
    webhook_id = uuid.uuid4().int % 10**6
    fakes.pendientes = [10]
    handle = await _despertar(entorno, cola, webhook_id, "cliente-3")
    # Idle now: a new delivery and its wake-up, within the minute it waits, go in the same run.
    primera = (await handle.describe()).run_id
    fakes.pendientes.append(11)
    await avisar_entregas(entorno.client, cola, webhook_id, "cliente-3")
    assert await handle.result() == 2
    assert [e for e, _, _ in fakes.intentos] == [10, 11]
    assert (await handle.describe()).run_id == primera

    # Ended: the next wake-up starts a new run that delivers.
    fakes.pendientes.append(12)
    nueva = await _despertar(entorno, cola, webhook_id, "cliente-3")
    assert await nueva.result() == 1
    assert (await nueva.describe()).run_id != primera
    assert (await nueva.describe()).status == WorkflowExecutionStatus.COMPLETED
    assert [e for e, _, _ in fakes.intentos] == [10, 11, 12]
