"""The reads of the operators' endpoints: the reconciler's findings, and whether Postgres answers."""

from __future__ import annotations

import asyncio

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.comun.paginacion import Pagina, ParametrosPagina, paginar
from api.operaciones.esquemas import HallazgoResponse
from db import models as m

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
