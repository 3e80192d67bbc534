"""The reconciler: every open pendiente's row against its workflow (state, version, flags, the UI's
search attributes). Drift is recorded in `reconciliaciones` and, when asked, repaired towards the
committed record: the workflow adopts Postgres (`sincronizar`), an open row without a running workflow
gets a new run started from Postgres, a running workflow whose row was deleted adopts the deletion."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from activities.persistencia import registro_comprometido
from contrato import nombres
from contrato.mensajes import (
    SISTEMA,
    ConfigFlujo,
    EstadoVivo,
    Hallazgo,
    InformeReconciliacion,
    InicioPendiente,
    TipoHallazgo,
)
from db import models as m
from domain.enums import EstadoPendiente
from infra.temporal import workflow_id
from workflows import busqueda

PARALELO = 8
ESPERA_RPC = timedelta(seconds=10)
_CAMPOS = ("estado", "estado_tecnico", "seq", "vencido", "asignado_a")


class Reconciliador:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        client: Client,
        task_queue: str,
        flujo: ConfigFlujo | None = None,
    ) -> None:
        self._sessions = sessions
        self._client = client
        self._task_queue = task_queue
        self._flujo = flujo or ConfigFlujo()

    @activity.defn(name=nombres.RECONCILIAR)
    async def reconciliar(self, reparar: bool) -> InformeReconciliacion:
        return await self.revisar_todo(reparar)

    async def revisar_todo(self, reparar: bool) -> InformeReconciliacion:
        async with self._sessions() as s:
            filas = list(await s.execute(select(m.Pendiente.id, m.Pendiente.estado, m.Pendiente.vigente)))
        corriendo = await self._flujos_en_ejecucion()
        # Closed rows need no workflow; a deleted or archived one matters only if its workflow still runs.
        candidatas = [
            f.id
            for f in filas
            if f.estado != EstadoPendiente.FINALIZADO
            and (workflow_id(f.id) in corriendo or (f.vigente and f.estado != EstadoPendiente.CANCELADO))
        ]
        limite = asyncio.Semaphore(PARALELO)

        async def revisar(pendiente_id: int) -> Hallazgo | None:
            async with limite:
                try:
                    return await self._revisar(pendiente_id, reparar)
                except (RPCError, WorkflowQueryFailedError, WorkflowUpdateFailedError) as error:
                    # One pendiente that cannot be checked (no worker on its queue, a stuck task)
                    # is a finding of its own, never the end of the round.
                    detalle = f"no se pudo comparar: {type(error).__name__}"
                    return Hallazgo(
                        pendiente_id=pendiente_id, tipo=TipoHallazgo.NO_VERIFICABLE, detalle=detalle
                    )

        hallazgos = [h for h in await asyncio.gather(*map(revisar, candidatas)) if h is not None]
        await self._anotar(hallazgos)
        return InformeReconciliacion(revisados=len(candidatas), hallazgos=hallazgos)

    async def _flujos_en_ejecucion(self) -> set[str]:
        consulta = f'WorkflowType = "{nombres.FLUJO_PENDIENTE}" AND ExecutionStatus = "Running"'
        return {w.id async for w in self._client.list_workflows(consulta)}

    async def _fila(self, pendiente_id: int) -> m.Pendiente:
        async with self._sessions() as s:
            return await s.get(m.Pendiente, pendiente_id)

    async def _revisar(self, pendiente_id: int, reparar: bool) -> Hallazgo | None:
        handle = self._client.get_workflow_handle(workflow_id(pendiente_id))
        try:
            descripcion = await handle.describe(rpc_timeout=ESPERA_RPC)
        except RPCError as error:
            if error.status is not RPCStatusCode.NOT_FOUND:
                raise
            descripcion = None
        fila = await self._fila(pendiente_id)
        if descripcion is None or descripcion.status is not WorkflowExecutionStatus.RUNNING:
            return await self._sin_flujo(fila, reparar)
        diferencias = await self._diferencias(handle, fila, descripcion)
        if not diferencias:
            return None
        tipo = TipoHallazgo.DESFASE if fila.vigente else TipoHallazgo.FLUJO_HUERFANO
        if not reparar:
            # A change in flight looks like drift for a moment: report only what persists.
            await asyncio.sleep(1)
            fila = await self._fila(pendiente_id)
            diferencias = await self._diferencias(handle, fila, await handle.describe())
            return (
                Hallazgo(pendiente_id=pendiente_id, tipo=tipo, detalle=diferencias) if diferencias else None
            )
        # Under the workflow's lock: False means a change was in flight, not drift.
        if not await handle.execute_update(nombres.SINCRONIZAR, result_type=bool, rpc_timeout=ESPERA_RPC):
            return None
        return Hallazgo(pendiente_id=pendiente_id, tipo=tipo, detalle=diferencias, reparado=True)

    async def _diferencias(self, handle, fila: m.Pendiente, descripcion) -> str:
        vivo = await handle.query(nombres.ESTADO, result_type=EstadoVivo | None, rpc_timeout=ESPERA_RPC)
        partes = [
            f"{campo}: postgres {getattr(fila, campo)} · flujo {getattr(vivo, campo, None)}"
            for campo in _CAMPOS
            if str(getattr(fila, campo)) != str(getattr(vivo, campo, None))
        ]
        if not fila.vigente:
            partes.append("la fila está eliminada y el flujo sigue")
        en_ui = descripcion.typed_search_attributes.get(busqueda.ESTADO)
        if en_ui != fila.estado:
            partes.append(f"Estado en la UI: {en_ui} · postgres {fila.estado}")
        return "; ".join(partes)

    async def _sin_flujo(self, fila: m.Pendiente, reparar: bool) -> Hallazgo | None:
        if not fila.vigente or fila.estado in (EstadoPendiente.FINALIZADO, EstadoPendiente.CANCELADO):
            return None  # closed, deleted or archived: no workflow is expected
        hallazgo = Hallazgo(
            pendiente_id=fila.id,
            tipo=TipoHallazgo.SIN_FLUJO,
            detalle=f"fila {fila.estado} v{fila.seq} abierta sin flujo en ejecución",
        )
        if reparar:
            await self._relanzar(fila.id)
            hallazgo.reparado = True
        return hallazgo

    async def _relanzar(self, pendiente_id: int) -> None:
        """A new run of the pendiente's workflow that starts from what Postgres committed."""
        async with self._sessions() as s:
            comprometido = await registro_comprometido(s, await s.get(m.Pendiente, pendiente_id))
        inicio = InicioPendiente(
            pendiente_id=pendiente_id,
            datos=comprometido.datos,
            actor=SISTEMA,
            config=self._flujo,
            vivo=comprometido.vivo,
        )
        await self._client.start_workflow(
            nombres.FLUJO_PENDIENTE,
            inicio,
            id=workflow_id(pendiente_id),
            task_queue=self._task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            search_attributes=busqueda.al_iniciar(
                comprometido.datos, comprometido.vivo, comprometido.nombres_etiquetas
            ),
            static_summary=f"{comprometido.datos.tipo} · relanzado por el reconciliador",
        )

    async def _anotar(self, hallazgos: list[Hallazgo]) -> None:
        if not hallazgos:
            return
        async with self._sessions.begin() as s:
            await s.execute(
                insert(m.Reconciliacion),
                [
                    h.model_dump(mode="json", include={"pendiente_id", "tipo", "detalle", "reparado"})
                    for h in hallazgos
                ],
            )
