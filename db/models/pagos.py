"""Payments received for a pendiente."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, BigIntPK, ColumnasComunes, StrEnumType, enum_check, fk
from domain.enums import MetodoPago


class Pago(ColumnasComunes, Base):
    __tablename__ = "pagos"
    __table_args__ = (
        CheckConstraint("monto > 0", name="monto"),
        enum_check("metodo_pago", MetodoPago),
    )

    id: Mapped[BigIntPK]
    empleado_id: Mapped[int] = fk("empleados.id")
    cliente_id: Mapped[int] = fk("clientes.id", index=True)
    pendiente_id: Mapped[int] = fk("pendientes.id", index=True)
    monto: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    fecha_pago: Mapped[date] = mapped_column(index=True)
    metodo_pago: Mapped[MetodoPago] = mapped_column(StrEnumType(MetodoPago))
    referencia: Mapped[str | None] = mapped_column(String(255))
