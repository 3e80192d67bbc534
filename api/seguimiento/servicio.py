"""Every read and write of seguimiento (historial, tiempos, notificaciones) that goes to Postgres: the
routes validate, check who may act (api/comun/visibilidad.py), call this, and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from api.comun.deps import UsuarioActual
from api.comun.paginacion import Pagina, ParametrosPagina, paginar
from api.comun.parcial import aplicar
from api.comun.visibilidad import puede, vinculos
from api.seguimiento.esquemas import HistorialResponse, NotificacionResponse, TiempoResponse
from db import models as m
from db.models.seguimiento import CANAL_NOTIFICACIONES
from domain.enums import NotificationEstado, NotificationTipo
from domain.errores import Conflicto, DatosInvalidos, NoEncontrado
from domain.visibilidad import Recurso


async def ahora(session: AsyncSession) -> datetime:
    """The database's clock, the one every stored timestamp uses."""
    return await session.scalar(select(func.now()))


# -- Historial --------------------------------------------------------------------------------------


def historial_respuesta(fila: m.Historial) -> HistorialResponse:
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


async def historial_de(session: AsyncSession, pendiente_id: int) -> list[HistorialResponse]:
    """The live entries of a pendiente, oldest first."""
    filas = await session.scalars(
        select(m.Historial)
        .where(m.Historial.pendiente_id == pendiente_id, m.Historial.vigente.is_(True))
        .order_by(m.Historial.fecha_creacion, m.Historial.id)
    )
    return [historial_respuesta(f) for f in filas]


async def anotar(
    session: AsyncSession, pendiente: m.Pendiente, usuario: UsuarioActual, detalles: str
) -> HistorialResponse:
    """A free-text entry by the caller, at the pendiente's current state (a note, never a change)."""
    fila = m.Historial(
        pendiente_id=pendiente.id,
        empleado_id=usuario.empleado_id,
        actor_nombre=usuario.nombre,
        accion="nota",
        estado=pendiente.estado,
        estado_tecnico=pendiente.estado_tecnico,
        detalles=detalles,
    )
    session.add(fila)
    await session.commit()
    return historial_respuesta(fila)


# -- Tiempos ----------------------------------------------------------------------------------------


def tiempo_respuesta(fila: m.PendienteTiempo) -> TiempoResponse:
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


def _tiempos() -> Select:
    return (
        select(m.PendienteTiempo)
        .options(selectinload(m.PendienteTiempo.empleado))
        .where(m.PendienteTiempo.vigente.is_(True))
    )


async def tiempo(session: AsyncSession, tiempo_id: int) -> m.PendienteTiempo:
    """A live work session (404 otherwise)."""
    fila = await session.scalar(_tiempos().where(m.PendienteTiempo.id == tiempo_id))
    if fila is None:
        raise NoEncontrado(f"tiempo {tiempo_id} no encontrado", {"id": tiempo_id})
    return fila


async def tiempos_de(session: AsyncSession, pendiente_id: int) -> list[TiempoResponse]:
    """The live work sessions of a pendiente, in start order."""
    filas = await session.scalars(
        _tiempos()
        .where(m.PendienteTiempo.pendiente_id == pendiente_id)
        .order_by(m.PendienteTiempo.hora_inicio, m.PendienteTiempo.id)
    )
    return [tiempo_respuesta(f) for f in filas]


async def sesion_abierta(
    session: AsyncSession, pendiente_id: int, empleado_id: int | None
) -> m.PendienteTiempo | None:
    """The open session of the pendiente: the given technician's if they have one, else the latest."""
    abiertas = (
        _tiempos()
        .where(m.PendienteTiempo.pendiente_id == pendiente_id, m.PendienteTiempo.hora_fin.is_(None))
        .order_by(
            (m.PendienteTiempo.empleado_id == empleado_id).desc(),
            m.PendienteTiempo.hora_inicio.desc(),
        )
    )
    return await session.scalar(abiertas.limit(1))


async def exigir_empleado(session: AsyncSession, empleado_id: int) -> None:
    if await session.get(m.Empleado, empleado_id) is None:
        raise NoEncontrado(f"empleado {empleado_id} no encontrado", {"campo": "empleadoId"})


def _validar_orden(fila: m.PendienteTiempo) -> None:
    if fila.hora_fin is not None and fila.hora_fin < fila.hora_inicio:
        raise DatosInvalidos("horaFin no puede ser anterior a horaInicio", {"campo": "horaFin"})


async def _guardar_tiempo(session: AsyncSession, fila: m.PendienteTiempo) -> TiempoResponse:
    _validar_orden(fila)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflicto(
            "ese técnico ya tiene una sesión abierta en este pendiente", {"campo": "horaFin"}
        ) from None
    await session.commit()
    return tiempo_respuesta(await tiempo(session, fila.id))


async def registrar_tiempo(session: AsyncSession, **valores: Any) -> TiempoResponse:
    """A new work session (`hora_inicio` defaults to now); at most one open per technician and pendiente."""
    fila = m.PendienteTiempo(**valores)
    if fila.hora_inicio is None:
        fila.hora_inicio = await ahora(session)
    session.add(fila)
    return await _guardar_tiempo(session, fila)


