"""`/app/app-version`: the mobile app's published versions. As in the original, successful answers are
raw JSON (no envelope); errors use the same envelope as every other route.

The two GETs are public (the app asks before its user logs in). Publishing a version forces every
installed app to update, so POST needs ADMINISTRAR (defect 21: the original let anyone do it)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select

from api.catalogo.esquemas import SIN_NUL, AppVersionCrear, AppVersionResponse
from api.comun.deps import AdminDep, SessionDep
from api.comun.paginacion import Pagina, ParametrosPagina, paginar, parametros_pagina
from api.comun.respuesta import Respuesta
from db import models as m
from domain.errores import NoEncontrado
from domain.zona import LIMA

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

ORDEN = {
    "id": m.AppVersion.id,
    "versionCode": m.AppVersion.version_code,
    "plataforma": m.AppVersion.plataforma,
    "fechaPublicacion": m.AppVersion.fecha_publicacion,
}

PaginaDep = Annotated[ParametrosPagina, Depends(parametros_pagina)]
PlataformaQ = Annotated[
    str | None,
    Query(max_length=20, pattern=SIN_NUL, description="ANDROID, IOS, ... (sin distinguir mayúsculas)"),
]


def _response(version: m.AppVersion) -> AppVersionResponse:
    return AppVersionResponse(
        id=version.id,
        version_code=version.version_code,
        plataforma=version.plataforma,
        obligatoria=version.obligatoria,
        descripcion=version.descripcion,
        fecha_publicacion=version.fecha_publicacion,
        vigente=version.vigente,
    )


@router.get("/vigentes", response_model=Pagina[AppVersionResponse], responses=ERRORES)
async def vigentes(session: SessionDep, pagina: PaginaDep):
    """Público. Las versiones vigentes, la más nueva primero."""
    consulta = select(m.AppVersion).where(m.AppVersion.vigente.is_(True))
    return await paginar(session, consulta, pagina, _response, ORDEN, m.AppVersion.id.desc())


@router.get("/ultima", response_model=AppVersionResponse, responses=ERRORES)
async def ultima(session: SessionDep, plataforma: PlataformaQ = None):
    """Público. La última versión vigente (la de id más alto), opcionalmente de una plataforma."""
    consulta = select(m.AppVersion).where(m.AppVersion.vigente.is_(True))
    if plataforma and plataforma.strip():
        consulta = consulta.where(func.upper(m.AppVersion.plataforma) == plataforma.strip().upper())
    version = await session.scalar(consulta.order_by(m.AppVersion.id.desc()).limit(1))
    if version is None:
        raise NoEncontrado("No existen versiones registradas", {"plataforma": plataforma})
    return _response(version)


@router.post("", status_code=201, response_model=AppVersionResponse, responses=ERRORES_POST)
async def publicar(body: AppVersionCrear, _: AdminDep, session: SessionDep):
    """Solo ADMINISTRAR. `vigente` se ignora (una versión publicada es vigente); la plataforma se guarda
    en mayúsculas; `fechaPublicacion` por defecto es ahora."""
    version = m.AppVersion(
        version_code=body.version_code,
        plataforma=body.plataforma.upper(),
        obligatoria=body.obligatoria,
        descripcion=body.descripcion,
        fecha_publicacion=body.fecha_publicacion or datetime.now(LIMA),
        vigente=True,
    )
    session.add(version)
    await session.commit()
    return _response(version)
