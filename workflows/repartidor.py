"""RepartidorWorkflow: the one relay of the namespace (id REPARTIDOR_ID, started by every worker if it is
not running). It runs the REPARTIR activity again and again: each run hands the outbox's new events to
the deliveries for about half a minute, heartbeating, so a dead worker's run moves to another within
seconds. The workflow only gives that loop durability and a place in the Temporal UI."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from contrato import nombres
    from contrato.entregas import Reparto

# Runs of the activity per workflow run: a short history, continued as new.
VUELTAS = 100


@workflow.defn(name=nombres.FLUJO_REPARTIDOR)
class RepartidorWorkflow:
    @workflow.run
    async def run(self) -> None:
        eventos = 0
        for _ in range(VUELTAS):
            reparto = await workflow.execute_activity(
                nombres.REPARTIR,
                result_type=Reparto,
                start_to_close_timeout=timedelta(minutes=2),
                heartbeat_timeout=timedelta(seconds=15),
                # Postgres or Temporal down: keep trying, never give up (this is the only relay).
                retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=30)),
            )
            eventos += reparto.eventos
            workflow.set_current_details(f"{eventos} eventos repartidos en esta ejecución")
        workflow.continue_as_new()
