"""The Temporal worker: runs PendienteWorkflow, the reconciler, the events-out workflows (the relay and
the deliveries) and the occurrences of repeating work orders, with their activities. `python -m worker`."""

from __future__ import annotations

import asyncio
import compileall
import logging
import signal
from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.worker import PollerBehaviorSimpleMaximum, UnsandboxedWorkflowRunner, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

import workflows
from activities.entregas import Entregador, Repartidor
from activities.persistencia import PersistenciaActivities
from activities.reconciliacion import Reconciliador
from activities.repetitivos import Repetitivos
from contrato.mensajes import ConfigFlujo
from db.engine import make_engine, make_session_factory
from infra import logs
from infra.config import Settings, get_settings
from infra.metricas import ContextoLogs, runtime_con_metricas
from infra.temporal import asegurar_reconciliador, asegurar_repartidor, config_flujo, connect
from workflows.entregas import EntregasWorkflow
from workflows.ocurrencia import OcurrenciaRepetitivoWorkflow
from workflows.pendiente import PendienteWorkflow
from workflows.reconciliador import ReconciliadorWorkflow
from workflows.repartidor import RepartidorWorkflow

log = logging.getLogger("worker")


def build_worker(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    task_queue: str,
    flujo: ConfigFlujo | None = None,
    settings: Settings | None = None,
    sandbox: bool = True,
    **opciones,
) -> Worker:
    """The worker with everything registered; `opciones` go to temporalio's Worker (tests tune caching).
    `settings` carries what deliveries need (the key of the webhook secrets, timeouts); without it they
    get the defaults and cannot sign, so they retry until a worker that can picks them up."""
    persistencia = PersistenciaActivities(sessions)
    reconciliador = Reconciliador(sessions, client, task_queue, flujo)
    repartidor = Repartidor(sessions, client, task_queue)
    entregador = Entregador(sessions, settings or Settings())
    repetitivos = Repetitivos(sessions, client, task_queue, flujo)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[
            PendienteWorkflow,
            ReconciliadorWorkflow,
            RepartidorWorkflow,
            EntregasWorkflow,
            OcurrenciaRepetitivoWorkflow,
        ],
        activities=[
            persistencia.registrar_pendiente,
            persistencia.aplicar_cambio,
            persistencia.cargar_actor,
            persistencia.leer_comprometido,
            reconciliador.reconciliar,
            repartidor.repartir,
            entregador.siguiente_entrega,
            entregador.entregar,
            repetitivos.crear_ocurrencia,
        ],
        graceful_shutdown_timeout=timedelta(seconds=10),
        workflow_runner=SandboxedWorkflowRunner() if sandbox else UnsandboxedWorkflowRunner(),
        interceptors=[ContextoLogs(), *opciones.pop("interceptors", [])],
        **opciones,
    )


def runtime(settings: Settings) -> Runtime | None:
    """The SDK runtime with the metrics endpoint of WORKER_METRICS_ADDRESS (None: empty, or the address is
    taken). A busy port costs the metrics, not the work: the worker runs, the scrape target shows down."""
    if not settings.worker_metrics_address:
        return None
    try:
        runtime = runtime_con_metricas(settings.worker_metrics_address)
    except ValueError as error:
        log.error("no metrics endpoint at %s: %s", settings.worker_metrics_address, error)
        return None
    log.info("metrics at http://%s/metrics", settings.worker_metrics_address)
    return runtime


def opciones(settings: Settings) -> dict[str, object]:
    """temporalio Worker options from the settings. The sticky cache (WORKER_WORKFLOW_CACHE): workflows kept
    in memory between their tasks; one evicted replays its whole history at its next task. The polls
    (WORKER_WORKFLOW_POLLS, WORKER_POLLS_TASK_QUEUE): how many workflow tasks can be fetched at once."""
    return {
        "max_cached_workflows": settings.worker_workflow_cache,
        "workflow_task_poller_behavior": PollerBehaviorSimpleMaximum(settings.worker_workflow_polls),
        "nonsticky_to_sticky_poll_ratio": settings.worker_polls_task_queue,
    }


def compilar_flujos() -> None:
    """The sandbox imports the workflow modules again for every workflow instance it builds (a new run,
    a cache miss). Without their bytecode on disk each import compiles the source anew; with
    PYTHONDONTWRITEBYTECODE (the Dockerfile, many shells) Python never writes it. Write it once here
    (an installed, read-only copy already has it from pip, and a failure only costs speed)."""
    compileall.compile_dir(Path(workflows.__file__).parent, quiet=2, force=False)


async def main(settings: Settings) -> None:
    if settings.worker_sandbox:
        compilar_flujos()
    # No pre-ping: activities retry a statement that fails on a dead connection.
    engine = make_engine(
        settings.database_url, settings.db_pool_size, pre_ping=False, max_overflow=settings.db_max_overflow
    )
    client = await connect(settings, runtime=runtime(settings))
    flujo = config_flujo(settings)
    sesiones = make_session_factory(engine)
    cola = settings.temporal_task_queue
    sandbox = settings.worker_sandbox
    worker = build_worker(client, sesiones, cola, flujo, settings, sandbox=sandbox, **opciones(settings))
    await asegurar_reconciliador(client, settings.temporal_task_queue, settings.reconciliador_minutos)
    await asegurar_repartidor(client, settings.temporal_task_queue)
    parar = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, parar.set)
    async with worker:
        log.info("worker listening on task queue %s", settings.temporal_task_queue)
        await parar.wait()
        log.info("worker stopping")
    await engine.dispose()


if __name__ == "__main__":
    configuracion = get_settings()
    logs.configurar(configuracion.formato_logs)
    asyncio.run(main(configuracion))
