"""Reference data and what a pendiente uses of it: products, the items charged on a pendiente, catálogos
(bundles of products), and the mobile app's published versions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, String, Text, UniqueConstraint, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, BigIntPK, ColumnasComunes, StrEnumType, enum_check, fk
from domain.enums import TipoCatalogo


class Producto(ColumnasComunes, Base):
    __tablename__ = "productos"
    __table_args__ = (CheckConstraint("costo_unitario >= 0", name="costo_unitario"),)

    id: Mapped[BigIntPK]
    codigo_barra: Mapped[str | None] = mapped_column(String(100), unique=True)
    nombre: Mapped[str] = mapped_column(String(255))
    descripcion: Mapped[str | None] = mapped_column(String(255))
    costo_unitario: Mapped[Decimal] = mapped_column(Numeric(10, 2))


class PendienteItem(ColumnasComunes, Base):
    __tablename__ = "pendientes_items"
    __table_args__ = (
        CheckConstraint("cantidad > 0", name="cantidad"),
        CheckConstraint("costo_unitario >= 0", name="costo_unitario"),
        # The total is computed, never taken from the client.
        CheckConstraint("costo_total = cantidad * costo_unitario", name="costo_total"),
    )

    id: Mapped[BigIntPK]
    pendiente_id: Mapped[int] = fk("pendientes.id", index=True)
    producto_id: Mapped[int] = fk("productos.id")
    descripcion: Mapped[str | None] = mapped_column(String(255))
    cantidad: Mapped[int]
    costo_unitario: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    costo_total: Mapped[Decimal] = mapped_column(Numeric(12, 2))

    producto: Mapped[Producto] = relationship(lazy="raise")


class Catalogo(ColumnasComunes, Base):
    __tablename__ = "catalogos"
    __table_args__ = (enum_check("tipo", TipoCatalogo),)

    id: Mapped[BigIntPK]
    nombre: Mapped[str] = mapped_column(String(255))
    descripcion: Mapped[str | None] = mapped_column(String(255))
    tipo: Mapped[TipoCatalogo | None] = mapped_column(StrEnumType(TipoCatalogo))

    productos: Mapped[list[CatalogoProducto]] = relationship(
        back_populates="catalogo", cascade="all, delete-orphan", lazy="raise"
    )


class CatalogoProducto(ColumnasComunes, Base):
    __tablename__ = "catalogo_productos"
    __table_args__ = (
        UniqueConstraint("catalogo_id", "producto_id"),
        CheckConstraint("cantidad > 0", name="cantidad"),
    )

    id: Mapped[BigIntPK]
    catalogo_id: Mapped[int] = fk("catalogos.id")
    producto_id: Mapped[int] = fk("productos.id")
    cantidad: Mapped[int] = mapped_column(server_default=text("1"))

    catalogo: Mapped[Catalogo] = relationship(back_populates="productos", lazy="raise")
    producto: Mapped[Producto] = relationship(lazy="raise")


class AppVersion(Base):
    __tablename__ = "app_version"

    id: Mapped[BigIntPK]
    version_code: Mapped[str] = mapped_column(String(20))
    plataforma: Mapped[str] = mapped_column(String(20))
    obligatoria: Mapped[bool]
    descripcion: Mapped[str | None] = mapped_column(Text)
    fecha_publicacion: Mapped[datetime]
    vigente: Mapped[bool] = mapped_column(server_default=true())
