"""`/api/etiquetas`: the labels put on pendientes (filters, reports, the Temporal UI).

Whoever may read pendientes (VER_TODOS or VER_DETALLE) reads the labels; ADMINISTRAR or EDITAR_PENDIENTE
(dispatch, who labels pendientes) create, rename, recolour and delete them (domain/etiquetas.py).
Renaming a label changes every pendiente's answer at once, but not the `Etiquetas` search attribute of
workflows labelled before (it holds the name as it was then)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from api.comun.deps import SessionDep, UsuarioActual, requiere
from api.comun.http import ERRORES
from api.comun.parcial import cambios
from api.comun.respuesta import Respuesta, ok
from api.comun.tipos import IdRuta
from api.etiquetas import servicio
from api.etiquetas.esquemas import EtiquetaCambios, EtiquetaCrear, EtiquetaResponse
from domain.etiquetas import PERMISOS_GESTIONAR, PERMISOS_VER

router = APIRouter(prefix="/api/etiquetas", tags=["etiquetas"])

RESPUESTAS = ERRORES | {409: {"model": Respuesta[dict], "description": "Nombre ya usado (data.campo)"}}
Lector = Annotated[UsuarioActual, requiere(*PERMISOS_VER)]
Gestor = Annotated[UsuarioActual, requiere(*PERMISOS_GESTIONAR)]


@router.get("", response_model=Respuesta[list[EtiquetaResponse]], responses=ERRORES)
async def listar_etiquetas(_: Lector, session: SessionDep):
    """Las etiquetas vigentes, por nombre."""
    return ok(await servicio.listar(session), "Etiquetas obtenidas correctamente")


@router.get("/{id}", response_model=Respuesta[EtiquetaResponse], responses=ERRORES)
async def obtener_etiqueta(id: IdRuta, _: Lector, session: SessionDep):
    return ok(await servicio.obtener(session, id), "Etiqueta obtenida correctamente")


@router.post("", status_code=201, response_model=Respuesta[EtiquetaResponse], responses=RESPUESTAS)
async def crear_etiqueta(body: EtiquetaCrear, _: Gestor, session: SessionDep):
    """`nombre` (1 a 50, único entre las vigentes sin distinguir mayúsculas: 409) y `color` opcional."""
    return ok(await servicio.crear(session, body), "Etiqueta creada correctamente", 201)


@router.put("/{id}", response_model=Respuesta[EtiquetaResponse], responses=RESPUESTAS)
@router.patch("/{id}", response_model=Respuesta[EtiquetaResponse], responses=RESPUESTAS)
async def editar_etiqueta(id: IdRuta, body: EtiquetaCambios, _: Gestor, session: SessionDep):
    """Cambio parcial: solo cambian los campos enviados (`color: null` lo quita)."""
    valores = cambios(body, frozenset({"nombre"}))
    return ok(await servicio.editar(session, id, valores), "Etiqueta actualizada correctamente")


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_etiqueta(id: IdRuta, _: Gestor, session: SessionDep):
    """Baja lógica: deja de listarse y de mostrarse en los pendientes; su nombre queda libre."""
    await servicio.eliminar(session, id)
    return ok(None, "Etiqueta eliminada correctamente")
