"""`/api/reconciliaciones`: what the reconciler found between pendientes' rows and their workflows
(ops read it here, or in the Temporal UI as the result of each ReconciliadorWorkflow run)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.comun.deps import AdminDep, SessionDep
from api.comun.paginacion import Pagina, ParametrosPagina, parametros_pagina
from api.comun.respuesta import Respuesta, ok
from api.operaciones import servicio
from api.operaciones.esquemas import HallazgoResponse

router = APIRouter(prefix="/api/reconciliaciones", tags=["operación"])
PaginaDep = Annotated[ParametrosPagina, Depends(parametros_pagina)]
ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta el permiso ADMINISTRAR"},
}


@router.get("", response_model=Respuesta[Pagina[HallazgoResponse]], responses=ERRORES)
async def listar(session: SessionDep, usuario: AdminDep, pagina: PaginaDep):
    """Solo ADMINISTRAR. Derivas encontradas por el reconciliador (la más reciente primero): `desfase`
    (fila y flujo no coinciden), `sin_flujo` (fila abierta sin flujo), `flujo_huerfano` (flujo de una
    fila eliminada); `reparado` dice si se corrigió hacia lo que Postgres tiene confirmado."""
    return ok(await servicio.hallazgos(session, pagina), "Hallazgos del reconciliador")
