"""`/app/app-version`: the mobile app's published versions. As in the original, successful answers are
raw JSON (no envelope); errors use the same envelope as every other route.

The two GETs are public (the app asks before its user logs in). Publishing a version forces every
installed app to update, so POST needs ADMINISTRAR (defect 21: the original let anyone do it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.catalogo import servicio
from api.catalogo.esquemas import SIN_NUL, AppVersionCrear, AppVersionResponse
from api.comun.deps import AdminDep, SessionDep
from api.comun.paginacion import Pagina, ParametrosPagina, parametros_pagina
from api.comun.respuesta import Respuesta

router = APIRouter(prefix="/app/app-version", tags=["app-version"])

ERRORES = {
    404: {"model": Respuesta[dict], "description": "No hay versiones publicadas"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
}
ERRORES_POST = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta el permiso ADMINISTRAR"},
    422: ERRORES[422],
}

PaginaDep = Annotated[ParametrosPagina, Depends(parametros_pagina)]
PlataformaQ = Annotated[
    str | None,
    Query(max_length=20, pattern=SIN_NUL, description="ANDROID, IOS, ... (sin distinguir mayúsculas)"),
]


@router.get("/vigentes", response_model=Pagina[AppVersionResponse], responses=ERRORES)
async def vigentes(session: SessionDep, pagina: PaginaDep):
    """Público. Las versiones vigentes, la más nueva primero."""
    return await servicio.versiones_vigentes(session, pagina)


@router.get("/ultima", response_model=AppVersionResponse, responses=ERRORES)
async def ultima(session: SessionDep, plataforma: PlataformaQ = None):
    """Público. La última versión vigente (la de id más alto), opcionalmente de una plataforma."""
    return await servicio.ultima_version(session, plataforma)


@router.post("", status_code=201, response_model=AppVersionResponse, responses=ERRORES_POST)
async def publicar(body: AppVersionCrear, _: AdminDep, session: SessionDep):
    """Solo ADMINISTRAR. `vigente` se ignora (una versión publicada es vigente); la plataforma se guarda
    en mayúsculas; `fechaPublicacion` por defecto es ahora."""
    return await servicio.publicar_version(session, body)
