"""The customer's tracking links: one live link per pendiente at a time, found by the hash of its token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, BigIntPK, fk


class EnlaceSeguimiento(Base):
    """A link the customer opens without a login. The token itself is never stored in clear: its sha256
    finds the row (`token_hash`), and a Fernet copy (`token_cifrado`) lets dispatch be shown the same link
    again. `revocado_en` set: the link answers 404 forever."""

    __tablename__ = "enlaces_seguimiento"

    id: Mapped[BigIntPK]
    pendiente_id: Mapped[int] = fk("pendientes.id", index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_cifrado: Mapped[str] = mapped_column(Text)
    creado_por: Mapped[int | None] = fk("usuarios.id")
    fecha_creacion: Mapped[datetime] = mapped_column(server_default=func.now())
    revocado_en: Mapped[datetime | None]
