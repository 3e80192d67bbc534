"""A pendiente's labels: set (`PUT`), add one (`POST .../{etiquetaId}`), remove one (`DELETE`). Each is
one workflow Update (`etiquetar`): one historial entry and one version step when the labels change,
nothing when they already are so; the `Etiquetas` search attribute follows. Idempotency-Key and If-Match
work as on every action. Unlike the peer, adding one label does not need the whole list, and concurrent
adds never lose one another (the workflow computes the final list)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.comun.deps import ComandosDep, SessionDep, UsuarioActual, requiere
from api.comun.http import CONFLICTOS, IdempotencyKey, IdPendiente, IfMatch, clave_de, version_esperada
from api.comun.respuesta import Respuesta, ok
from api.comun.visibilidad import pendiente_visible
from api.pendientes.esquemas import EtiquetasRequest, PendienteResponse
from api.pendientes.servicio import exigir_etiquetas_vivas, leer_pendiente
from contrato.mensajes import OrdenEtiquetas
from domain.etiquetas import PERMISO_ETIQUETAR

router = APIRouter(prefix="/api/pendientes", tags=["etiquetas"])

Etiquetador = Annotated[UsuarioActual, requiere(PERMISO_ETIQUETAR)]
IdEtiqueta = Annotated[int, Path(gt=0, le=2**63 - 1, description="Id de la etiqueta")]


async def _etiquetar(
    id: int,
    session: SessionDep,
    comandos: ComandosDep,
    usuario: UsuarioActual,
    clave: str | None,
    version: int | None,
    **cambio: object,
):
    await pendiente_visible(session, id, usuario)
    puestas = [*(cambio.get("etiquetas") or []), *cambio.get("agregar", [])]
    await exigir_etiquetas_vivas(session, puestas)
    orden = OrdenEtiquetas(actor=usuario.actor(), clave=clave_de(usuario, clave), version=version, **cambio)
    await session.rollback()  # free the connection while the workflow works
    await comandos.etiquetar(id, orden)
    session.expire_all()
    return ok(await leer_pendiente(session, id, usuario), "Etiquetas actualizadas correctamente")


@router.put("/{id}/etiquetas", response_model=Respuesta[PendienteResponse], responses=CONFLICTOS)
async def poner_etiquetas(
    id: IdPendiente,
    cuerpo: EtiquetasRequest,
    session: SessionDep,
    comandos: ComandosDep,
    usuario: Etiquetador,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
):
    """`{"etiquetaIds": [..]}` reemplaza las etiquetas (`[]` las quita todas). Un id inexistente o de
    una etiqueta eliminada: 422 sobre `etiquetaIds`. Requiere EDITAR_PENDIENTE."""
    version = version_esperada(if_match, cuerpo.version)
    args = (id, session, comandos, usuario, idempotency_key, version)
    return await _etiquetar(*args, etiquetas=cuerpo.etiqueta_ids)


@router.post(
    "/{id}/etiquetas/{etiquetaId}", response_model=Respuesta[PendienteResponse], responses=CONFLICTOS
)
async def agregar_etiqueta(
    id: IdPendiente,
    etiquetaId: IdEtiqueta,  # noqa: N803 - the path's camelCase name
    session: SessionDep,
    comandos: ComandosDep,
    usuario: Etiquetador,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
):
    """Agrega una etiqueta y conserva las demás (si ya la lleva, nada cambia)."""
    args = (id, session, comandos, usuario, idempotency_key, version_esperada(if_match))
    return await _etiquetar(*args, agregar=[etiquetaId])


@router.delete(
    "/{id}/etiquetas/{etiquetaId}", response_model=Respuesta[PendienteResponse], responses=CONFLICTOS
)
async def quitar_etiqueta(
    id: IdPendiente,
    etiquetaId: IdEtiqueta,  # noqa: N803 - the path's camelCase name
    session: SessionDep,
    comandos: ComandosDep,
    usuario: Etiquetador,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
):
    """Quita una etiqueta y conserva las demás (si no la lleva, nada cambia)."""
    args = (id, session, comandos, usuario, idempotency_key, version_esperada(if_match))
    return await _etiquetar(*args, quitar=[etiquetaId])
