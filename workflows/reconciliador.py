"""ReconciliadorWorkflow: started by a Temporal Schedule (or by hand from the UI), it compares every
open pendiente's row with its workflow and repairs drift towards the committed record. The work is one
activity; the workflow gives it durability, retries and a place in the Temporal UI."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from contrato import nombres
    from contrato.mensajes import InformeReconciliacion

# Name used by the Schedule and recorded in histories: never rename.
NOMBRE = nombres.FLUJO_RECONCILIADOR


@workflow.defn(name=NOMBRE)
class ReconciliadorWorkflow:
    @workflow.run
    async def run(self, reparar: bool = True) -> InformeReconciliacion:
        informe = await workflow.execute_activity(
            nombres.RECONCILIAR,
            reparar,
            result_type=InformeReconciliacion,
            start_to_close_timeout=timedelta(minutes=30),
            retry_policy=RetryPolicy(maximum_attempts=3),
        )
        workflow.set_current_details(informe.resumen())
        return informe
