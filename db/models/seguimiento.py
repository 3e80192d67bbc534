"""Following a pendiente: the technicians' work sessions and the notifications sent to users."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, BigIntPK, ColumnasComunes, StrEnumType, enum_check, fk
from domain.enums import NotificationEstado, NotificationTipo

if TYPE_CHECKING:
    from db.models.identidad import Empleado


# Postgres NOTIFY channel on which every new notificación is announced ("<usuario_id>:<id>"): the API's
# WebSocket broadcaster listens on it.
CANAL_NOTIFICACIONES = "notificaciones"


class PendienteTiempo(ColumnasComunes, Base):
    __tablename__ = "pendientes_tiempos"
    __table_args__ = (
        CheckConstraint("hora_fin >= hora_inicio", name="hora_fin"),
        # At most one open session per technician and pendiente.
        Index(
            "uq_pendientes_tiempos_sesion_abierta",
            "pendiente_id",
            "empleado_id",
            unique=True,
            postgresql_where=text("hora_fin IS NULL AND vigente"),
        ),
    )

    id: Mapped[BigIntPK]
    pendiente_id: Mapped[int] = fk("pendientes.id", index=True)
    empleado_id: Mapped[int] = fk("empleados.id")
    hora_inicio: Mapped[datetime]
    hora_fin: Mapped[datetime | None]
    descripcion: Mapped[str | None] = mapped_column(String(255))

    empleado: Mapped[Empleado] = relationship(lazy="raise")


class Notificacion(ColumnasComunes, Base):
    __tablename__ = "notificaciones"
    __table_args__ = (
        enum_check("tipo", NotificationTipo),
        enum_check("estado", NotificationEstado),
        Index(None, "usuario_id", "estado"),
    )

    id: Mapped[BigIntPK]
    titulo: Mapped[str] = mapped_column(String(200))
    mensaje: Mapped[str | None] = mapped_column(Text)
    tipo: Mapped[NotificationTipo] = mapped_column(StrEnumType(NotificationTipo))
    estado: Mapped[NotificationEstado] = mapped_column(
        StrEnumType(NotificationEstado), server_default=NotificationEstado.NO_LEIDO.value
    )
    usuario_id: Mapped[int] = fk("usuarios.id")
    pendiente_id: Mapped[int | None] = fk("pendientes.id")
    # Derived from the event, so a retried activity finds its notification instead of adding another.
    evento_clave: Mapped[str | None] = mapped_column(String(200), unique=True)
