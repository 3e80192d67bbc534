"""Work sessions (tiempos). The workflow opens one when the technician starts or resumes and closes it
when they pause or finish; these routes list them and allow manual corrections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.comun.deps import SessionDep, UsuarioActual, UsuarioDep
from api.comun.http import ERRORES
from api.comun.parcial import cambios
from api.comun.respuesta import Respuesta, ok
from api.comun.visibilidad import exigir, pendiente_visible, vinculos
from api.seguimiento import servicio
from api.seguimiento.esquemas import TiempoRequest, TiempoResponse
from db import models as m
from domain.errores import Conflicto, DatosInvalidos
from domain.visibilidad import Recurso

router = APIRouter(prefix="/api/pendientes", tags=["tiempos"])
Id = Annotated[int, Path(gt=0, le=2**63 - 1)]
RESPUESTAS = ERRORES | {409: {"model": Respuesta[dict], "description": "Ya hay una sesión abierta / ninguna"}}


def _autorizar(usuario: UsuarioActual, pendiente: m.Pendiente, empleado_id: int) -> None:
    """A technician records only their own time on their own pendiente; dispatch and admins anyone's."""
    enlaces = vinculos(usuario, asignado_a=pendiente.asignado_a, autor=empleado_id)
    exigir(usuario, Recurso.TIEMPO, enlaces)


async def _de_quien_puede(session: SessionDep, id: int, usuario: UsuarioActual) -> m.PendienteTiempo:
    """The session, if the caller sees its pendiente and may change that technician's time."""
    fila = await servicio.tiempo(session, id)
    pendiente = await pendiente_visible(session, fila.pendiente_id, usuario)
    _autorizar(usuario, pendiente, fila.empleado_id)
    return fila


@router.get("/{pendienteId}/tiempos", response_model=Respuesta[list[TiempoResponse]], responses=ERRORES)
async def tiempos_de(pendienteId: Id, session: SessionDep, usuario: UsuarioDep):
    """Las sesiones de trabajo del pendiente, en orden de inicio."""
    await pendiente_visible(session, pendienteId, usuario)
    return ok(await servicio.tiempos_de(session, pendienteId), "Tiempos obtenidos correctamente")


@router.post("/tiempos", status_code=201, response_model=Respuesta[TiempoResponse], responses=RESPUESTAS)
async def registrar_tiempo(cuerpo: TiempoRequest, session: SessionDep, usuario: UsuarioDep):
    """Registro manual (`horaInicio` por defecto ahora; `empleadoId` por defecto uno mismo)."""
    if cuerpo.pendiente_id is None:
        raise DatosInvalidos("indique pendienteId", {"campo": "pendienteId"})
    pendiente = await pendiente_visible(session, cuerpo.pendiente_id, usuario)
    empleado_id = cuerpo.empleado_id or usuario.empleado_id
    if empleado_id is None:
        raise DatosInvalidos("indique empleadoId", {"campo": "empleadoId"})
    await servicio.exigir_empleado(session, empleado_id)
    _autorizar(usuario, pendiente, empleado_id)
    registrado = await servicio.registrar_tiempo(
        session,
        pendiente_id=pendiente.id,
        empleado_id=empleado_id,
        hora_inicio=cuerpo.hora_inicio,
        hora_fin=cuerpo.hora_fin,
        descripcion=cuerpo.descripcion,
    )
    return ok(registrado, "Tiempo registrado correctamente", 201)


@router.put("/tiempos/{id}", response_model=Respuesta[TiempoResponse], responses=RESPUESTAS)
async def editar_tiempo(id: Id, cuerpo: TiempoRequest, session: SessionDep, usuario: UsuarioDep):
    """Corrige horas o descripción (solo los campos enviados)."""
    fila = await _de_quien_puede(session, id, usuario)
    valores = cambios(cuerpo, obligatorios=frozenset({"hora_inicio"}))
    if valores.keys() & {"pendiente_id", "empleado_id"}:
        raise DatosInvalidos("una sesión no cambia de pendiente ni de técnico", {"campo": "pendienteId"})
    return ok(await servicio.cambiar_tiempo(session, fila, valores), "Tiempo actualizado correctamente")


@router.put(
    "/tiempos/{pendienteId}/cerrar-ultimo", response_model=Respuesta[TiempoResponse], responses=RESPUESTAS
)
async def cerrar_ultimo(pendienteId: Id, session: SessionDep, usuario: UsuarioDep):
    """Cierra la sesión abierta del pendiente (la del propio técnico si tiene una); 409 si no hay ninguna."""
    pendiente = await pendiente_visible(session, pendienteId, usuario)
    fila = await servicio.sesion_abierta(session, pendienteId, usuario.empleado_id)
    if fila is None:
        raise Conflicto(f"el pendiente {pendienteId} no tiene una sesión abierta")
    _autorizar(usuario, pendiente, fila.empleado_id)
    return ok(await servicio.cerrar_tiempo(session, fila), "Sesión cerrada correctamente")


@router.api_route("/tiempos/{id}", response_model=Respuesta[None], responses=ERRORES, methods=["DELETE"])
async def eliminar_tiempo(id: Id, session: SessionDep, usuario: UsuarioDep):
    fila = await _de_quien_puede(session, id, usuario)
    await servicio.eliminar_tiempo(session, fila)
    return ok(None, "Tiempo eliminado correctamente")
