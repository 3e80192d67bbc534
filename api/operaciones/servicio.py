"""The reads of the operators' endpoints: the reconciler's findings, whether Postgres answers, and the
business gauges /metrics shows."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.comun.paginacion import Pagina, ParametrosPagina, paginar
from api.operaciones.esquemas import HallazgoResponse
from db import models as m
from domain.acciones import ESTADOS_CERRADOS
from domain.enums import EstadoPendiente, EstadoSla
from domain.eventos import EstadoEntrega

ORDEN_HALLAZGOS = {"fecha": m.Reconciliacion.fecha_creacion, "pendienteId": m.Reconciliacion.pendiente_id}


def _hallazgo(fila: m.Reconciliacion) -> HallazgoResponse:
    return HallazgoResponse(
        id=fila.id,
        pendiente_id=fila.pendiente_id,
        tipo=fila.tipo,
        detalle=fila.detalle,
        reparado=fila.reparado,
        fecha=fila.fecha_creacion,
    )


async def hallazgos(session: AsyncSession, pagina: ParametrosPagina) -> Pagina[HallazgoResponse]:
    """One page of findings, the most recent first unless `sort` says otherwise."""
    orden = m.Reconciliacion.fecha_creacion.desc()
    consulta = select(m.Reconciliacion)
    return await paginar(
        session, consulta, pagina, _hallazgo, ORDEN_HALLAZGOS, orden, desempate=m.Reconciliacion.id.desc()
    )


async def postgres_responde(sessions: async_sessionmaker[AsyncSession], segundos: float = 3) -> bool:
    """A trivial query answered within `segundos`; any failure is a no (the health check reveals nothing
    else)."""
    try:
        async with sessions() as session:
            await asyncio.wait_for(session.execute(text("SELECT 1")), timeout=segundos)
        return True
    except Exception:
        return False


@dataclass
class Negocio:
    """What a scrape shows of the work itself. Open: not soft-deleted, not FINALIZADO or CANCELADO."""

    abiertos: dict[EstadoPendiente, int] = field(default_factory=dict)  # every open estado, 0 included
    vencidos: int = 0  # open and past their work date (`vencido`)
    sla_incumplidos: int = 0  # open and past their resolution deadline (`estado_sla` INCUMPLIDO)
    entregas_pendientes: int = 0  # webhook deliveries waiting for their (next) attempt


async def negocio(session: AsyncSession) -> Negocio:
    """Two aggregate queries: one pass over the open pendientes, one count of the waiting deliveries."""
    P = m.Pendiente
    filas = await session.execute(
        select(
            P.estado,
            func.count(),
            func.count().filter(P.vencido),
            func.count().filter(P.estado_sla == EstadoSla.INCUMPLIDO),
        )
        .where(P.vigente, P.estado.not_in(ESTADOS_CERRADOS))
        .group_by(P.estado)
    )
    resultado = Negocio(abiertos={e: 0 for e in EstadoPendiente if e not in ESTADOS_CERRADOS})
    for estado, total, vencidos, incumplidos in filas:
        resultado.abiertos[estado] = total
        resultado.vencidos += vencidos
        resultado.sla_incumplidos += incumplidos
    espera = select(func.count()).where(m.Entrega.estado == EstadoEntrega.PENDIENTE)
    resultado.entregas_pendientes = await session.scalar(espera) or 0
    return resultado
