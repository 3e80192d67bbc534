"""Writing notificaciones from the worker: who holds a permission, and one notification written at most
once (its `evento_clave`) and announced on the channel the API's WebSocket broadcaster listens on."""

from __future__ import annotations

from sqlalchemy import Select, any_, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from db.models.seguimiento import CANAL_NOTIFICACIONES
from domain.enums import NotificationTipo
from domain.permisos import Permiso


def usuarios_activos() -> Select:
    """Live users whose role is live."""
    consulta = select(m.Usuario.id).join(m.Rol, m.Rol.id == m.Usuario.rol_id)
    return consulta.where(m.Usuario.vigente.is_(True), m.Rol.vigente.is_(True))


def con_permiso(permiso: Permiso) -> Select:
    return usuarios_activos().where(permiso.value == any_(m.Rol.permisos))


async def notificar(
    s: AsyncSession,
    *,
    usuario_id: int,
    titulo: str,
    mensaje: str,
    tipo: NotificationTipo,
    evento_clave: str,
    pendiente_id: int | None = None,
) -> None:
    """In the caller's transaction; a retry finds it by `evento_clave` and writes nothing twice. The NOTIFY
    is delivered at commit, so whichever API process holds the recipient's socket pushes it then."""
    creada = await s.scalar(
        insert(m.Notificacion)
        .values(
            titulo=titulo,
            mensaje=mensaje,
            tipo=tipo,
            usuario_id=usuario_id,
            pendiente_id=pendiente_id,
            evento_clave=evento_clave,
        )
        .on_conflict_do_nothing(index_elements=["evento_clave"])
        .returning(m.Notificacion.id)
    )
    if creada is not None:
        await s.execute(select(func.pg_notify(CANAL_NOTIFICACIONES, f"{usuario_id}:{creada}")))
