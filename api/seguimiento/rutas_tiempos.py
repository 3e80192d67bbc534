"""Work sessions (tiempos). The workflow opens one when the technician starts or resumes and closes it
when they pause or finish; these routes list them and allow manual corrections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from api.comun.deps import SessionDep, UsuarioActual, UsuarioDep
from api.comun.http import ERRORES
from api.comun.parcial import aplicar, cambios
from api.comun.respuesta import Respuesta, ok
from api.pendientes.consultas import pendiente_visible
from api.seguimiento.esquemas import TiempoRequest, TiempoResponse
from db import models as m
from domain.errores import Conflicto, DatosInvalidos, NoEncontrado, SinPermiso
from domain.permisos import Permiso

router = APIRouter(prefix="/api/pendientes", tags=["tiempos"])
Id = Annotated[int, Path(gt=0, le=2**63 - 1)]
RESPUESTAS = ERRORES | {409: {"model": Respuesta[dict], "description": "Ya hay una sesión abierta / ninguna"}}


def _respuesta(fila: m.PendienteTiempo) -> TiempoResponse:
    empleado = fila.empleado
    minutos = None
    if fila.hora_fin is not None:
        minutos = int((fila.hora_fin - fila.hora_inicio).total_seconds() // 60)
    return TiempoResponse(
        id=fila.id,
        pendiente_id=fila.pendiente_id,
        empleado_id=fila.empleado_id,
        empleado_nombre=" ".join(p for p in (empleado.nombre, empleado.apellido_paterno) if p),
        hora_inicio=fila.hora_inicio,
        hora_fin=fila.hora_fin,
        descripcion=fila.descripcion,
        minutos=minutos,
    )


def _autorizar(usuario: UsuarioActual, pendiente: m.Pendiente, empleado_id: int) -> None:
    """A technician records only their own time on their own pendiente; dispatch and admins anyone's."""
    if usuario.tiene(Permiso.ASIGNAR_TECNICO, Permiso.ADMINISTRAR):
        return
    propio = usuario.empleado_id == empleado_id == pendiente.asignado_a
    if not (usuario.tiene(Permiso.EJECUTAR_TRABAJO) and propio):
        raise SinPermiso("solo el técnico asignado registra su tiempo (o ASIGNAR_TECNICO)")


async def _sesion(session: SessionDep, tiempo_id: int) -> m.PendienteTiempo:
    fila = await session.scalar(
        select(m.PendienteTiempo)
        .options(selectinload(m.PendienteTiempo.empleado))
        .where(m.PendienteTiempo.id == tiempo_id, m.PendienteTiempo.vigente.is_(True))
    )
    if fila is None:
        raise NoEncontrado(f"tiempo {tiempo_id} no encontrado", {"id": tiempo_id})
    return fila


def _validar_orden(fila: m.PendienteTiempo) -> None:
    if fila.hora_fin is not None and fila.hora_fin < fila.hora_inicio:
        raise DatosInvalidos("horaFin no puede ser anterior a horaInicio", {"campo": "horaFin"})


async def _guardar(session: SessionDep, fila: m.PendienteTiempo) -> TiempoResponse:
    _validar_orden(fila)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflicto(
            "ese técnico ya tiene una sesión abierta en este pendiente", {"campo": "horaFin"}
        ) from None
    await session.commit()
    return _respuesta(await _sesion(session, fila.id))


@router.get("/{pendienteId}/tiempos", response_model=Respuesta[list[TiempoResponse]], responses=ERRORES)
async def tiempos_de(pendienteId: Id, session: SessionDep, usuario: UsuarioDep):
    """Las sesiones de trabajo del pendiente, en orden de inicio."""
    await pendiente_visible(session, pendienteId, usuario)
    filas = await session.scalars(
        select(m.PendienteTiempo)
        .options(selectinload(m.PendienteTiempo.empleado))
        .where(m.PendienteTiempo.pendiente_id == pendienteId, m.PendienteTiempo.vigente.is_(True))
        .order_by(m.PendienteTiempo.hora_inicio, m.PendienteTiempo.id)
    )
    return ok([_respuesta(f) for f in filas], "Tiempos obtenidos correctamente")


