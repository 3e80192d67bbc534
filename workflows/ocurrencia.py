"""OcurrenciaRepetitivoWorkflow: one occurrence of a repeating work order, started by its Schedule
(`repetitivo-<id>`). Its one activity reserves the occurrence and creates its pendiente exactly once;
the workflow gives it retries and a line in the Temporal UI (which pendiente it made).

The occurrence is identified by the instant the Schedule planned (`TemporalScheduledStartTime`, set by
the Schedule on every run it starts, triggers and backfills included), so a retried run, a second
trigger of the same instant or the same backfill twice find the same reservation."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from contrato import nombres
    from contrato.repetitivos import Ocurrencia, ResultadoOcurrencia

PROGRAMADA = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")

_CREAR = dict(
    start_to_close_timeout=timedelta(minutes=2),
    # Postgres or Temporal briefly away: keep trying (the reservation makes every attempt the same one);
    # a refusal of the template's data is non-retryable and fails the run, visibly in the UI.
    retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
)


@workflow.defn(name=nombres.FLUJO_OCURRENCIA)
class OcurrenciaRepetitivoWorkflow:
    @workflow.run
    async def run(self, repetitivo_id: int, programada: datetime | None = None) -> ResultadoOcurrencia:
        """`programada` only when started by hand; a run of the Schedule reads its planned instant."""
        info = workflow.info()
        instante = programada or info.typed_search_attributes.get(PROGRAMADA) or info.workflow_start_time
        ocurrencia = Ocurrencia(repetitivo_id=repetitivo_id, programada=instante)
        resultado = await workflow.execute_activity(
            nombres.CREAR_OCURRENCIA, ocurrencia, result_type=ResultadoOcurrencia, **_CREAR
        )
        workflow.set_current_details(resultado.resumen())
        return resultado
