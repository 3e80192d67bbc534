"""Customers."""

from __future__ import annotations

from sqlalchemy import Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, BigIntPK, ColumnasComunes, StrEnumType, enum_check
from domain.enums import TipoCliente, TipoDocumento


class Cliente(ColumnasComunes, Base):
    __tablename__ = "clientes"
    __table_args__ = (
        enum_check("tipo_cliente", TipoCliente),
        enum_check("tipo_documento", TipoDocumento),
        # A document identifies one active customer; deleted customers free their document.
        Index(
            "uq_clientes_documento_vigente",
            "tipo_documento",
            "numero_documento",
            unique=True,
            postgresql_where=text("vigente AND numero_documento IS NOT NULL"),
        ),
        # The pendiente list's text search matches clients first (db/models/base.TRIGRAMAS).
        Index(
            "ix_clientes_trigramas",
            # `trigramas(nombre, codigo_cliente, numero_documento, direccion)` as Postgres spells it back.
            text(
                "trigramas(VARIADIC ARRAY[nombre::text, codigo_cliente::text, numero_documento::text,"
                " direccion::text])"
            ),
            postgresql_using="gin",
        ),
    )

    id: Mapped[BigIntPK]
    tipo_cliente: Mapped[TipoCliente] = mapped_column(StrEnumType(TipoCliente))
    nombre: Mapped[str] = mapped_column(String(150), index=True)
    tipo_documento: Mapped[TipoDocumento] = mapped_column(StrEnumType(TipoDocumento))
    numero_documento: Mapped[str | None] = mapped_column(String(20))
    codigo_cliente: Mapped[str] = mapped_column(String(50), unique=True)
    direccion: Mapped[str | None] = mapped_column(String(200))
    telefono: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(100))
    contacto_representante: Mapped[str | None] = mapped_column(String(150))
