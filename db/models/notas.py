"""Notes written on a pendiente and their images."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, BigIntPK, ColumnasComunes, StrEnumType, enum_check, fk
from domain.enums import EstadoPendiente

if TYPE_CHECKING:
    from db.models.identidad import Empleado


class PendienteNota(ColumnasComunes, Base):
    __tablename__ = "pendientes_notas"
    __table_args__ = (enum_check("estado_pendiente", EstadoPendiente),)

    id: Mapped[BigIntPK]
    pendiente_id: Mapped[int] = fk("pendientes.id", index=True)
    empleado_id: Mapped[int] = fk("empleados.id")
    nota: Mapped[str | None] = mapped_column(Text)
    # The pendiente's state when the note was written.
    estado_pendiente: Mapped[EstadoPendiente] = mapped_column(StrEnumType(EstadoPendiente))

    empleado: Mapped[Empleado] = relationship(lazy="raise")
    imagenes: Mapped[list[PendienteNotaImagen]] = relationship(
        back_populates="nota", cascade="all, delete-orphan", lazy="raise"
    )


class PendienteNotaImagen(ColumnasComunes, Base):
    __tablename__ = "pendientes_notas_imagenes"
    __table_args__ = (
        UniqueConstraint("nota_id", "url"),
        CheckConstraint("tamano_bytes >= 0", name="tamano_bytes"),
    )

    id: Mapped[BigIntPK]
    nota_id: Mapped[int] = fk("pendientes_notas.id")
    url: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str | None] = mapped_column(String(100))
    tamano_bytes: Mapped[int | None]

    nota: Mapped[PendienteNota] = relationship(back_populates="imagenes", lazy="raise")
