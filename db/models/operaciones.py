"""Operations: what the reconciler found and repaired."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, false, func
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, BigIntPK


class Reconciliacion(Base):
    """One finding of the reconciler: a pendiente whose workflow and row disagreed, and whether it was
    repaired (always towards the committed record)."""

    __tablename__ = "reconciliaciones"

    id: Mapped[BigIntPK]
    pendiente_id: Mapped[int | None] = mapped_column(BigInteger)
    tipo: Mapped[str] = mapped_column(String(50))
    detalle: Mapped[str] = mapped_column(String(1000))
    reparado: Mapped[bool] = mapped_column(server_default=false())
    fecha_creacion: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
