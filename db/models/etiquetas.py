"""Labels (etiquetas) and the labels of each pendiente."""

from __future__ import annotations

from sqlalchemy import Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, BigIntPK, ColumnasComunes, fk


class Etiqueta(ColumnasComunes, Base):
    __tablename__ = "etiquetas"
    __table_args__ = (
        # Unique among the live ones, whatever the case: a deleted name can be taken again.
        Index(
            "uq_etiquetas_nombre_vigente",
            func.lower(text("nombre")),
            unique=True,
            postgresql_where=text("vigente"),
        ),
    )

    id: Mapped[BigIntPK]
    nombre: Mapped[str] = mapped_column(String(50))
    color: Mapped[str | None] = mapped_column(String(20))


class PendienteEtiqueta(Base):
    __tablename__ = "pendiente_etiquetas"

    pendiente_id: Mapped[int] = fk("pendientes.id", primary_key=True)
    etiqueta_id: Mapped[int] = fk("etiquetas.id", primary_key=True, index=True)
