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
    WorkflowExecutionStatus,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime
from temporalio.service import RPCError, RPCStatusCode

from contrato import nombres
from contrato.mensajes import ConfigFlujo
from domain.enums import PrioridadPendiente
from infra.config import Settings


def config_flujo(settings: Settings) -> ConfigFlujo:
    """The settings every new pendiente's workflow starts with."""
    horas = {
        PrioridadPendiente.MUY_URGENTE: settings.sla_horas_muy_urgente,
        PrioridadPendiente.URGENTE: settings.sla_horas_urgente,
        PrioridadPendiente.MEDIA: settings.sla_horas_media,
        PrioridadPendiente.BAJA: settings.sla_horas_baja,
    }
    return ConfigFlujo(
        retencion_cancelado=timedelta(days=settings.cancelado_retencion_dias),
        sla_plazos={prioridad: round(h * 3600) for prioridad, h in horas.items()},
    )


async def connect(settings: Settings, lazy: bool = False, runtime: Runtime | None = None) -> Client:
    """`runtime`: the worker's, with its metrics endpoint (infra/metricas.py); None: the SDK's default."""
    if not settings.temporal_address:
        raise RuntimeError("TEMPORAL_ADDRESS is not set (the runner sets it for the dev server)")
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        lazy=lazy,
        runtime=runtime,
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


async def asegurar_repartidor(client: Client, task_queue: str, id_: str = nombres.REPARTIDOR_ID) -> None:
    """Start the relay unless it runs. Every worker calls it at start; a second worker finds it running
    (USE_EXISTING) and does nothing. A relay left on another task queue (the setting changed) is moved."""
    handle = client.get_workflow_handle(id_)
    try:
        descripcion = await handle.describe()
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:
            raise
    else:
        if descripcion.status is WorkflowExecutionStatus.RUNNING and descripcion.task_queue != task_queue:
            with contextlib.suppress(RPCError):  # it ended meanwhile
                await handle.terminate(reason=f"el repartidor pasa a la cola {task_queue}")
    await client.start_workflow(
        nombres.FLUJO_REPARTIDOR,
        id=id_,
        task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        static_summary="reparte los eventos nuevos a los webhooks",
    )


async def avisar_entregas(client: Client, task_queue: str, webhook_id: int, clave: str) -> None:
    """Wake the deliveries of one subscription and ordering key, starting their workflow if it ended
    (signal-with-start). Call it AFTER committing what it must find (a redelivery set to PENDIENTE)."""
    await client.start_workflow(
        nombres.FLUJO_ENTREGAS,
        args=[webhook_id, clave],
        id=nombres.entregas_id(webhook_id, clave),
        task_queue=task_queue,
        start_signal=nombres.AVISO,
    )
