"""EntregasWorkflow: the deliveries of one subscription and one ordering key (the events of one
pendiente, or of one client), one at a time, in event order. A failed delivery is retried along the
ladder (domain.eventos.ESCALERA, with jitter) with durable timers, and the key's later deliveries wait
for it: a receiver sees a pendiente's events in seq order. Other keys have their own workflows, so one
pendiente stuck on retries does not hold back another.

Its activities are local (they run in this worker, recorded as markers): a delivery costs the engine
a workflow task, not an activity task's round trips — the engine is what a burst of events saturates.
It keeps nothing but the attempt count of the delivery in hand: what is waiting is read from Postgres
(SIGUIENTE_ENTREGA), so a wake-up (AVISO) carries no data and a duplicate one costs a read. With nothing
left it waits a little for a wake-up and ends; the next event starts it again (signal-with-start)."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from contrato import nombres
    from contrato.entregas import ClaveEntregas, Desenlace, OrdenEntrega, ResultadoEntrega

# With nothing to deliver, how long the workflow stays for another event before it ends.
ESPERA_AVISO = timedelta(minutes=1)
# Deliveries per run before continuing as new (each retry adds a timer and an activity to the history).
ENTREGAS_POR_EJECUCION = 200
# Infrastructure failures only (Postgres down, the worker lost): a receiver's failure is a result, and
# its retries follow the ladder in the workflow, never this policy.
REINTENTOS_INFRA = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))


@workflow.defn(name=nombres.FLUJO_ENTREGAS)
class EntregasWorkflow:
    def __init__(self) -> None:
        self._avisos = 0

    @workflow.signal(name=nombres.AVISO)
    def aviso(self) -> None:
        self._avisos += 1

    @workflow.run
    async def run(self, webhook_id: int, clave: str) -> int:
        cola = ClaveEntregas(webhook_id=webhook_id, clave=clave)
        hechas = 0
        while True:
            visto = self._avisos
            entrega_id = await workflow.execute_local_activity(
                nombres.SIGUIENTE_ENTREGA,
                cola,
                result_type=int | None,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=REINTENTOS_INFRA,
            )
            if entrega_id is None:
                if await self._aviso_despues_de(visto):
                    continue
                # A wake-up arriving while this completes fails the completion: Temporal hands the task
                # back with the signal, and the replayed loop finds it and reads Postgres again.
                return hechas
            hechas += await self._entregar(entrega_id)
            if hechas >= ENTREGAS_POR_EJECUCION or workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(args=[webhook_id, clave])

    async def _aviso_despues_de(self, visto: int) -> bool:
        """Whether a wake-up came after `visto` within ESPERA_AVISO."""
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(lambda: self._avisos > visto, timeout=ESPERA_AVISO)
        return self._avisos > visto

    async def _entregar(self, entrega_id: int) -> int:
        """Attempt one delivery until it is settled: delivered, failed for good, or discarded; each
        ENTREGAR run goes on with the queue's next deliveries while they are accepted, so the one it
        stops at (which the answer names) is the one retried. Returns how many were delivered."""
        intento, entregadas = 1, 0
        while True:
            workflow.set_current_details(f"entrega {entrega_id}: intento {intento}")
            resultado = await workflow.execute_local_activity(
                nombres.ENTREGAR,
                OrdenEntrega(entrega_id=entrega_id, intento=intento),
                result_type=ResultadoEntrega,
                # A run stops taking new deliveries after 5 s; one more HTTP attempt (10 s by default) fits.
                start_to_close_timeout=timedelta(seconds=45),
                retry_policy=REINTENTOS_INFRA,
            )
            entregadas += resultado.entregadas
            if resultado.entrega_id not in (None, entrega_id):
                # The run delivered the one in hand and stopped at a later one: its first attempt is done.
                entrega_id, intento = resultado.entrega_id, 1
            if resultado.estado != Desenlace.REINTENTAR:
                return max(entregadas, 1)
            espera = timedelta(seconds=resultado.espera_segundos or 0)
            await workflow.sleep(espera, summary=f"reintento {intento + 1} de la entrega {entrega_id}")
            intento += 1
