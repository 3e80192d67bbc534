"""The Temporal client every process uses: one data converter (Pydantic) everywhere."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError

from contrato import nombres
from infra.config import Settings


async def connect(settings: Settings, lazy: bool = False) -> Client:
    if not settings.temporal_address:
        raise RuntimeError("TEMPORAL_ADDRESS is not set (the runner sets it for the dev server)")
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        lazy=lazy,
    )


def workflow_id(pendiente_id: int) -> str:
    return f"pendiente-{pendiente_id}"


PROGRAMA_RECONCILIADOR = "reconciliador"


async def asegurar_reconciliador(client: Client, task_queue: str, minutos: int) -> None:
    """Create (or bring up to date) the Schedule that runs the reconciler every `minutos`; 0 removes it.
    Every worker calls it at start: the Schedule is one per namespace whatever the number of workers."""
    handle = client.get_schedule_handle(PROGRAMA_RECONCILIADOR)
    if minutos == 0:
        with contextlib.suppress(RPCError):  # nothing to delete
            await handle.delete()
        return
    programa = Schedule(
        action=ScheduleActionStartWorkflow(
            nombres.FLUJO_RECONCILIADOR, True, id="reconciliador", task_queue=task_queue
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(minutes=minutos))]),
        # A slow round is never run twice at once; a missed one is simply skipped.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )
    try:
        await client.create_schedule(PROGRAMA_RECONCILIADOR, programa)
    except ScheduleAlreadyRunningError:
        await handle.update(lambda _: ScheduleUpdate(schedule=programa))