async def cambiar_tiempo(
    session: AsyncSession, fila: m.PendienteTiempo, valores: dict[str, Any]
) -> TiempoResponse:
    aplicar(fila, valores)
    return await _guardar_tiempo(session, fila)


async def cerrar_tiempo(session: AsyncSession, fila: m.PendienteTiempo) -> TiempoResponse:
    fila.hora_fin = await ahora(session)
    return await _guardar_tiempo(session, fila)


async def eliminar_tiempo(session: AsyncSession, fila: m.PendienteTiempo) -> None:
    fila.vigente = False
    await session.commit()


# -- Notificaciones ---------------------------------------------------------------------------------

ORDEN_NOTIFICACIONES = {
    "id": m.Notificacion.id,
    "fechaCreacion": m.Notificacion.fecha_creacion,
    "estado": m.Notificacion.estado,
}


def notificacion_respuesta(fila: m.Notificacion) -> NotificacionResponse:
    return NotificacionResponse(
        id=fila.id,
        titulo=fila.titulo,
        mensaje=fila.mensaje,
        tipo=fila.tipo,
        estado=fila.estado,
        fecha_creacion=fila.fecha_creacion,
        usuario_id=fila.usuario_id,
        pendiente_id=fila.pendiente_id,
    )


def _anunciar(usuario_id: int, notificacion_id: int):
    """The same announcement the worker makes, so a manual notification is pushed live too."""
    return func.pg_notify(CANAL_NOTIFICACIONES, f"{usuario_id}:{notificacion_id}")


def _notificaciones() -> Select:
    return select(m.Notificacion).where(m.Notificacion.vigente.is_(True))


async def listar_notificaciones(
    session: AsyncSession,
    pagina: ParametrosPagina,
    usuario_id: int | None = None,
    estado: NotificationEstado | None = None,
) -> Pagina[NotificacionResponse]:
    """One page of live notifications, newest first: of one user, or of everyone."""
    consulta = _notificaciones()
    if usuario_id is not None:
        consulta = consulta.where(m.Notificacion.usuario_id == usuario_id)
    if estado is not None:
        consulta = consulta.where(m.Notificacion.estado == estado)
    orden = m.Notificacion.id.desc()
    return await paginar(session, consulta, pagina, notificacion_respuesta, ORDEN_NOTIFICACIONES, orden)


async def notificacion_visible(
    session: AsyncSession, notificacion_id: int, usuario: UsuarioActual
) -> m.Notificacion:
    fila = await session.scalar(_notificaciones().where(m.Notificacion.id == notificacion_id))
    # Another user's notification is as unknown as a missing one: nothing is revealed.
    if fila is None or not puede(
        usuario, Recurso.NOTIFICACION, vinculos(usuario, destinatario=fila.usuario_id)
    ):
        raise NoEncontrado(f"notificación {notificacion_id} no encontrada", {"id": notificacion_id})
    return fila


async def crear_notificacion(
    session: AsyncSession,
    usuario_id: int,
    titulo: str,
    mensaje: str | None,
    tipo: NotificationTipo,
    estado: NotificationEstado,
) -> NotificacionResponse:
    """A manual notification to a live user, announced for live delivery in the same transaction."""
    destinatario = await session.get(m.Usuario, usuario_id)
    if destinatario is None or not destinatario.vigente:
        raise NoEncontrado(f"usuario {usuario_id} no encontrado", {"campo": "usuarioId"})
    fila = m.Notificacion(titulo=titulo, mensaje=mensaje, tipo=tipo, estado=estado, usuario_id=usuario_id)
    session.add(fila)
    await session.flush()
    await session.execute(select(_anunciar(destinatario.id, fila.id)))
    await session.commit()
    return notificacion_respuesta(fila)


async def marcar_todas_leidas(session: AsyncSession, usuario_id: int) -> int:
    """Mark every unread notification of the user as read; how many were."""
    resultado = await session.execute(
        update(m.Notificacion)
        .where(
            m.Notificacion.usuario_id == usuario_id,
            m.Notificacion.estado == NotificationEstado.NO_LEIDO,
            m.Notificacion.vigente.is_(True),
        )
        .values(estado=NotificationEstado.LEIDO)
    )
    await session.commit()
    return resultado.rowcount


async def cambiar_notificacion(
    session: AsyncSession, fila: m.Notificacion, valores: dict[str, Any]
) -> NotificacionResponse:
    aplicar(fila, valores)
    await session.commit()
    return notificacion_respuesta(fila)


async def eliminar_notificacion(session: AsyncSession, fila: m.Notificacion) -> None:
    fila.vigente = False
    await session.commit()


async def notificacion_para_envio(session: AsyncSession, notificacion_id: int) -> dict | None:
    """A notification as the live socket sends it (JSON, camelCase)."""
    fila = await session.get(m.Notificacion, notificacion_id)
    return jsonable_encoder(notificacion_respuesta(fila).model_dump(by_alias=True)) if fila else None
