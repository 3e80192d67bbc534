"""After a round: every answer against the historial, every Postgres row against its workflow.

lost        the client was told the change happened (2xx, or 200 from `data.resultado`) and no
            historial row carries its operation id
duplicated  an operation id on more than one historial row
refused yet written  a 4xx answer for a change that is in the historial
diverged    pendientes whose row and workflow disagree once the load is over: the reconciler's
            findings in report-only mode (desfase, sin_flujo, flujo_huerfano), plus our own
            comparison of estado, estadoTecnico, version, vencido and technician with the workflow's
            `estado` query
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError

from activities.reconciliacion import Reconciliador
from bench.caos.carga import Operacion
from contrato.mensajes import EstadoVivo, TipoHallazgo
from db import models as m
from domain.enums import EstadoPendiente
from infra.temporal import workflow_id

DIVERGENCIAS = {TipoHallazgo.DESFASE, TipoHallazgo.SIN_FLUJO, TipoHallazgo.FLUJO_HUERFANO}
CAMPOS = ("estado", "estado_tecnico", "seq", "vencido", "asignado_a")


@dataclass
class Verificacion:
    perdidas: list[str] = field(default_factory=list)
    duplicadas: list[str] = field(default_factory=list)
    escritas_rechazadas: list[str] = field(default_factory=list)
    tardias: int = 0  # no definite answer, yet written (an outcome the client could not learn)
    divergentes: dict[int, str] = field(default_factory=dict)
    no_verificables: dict[int, str] = field(default_factory=dict)
    reparados: int = 0
    tras_reparar: dict[int, str] = field(default_factory=dict)


async def esperar_quietud(
    sessions: async_sessionmaker[AsyncSession], ids: list[int], segundos: float
) -> None:
    """Until no pendiente of the round is postponed (its timer brings it back) and the historial has
    stopped growing for two seconds, or `segundos` have passed."""
    limite = time.monotonic() + segundos
    visto, desde = None, time.monotonic()
    while time.monotonic() < limite:
        try:
            async with sessions() as s:
                postergados = await s.scalar(
                    select(func.count()).where(
                        m.Pendiente.id.in_(ids), m.Pendiente.estado == EstadoPendiente.POSTERGADO
                    )
                )
                ultimo = await s.scalar(
                    select(func.count()).select_from(m.Historial).where(m.Historial.pendiente_id.in_(ids))
                )
        except Exception:  # Postgres coming back: wait for it like the rest
            await asyncio.sleep(0.5)
            continue
        if ultimo != visto:
            visto, desde = ultimo, time.monotonic()
        elif not postergados and time.monotonic() - desde >= 2:
            return
        await asyncio.sleep(0.5)


async def verificar(
    sessions: async_sessionmaker[AsyncSession],
    client: Client,
    task_queue: str,
    ops: list[Operacion],
    ids: list[int],
    reparar: bool = True,
) -> Verificacion:
    v = Verificacion()
    _contra_historial(v, ops, await _ids_escritos(sessions, ids, ops))
    await _contra_flujos(v, sessions, client, ids)
    reconciliador = Reconciliador(sessions, client, task_queue)
    informe = await reconciliador.revisar_todo(reparar=False)
    for h in informe.hallazgos:
        if h.pendiente_id not in ids:
            continue
        if h.tipo in DIVERGENCIAS:
            v.divergentes[h.pendiente_id] = f"{h.tipo}: {h.detalle}"
        else:
            v.no_verificables[h.pendiente_id] = h.detalle
    if reparar and (v.divergentes or v.no_verificables):
        informe = await reconciliador.revisar_todo(reparar=True)
        v.reparados = sum(h.reparado for h in informe.hallazgos if h.pendiente_id in ids)
        tras = Verificacion()
        await _contra_flujos(tras, sessions, client, ids)
        v.tras_reparar = tras.divergentes | tras.no_verificables
    return v


async def _ids_escritos(
    sessions: async_sessionmaker[AsyncSession], ids: list[int], ops: list[Operacion]
) -> Counter[str]:
    """How many historial rows carry each operation id (in `detalles`, where the motivo goes)."""
    if not ops:
        return Counter()
    prefijo = ops[0].id.split("-", 1)[0]
    patron = re.compile(rf"\b{re.escape(prefijo)}-(?:con_clave|sin_clave)-\d+-\d+(?!\d)")
    async with sessions() as s:
        detalles = await s.scalars(
            select(m.Historial.detalles).where(
                m.Historial.pendiente_id.in_(ids), m.Historial.detalles.is_not(None)
            )
        )
        return Counter(op_id for d in detalles for op_id in set(patron.findall(d)))


def _contra_historial(v: Verificacion, ops: list[Operacion], escritos: Counter[str]) -> None:
    for op in ops:
        veces = escritos.get(op.id, 0)
        if op.resultado in ("aplicada", "confirmada") and veces == 0:
            v.perdidas.append(f"{op.id} {op.accion} on {op.pendiente_id}: answered {op.estados}")
        if op.resultado == "rechazada" and veces:
            v.escritas_rechazadas.append(f"{op.id} {op.accion} on {op.pendiente_id}: answered {op.estados}")
        if op.resultado == "desconocido" and veces:
            v.tardias += 1
    v.duplicadas = sorted(f"{i} x{n}" for i, n in escritos.items() if n > 1)


async def _contra_flujos(
    v: Verificacion, sessions: async_sessionmaker[AsyncSession], client: Client, ids: list[int]
) -> None:
    """Each row against its workflow's `estado` query (a workflow that is not running, for an open row,
    is a divergence too)."""
    async with sessions() as s:
        filas = {f.id: f for f in await s.scalars(select(m.Pendiente).where(m.Pendiente.id.in_(ids)))}

    async def una(pendiente_id: int) -> None:
        fila = filas.get(pendiente_id)
        handle = client.get_workflow_handle(workflow_id(pendiente_id))
        try:
            descripcion = await handle.describe()
            if descripcion.status is not WorkflowExecutionStatus.RUNNING:
                if fila is not None and fila.estado != EstadoPendiente.FINALIZADO:
                    v.divergentes[pendiente_id] = f"workflow {descripcion.status.name}, row {fila.estado}"
                return
            vivo = await handle.query("estado", result_type=EstadoVivo | None)
        except RPCError as error:
            v.no_verificables[pendiente_id] = f"{type(error).__name__}: {error.status}"
            return
        except Exception as error:  # a query the worker could not answer
            v.no_verificables[pendiente_id] = type(error).__name__
            return
        diferencias = [
            f"{c}: postgres {getattr(fila, c, None)} · flujo {getattr(vivo, c, None)}"
            for c in CAMPOS
            if str(getattr(fila, c, None)) != str(getattr(vivo, c, None))
        ]
        if diferencias:
            v.divergentes[pendiente_id] = "; ".join(diferencias)

    await asyncio.gather(*(una(i) for i in ids))
