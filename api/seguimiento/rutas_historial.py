"""`/api/historiales`: the audit trail. Written automatically by the workflow; the manual POST adds a
free-text entry (a call with the customer...) that can never fake another actor or a state change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import select

from api.comun.deps import SessionDep, UsuarioActual, UsuarioDep, requiere
from api.comun.http import ERRORES
from api.comun.respuesta import Respuesta, ok
from api.pendientes.consultas import pendiente_visible
from api.seguimiento.esquemas import HistorialRequest, HistorialResponse
from db import models as m
from domain.errores import DatosInvalidos, SinPermiso
from domain.permisos import Permiso

router = APIRouter(prefix="/api/historiales", tags=["historial"])
IdPendiente = Annotated[int, Path(gt=0, le=2**63 - 1)]


def _respuesta(fila: m.Historial) -> HistorialResponse:
    return HistorialResponse(
        id=fila.id,
        pendiente_id=fila.pendiente_id,
        empleado_id=fila.empleado_id,
        empleado_nombre=fila.actor_nombre,
        accion=fila.accion,
        estado_anterior=fila.estado_anterior,
        estado=fila.estado,
        estado_tecnico_anterior=fila.estado_tecnico_anterior,
        estado_tecnico=fila.estado_tecnico,
        detalles=fila.detalles,
        fecha_creacion=fila.fecha_creacion,
    )


@router.get("/pendiente/{pendienteId}", response_model=Respuesta[list[HistorialResponse]], responses=ERRORES)
async def historial_de(
    pendienteId: IdPendiente,
    session: SessionDep,
    usuario: Annotated[UsuarioActual, requiere(Permiso.VER_HISTORIAL)],
):
    """El historial del pendiente, del más antiguo al más reciente, con el nombre de quien actuó."""
    await pendiente_visible(session, pendienteId, usuario)
    filas = await session.scalars(
        select(m.Historial)
        .where(m.Historial.pendiente_id == pendienteId, m.Historial.vigente.is_(True))
        .order_by(m.Historial.fecha_creacion, m.Historial.id)
    )
    return ok([_respuesta(f) for f in filas], "Historial obtenido correctamente")


@router.post("", status_code=201, response_model=Respuesta[HistorialResponse], responses=ERRORES)
async def anotar(cuerpo: HistorialRequest, session: SessionDep, usuario: UsuarioDep):
    """Entrada libre con el usuario autenticado como actor y el estado actual del pendiente."""
    pendiente = await pendiente_visible(session, cuerpo.pendiente_id, usuario)
    if usuario.empleado_id is None:
        raise SinPermiso("su usuario no está vinculado a un empleado")
    if cuerpo.empleado_id not in (None, usuario.empleado_id):
        raise DatosInvalidos("el historial registra siempre al usuario autenticado", {"campo": "empleadoId"})
    if cuerpo.estado not in (None, pendiente.estado):
        mensaje = f"el estado solo cambia con una acción; el pendiente está {pendiente.estado}"
        raise DatosInvalidos(mensaje, {"campo": "estado"})
    fila = m.Historial(
        pendiente_id=pendiente.id,
        empleado_id=usuario.empleado_id,
        actor_nombre=usuario.nombre,
        accion="nota",
        estado=pendiente.estado,
        estado_tecnico=pendiente.estado_tecnico,
        detalles=cuerpo.detalles,
    )
    session.add(fila)
    await session.commit()
    return ok(_respuesta(fila), "Entrada registrada en el historial", 201)
