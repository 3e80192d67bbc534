"""`/api/reconciliaciones`: what the reconciler found between pendientes' rows and their workflows
(ops read it here, or in the Temporal UI as the result of each ReconciliadorWorkflow run)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from api.comun.deps import AdminDep, SessionDep
from api.comun.paginacion import Pagina, ParametrosPagina, paginar, parametros_pagina
from api.comun.respuesta import Respuesta, ok
from api.comun.tipos import Camel
from db import models as m

router = APIRouter(prefix="/api/reconciliaciones", tags=["operación"])
PaginaDep = Annotated[ParametrosPagina, Depends(parametros_pagina)]
ORDEN = {"fecha": m.Reconciliacion.fecha_creacion, "pendienteId": m.Reconciliacion.pendiente_id}
ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta el permiso ADMINISTRAR"},
}


class HallazgoResponse(Camel):
    id: int
    pendiente_id: int | None
    tipo: str
    detalle: str
    reparado: bool
    fecha: datetime


def _response(fila: m.Reconciliacion) -> HallazgoResponse:
    return HallazgoResponse(
        id=fila.id,
        pendiente_id=fila.pendiente_id,
        tipo=fila.tipo,
        detalle=fila.detalle,
        reparado=fila.reparado,
        fecha=fila.fecha_creacion,
    )


@router.get("", response_model=Respuesta[Pagina[HallazgoResponse]], responses=ERRORES)
async def listar(session: SessionDep, usuario: AdminDep, pagina: PaginaDep):
    """Solo ADMINISTRAR. Derivas encontradas por el reconciliador (la más reciente primero): `desfase`
    (fila y flujo no coinciden), `sin_flujo` (fila abierta sin flujo), `flujo_huerfano` (flujo de una
    fila eliminada); `reparado` dice si se corrigió hacia lo que Postgres tiene confirmado."""
    consulta = select(m.Reconciliacion)
    orden = m.Reconciliacion.fecha_creacion.desc()
    datos = await paginar(
        session, consulta, pagina, _response, ORDEN, orden, desempate=m.Reconciliacion.id.desc()
    )
    return ok(datos, "Hallazgos del reconciliador")
