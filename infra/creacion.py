"""Starting a pendiente's workflow once its id is reserved: shared by the API's create
(api/pendientes/comandos.py) and by the occurrences of repeating work orders (activities/repetitivos.py),
which must not import the API.

Update-with-start with USE_EXISTING and REJECT_DUPLICATE: a retry joins the workflow already started for
that id, and a closed pendiente is never started again. The workflow's first act writes the row, so the
update answers once the row exists. Workflow and update are named by the contract, not imported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from contrato import nombres
from contrato.mensajes import EstadoVivo, InicioPendiente
from domain import sla
from domain.enums import EstadoPendiente
from domain.errores import Conflicto, NoDisponible, desde_workflow
from infra.temporal import workflow_id
from workflows import busqueda


async def iniciar_pendiente(
    client: Client, task_queue: str, inicio: InicioPendiente, timeout: timedelta
) -> EstadoVivo:
    """Start (or join) the workflow of the reserved pendiente and wait until its row is written.
    Refusals become our errors (domain.errores); no answer in time is NoDisponible (retry: same id)."""
    datos = inicio.datos
    # What the UI shows before the first change: the clock the workflow starts it with.
    plazo = inicio.config.sla_plazos[datos.prioridad]
    reloj = sla.iniciar(plazo, EstadoPendiente.REGISTRADO, datetime.now(UTC))
    inicial = EstadoVivo(
        pendiente_id=inicio.pendiente_id, tipo=datos.tipo, fecha_pendiente=datos.fecha_pendiente, sla=reloj
    )
    arranque = WithStartWorkflowOperation(
        nombres.FLUJO_PENDIENTE,
        inicio,
        id=workflow_id(inicio.pendiente_id),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        search_attributes=busqueda.al_iniciar(datos, inicial),
        static_summary=f"{datos.tipo} · cliente {datos.cliente_id} · {datos.lugar}",
    )
    try:
        return await client.execute_update_with_start_workflow(
            nombres.REGISTRAR,
            start_workflow_operation=arranque,
            id="registrar",
            result_type=EstadoVivo,
            rpc_timeout=timeout,
        )
    except WorkflowUpdateFailedError as error:
        raise desde_workflow(error) from None
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise NoDisponible("el motor de flujos no respondió a tiempo; reintente con la misma clave") from None
    except WorkflowAlreadyStartedError:
        raise Conflicto("este pendiente ya no se puede registrar de nuevo") from None
    except RPCError as error:
        if error.status is RPCStatusCode.ALREADY_EXISTS:
            raise Conflicto("este pendiente ya no se puede registrar de nuevo") from None
        raise NoDisponible("el motor de flujos no está disponible") from None
