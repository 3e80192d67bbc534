"""`/api/repetitivos`: repeating work orders (the peer's "OT repetitiva"). A template of a pendiente plus
a calendar rule; its Temporal Schedule (`repetitivo-<id>`) creates one ordinary pendiente per occurrence.

Permissions: reading needs REGISTRAR_PENDIENTE or VER_TODOS; creating, editing, pausing, resuming and
deleting need REGISTRAR_PENDIENTE, and a template that names a technician (created, edited or resumed
so) also ASIGNAR_TECNICO, since every occurrence assigns them."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request

from api.comun.deps import SessionDep, SettingsDep, UsuarioActual, requiere
from api.comun.http import ERRORES
from api.comun.paginacion import Pagina, ParametrosPagina, parametros_pagina
from api.comun.parcial import cambios
from api.comun.respuesta import Respuesta, ok
from api.comun.tipos import Id, IdRuta
from api.repetitivos import servicio
from api.repetitivos.esquemas import NotaRequest, RepetitivoCambios, RepetitivoCrear, RepetitivoResponse
from domain.enums import TipoPendiente
from domain.repetitivos import PERMISO_GESTIONAR, PERMISOS_VER
from infra.programas import Programas

router = APIRouter(prefix="/api/repetitivos", tags=["repetitivos"])

Lector = Annotated[UsuarioActual, requiere(*PERMISOS_VER)]
Gestor = Annotated[UsuarioActual, requiere(PERMISO_GESTIONAR)]


def get_programas(request: Request, settings: SettingsDep) -> Programas:
    timeout = timedelta(seconds=settings.update_timeout_seconds)
    return Programas(request.app.state.temporal, settings.temporal_task_queue, timeout)


ProgramasDep = Annotated[Programas, Depends(get_programas)]


@router.post("", status_code=201, response_model=Respuesta[RepetitivoResponse], responses=ERRORES)
async def crear_repetitivo(
    body: RepetitivoCrear, usuario: Gestor, session: SessionDep, programas: ProgramasDep
):
    """Crea la plantilla y su Schedule. Cada ocurrencia crea un pendiente normal (y asigna `tecnicoId`)."""
    return ok(await servicio.crear(session, programas, body, usuario), "Repetitivo creado correctamente", 201)


@router.get("", response_model=Respuesta[Pagina[RepetitivoResponse]], responses=ERRORES)
async def listar_repetitivos(
    _: Lector,
    session: SessionDep,
    pagina: Annotated[ParametrosPagina, Depends(parametros_pagina)],
    cliente_id: Annotated[Id | None, Query(alias="clienteId")] = None,
    tipo: TipoPendiente | None = None,
    pausado: bool | None = None,
):
    """Las plantillas vigentes, paginadas (sort: id, nombre, fechaCreacion, clienteId, cliente, tipo)."""
    resultado = await servicio.listar(session, pagina, cliente_id, tipo, pausado)
    return ok(resultado, "Repetitivos obtenidos correctamente")


@router.get("/{id}", response_model=Respuesta[RepetitivoResponse], responses=ERRORES)
async def obtener_repetitivo(id: IdRuta, _: Lector, session: SessionDep, programas: ProgramasDep):
    """La plantilla y sus próximas ocurrencias (`proximas`, hora de Lima; vacía si está pausada)."""
    return ok(await servicio.obtener(session, programas, id), "Repetitivo obtenido correctamente")


@router.patch("/{id}", response_model=Respuesta[RepetitivoResponse], responses=ERRORES)
async def editar_repetitivo(
    id: IdRuta, body: RepetitivoCambios, usuario: Gestor, session: SessionDep, programas: ProgramasDep
):
    """Cambia solo lo enviado; `regla` y `detalle` se reemplazan enteros. Afecta a las ocurrencias
    futuras; los pendientes ya creados no cambian."""
    valores = cambios(body)
    resultado = await servicio.editar(session, programas, id, valores, usuario)
    return ok(resultado, "Repetitivo actualizado correctamente")


async def _pausa(id: int, pausar: bool, usuario, session, programas, body: NotaRequest | None):
    nota = body.nota if body else None
    resultado = await servicio.pausar_o_reanudar(session, programas, id, pausar, nota, usuario)
    return ok(resultado, f"Repetitivo {'pausado' if pausar else 'reanudado'} correctamente")


@router.post("/{id}/pausar", response_model=Respuesta[RepetitivoResponse], responses=ERRORES)
async def pausar_repetitivo(
    id: IdRuta,
    usuario: Gestor,
    session: SessionDep,
    programas: ProgramasDep,
    body: Annotated[NotaRequest | None, Body()] = None,
):
    """Deja de crear pendientes hasta reanudar (la nota queda en la plantilla y en el Schedule)."""
    return await _pausa(id, True, usuario, session, programas, body)


@router.post("/{id}/reanudar", response_model=Respuesta[RepetitivoResponse], responses=ERRORES)
async def reanudar_repetitivo(
    id: IdRuta,
    usuario: Gestor,
    session: SessionDep,
    programas: ProgramasDep,
    body: Annotated[NotaRequest | None, Body()] = None,
):
    """Vuelve a crear pendientes desde la próxima ocurrencia (las perdidas en pausa no se recuperan)."""
    return await _pausa(id, False, usuario, session, programas, body)


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_repetitivo(id: IdRuta, _: Gestor, session: SessionDep, programas: ProgramasDep):
    """Borra el Schedule; los pendientes que creó quedan como están (y siguen enlazados)."""
    await servicio.eliminar(session, programas, id)
    return ok(None, "Repetitivo eliminado correctamente")
