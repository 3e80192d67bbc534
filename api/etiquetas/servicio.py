"""Every read and write of /api/etiquetas that goes to Postgres. Deleting is soft: a deleted label leaves
the list and every pendiente's answer, its name can be taken again, and the pendientes that carried it
keep the link (the peer's weak references: a later set replaces it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.comun.parcial import aplicar
from api.etiquetas.esquemas import EtiquetaCrear, EtiquetaResponse
from db import models as m
from domain.errores import Conflicto, NoEncontrado

# The unique index on lower(nombre) among live labels (db/models/etiquetas.py).
NOMBRE_UNICO = "uq_etiquetas_nombre_vigente"


def _respuesta(etiqueta: m.Etiqueta) -> EtiquetaResponse:
    return EtiquetaResponse(
        id=etiqueta.id, nombre=etiqueta.nombre, color=etiqueta.color, fecha_creacion=etiqueta.fecha_creacion
    )


async def _guardar(session: AsyncSession, etiqueta: m.Etiqueta) -> EtiquetaResponse:
    """Commit; a name taken (whatever the case) is a 409 naming `nombre`. The index decides, so two
    concurrent requests cannot both win."""
    try:
        await session.flush()
    except IntegrityError as error:
        await session.rollback()
        if getattr(getattr(error.orig, "diag", None), "constraint_name", None) != NOMBRE_UNICO:
            raise
        raise Conflicto("ya existe una etiqueta con ese nombre", {"campo": "nombre"}) from None
    await session.commit()
    await session.refresh(etiqueta)
    return _respuesta(etiqueta)


async def _vigente(session: AsyncSession, etiqueta_id: int) -> m.Etiqueta:
    etiqueta = await session.get(m.Etiqueta, etiqueta_id, populate_existing=True)
    if etiqueta is None or not etiqueta.vigente:
        raise NoEncontrado(f"etiqueta {etiqueta_id} no encontrada", {"id": etiqueta_id})
    return etiqueta


async def listar(session: AsyncSession) -> list[EtiquetaResponse]:
    consulta = (
        select(m.Etiqueta)
        .where(m.Etiqueta.vigente.is_(True))
        .order_by(func.lower(m.Etiqueta.nombre), m.Etiqueta.id)
    )
    return [_respuesta(e) for e in await session.scalars(consulta)]


async def obtener(session: AsyncSession, etiqueta_id: int) -> EtiquetaResponse:
    return _respuesta(await _vigente(session, etiqueta_id))


async def crear(session: AsyncSession, body: EtiquetaCrear) -> EtiquetaResponse:
    etiqueta = m.Etiqueta(nombre=body.nombre, color=body.color)
    session.add(etiqueta)
    return await _guardar(session, etiqueta)


async def editar(session: AsyncSession, etiqueta_id: int, valores: dict[str, Any]) -> EtiquetaResponse:
    etiqueta = await _vigente(session, etiqueta_id)
    aplicar(etiqueta, valores)
    return await _guardar(session, etiqueta)


async def eliminar(session: AsyncSession, etiqueta_id: int) -> None:
    etiqueta = await _vigente(session, etiqueta_id)
    etiqueta.vigente = False
    await _guardar(session, etiqueta)