@router.post("/tiempos", status_code=201, response_model=Respuesta[TiempoResponse], responses=RESPUESTAS)
async def registrar_tiempo(cuerpo: TiempoRequest, session: SessionDep, usuario: UsuarioDep):
    """Registro manual (`horaInicio` por defecto ahora; `empleadoId` por defecto uno mismo)."""
    if cuerpo.pendiente_id is None:
        raise DatosInvalidos("indique pendienteId", {"campo": "pendienteId"})
    pendiente = await pendiente_visible(session, cuerpo.pendiente_id, usuario)
    empleado_id = cuerpo.empleado_id or usuario.empleado_id
    if empleado_id is None:
        raise DatosInvalidos("indique empleadoId", {"campo": "empleadoId"})
    if await session.get(m.Empleado, empleado_id) is None:
        raise NoEncontrado(f"empleado {empleado_id} no encontrado", {"campo": "empleadoId"})
    _autorizar(usuario, pendiente, empleado_id)
    fila = m.PendienteTiempo(
        pendiente_id=pendiente.id,
        empleado_id=empleado_id,
        hora_inicio=cuerpo.hora_inicio or await session.scalar(select(func.now())),
        hora_fin=cuerpo.hora_fin,
        descripcion=cuerpo.descripcion,
    )
    session.add(fila)
    return ok(await _guardar(session, fila), "Tiempo registrado correctamente", 201)


@router.put("/tiempos/{id}", response_model=Respuesta[TiempoResponse], responses=RESPUESTAS)
async def editar_tiempo(id: Id, cuerpo: TiempoRequest, session: SessionDep, usuario: UsuarioDep):
    """Corrige horas o descripción (solo los campos enviados)."""
    fila = await _sesion(session, id)
    pendiente = await pendiente_visible(session, fila.pendiente_id, usuario)
    _autorizar(usuario, pendiente, fila.empleado_id)
    valores = cambios(cuerpo, obligatorios=frozenset({"hora_inicio"}))
    if valores.keys() & {"pendiente_id", "empleado_id"}:
        raise DatosInvalidos("una sesión no cambia de pendiente ni de técnico", {"campo": "pendienteId"})
    aplicar(fila, valores)
    return ok(await _guardar(session, fila), "Tiempo actualizado correctamente")


@router.put(
    "/tiempos/{pendienteId}/cerrar-ultimo", response_model=Respuesta[TiempoResponse], responses=RESPUESTAS
)
async def cerrar_ultimo(pendienteId: Id, session: SessionDep, usuario: UsuarioDep):
    """Cierra la sesión abierta del pendiente (la del propio técnico si tiene una); 409 si no hay ninguna."""
    pendiente = await pendiente_visible(session, pendienteId, usuario)
    abiertas = (
        select(m.PendienteTiempo)
        .options(selectinload(m.PendienteTiempo.empleado))
        .where(
            m.PendienteTiempo.pendiente_id == pendienteId,
            m.PendienteTiempo.hora_fin.is_(None),
            m.PendienteTiempo.vigente.is_(True),
        )
        .order_by(
            (m.PendienteTiempo.empleado_id == usuario.empleado_id).desc(),
            m.PendienteTiempo.hora_inicio.desc(),
        )
    )
    fila = await session.scalar(abiertas.limit(1))
    if fila is None:
        raise Conflicto(f"el pendiente {pendienteId} no tiene una sesión abierta")
    _autorizar(usuario, pendiente, fila.empleado_id)
    fila.hora_fin = await session.scalar(select(func.now()))
    return ok(await _guardar(session, fila), "Sesión cerrada correctamente")


@router.delete("/tiempos/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_tiempo(id: Id, session: SessionDep, usuario: UsuarioDep):
    fila = await _sesion(session, id)
    pendiente = await pendiente_visible(session, fila.pendiente_id, usuario)
    _autorizar(usuario, pendiente, fila.empleado_id)
    fila.vigente = False
    await session.commit()
    return ok(None, "Tiempo eliminado correctamente")
