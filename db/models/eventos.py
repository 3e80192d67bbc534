"""The events out: the outbox every change writes in its own transaction, the webhook subscriptions,
each event's delivery to each subscription and every attempt of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Identity, Index, Integer, String, Text, UniqueConstraint, func, text, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, BigIntPK, ColumnasComunes, StrEnumType, enum_check, fk
from domain.eventos import EstadoEntrega, Formato, TipoEvento


class Evento(Base):
    """One accepted change, as other systems learn of it. `numero` orders the outbox; `id` is the
    public, stable id (the `webhook-id` of every delivery of it)."""

    __tablename__ = "eventos"
    __table_args__ = (
        enum_check("tipo", TipoEvento),
        # The relay's queue: only the events not yet handed to the deliveries.
        Index("ix_eventos_por_despachar", "numero", postgresql_where=text("despachado_en IS NULL")),
    )

    numero: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    tipo: Mapped[TipoEvento] = mapped_column(StrEnumType(TipoEvento))
    pendiente_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    cliente_id: Mapped[int | None] = mapped_column(BigInteger)
    # The pendiente's version after the change (its seq), when the event is about a pendiente.
    seq: Mapped[int | None] = mapped_column(Integer)
    fecha: Mapped[datetime] = mapped_column(server_default=func.now())
    datos: Mapped[dict[str, Any]] = mapped_column(JSONB)
    despachado_en: Mapped[datetime | None]


class Webhook(ColumnasComunes, Base):
    """A subscription: where to POST which events, in which format, signed with which secret (Fernet-
    encrypted; the previous one keeps signing until `anterior_vence_en` after a rotation)."""

    __tablename__ = "webhooks"
    __table_args__ = (enum_check("formato", Formato),)

    id: Mapped[BigIntPK]
    url: Mapped[str] = mapped_column(String(2000))
    # None: every event type. Filters: None = any tipo / lugar of the pendiente.
    eventos: Mapped[list[str] | None] = mapped_column(JSONB)
    filtro_tipos: Mapped[list[str] | None] = mapped_column(JSONB)
    filtro_lugares: Mapped[list[str] | None] = mapped_column(JSONB)
    formato: Mapped[Formato] = mapped_column(StrEnumType(Formato), server_default=Formato.PENDIENTES.value)
    descripcion: Mapped[str | None] = mapped_column(String(500))
    activo: Mapped[bool] = mapped_column(server_default=true())
    motivo_inactivo: Mapped[str | None] = mapped_column(String(500))
    secreto_cifrado: Mapped[str] = mapped_column(Text)
    secreto_anterior_cifrado: Mapped[str | None] = mapped_column(Text)
    anterior_vence_en: Mapped[datetime | None]
    # Since when every attempt has failed (None after any success): past a setting, it is disabled.
    fallando_desde: Mapped[datetime | None]
    creado_por: Mapped[int | None] = mapped_column(BigInteger)

    def secretos_cifrados(self, ahora: datetime) -> list[str]:
        """The encrypted secrets that sign at `ahora`: the current one, then the previous one during the
        grace period after a rotation."""
        cifrados = [self.secreto_cifrado]
        if self.secreto_anterior_cifrado and self.anterior_vence_en and self.anterior_vence_en > ahora:
            cifrados.append(self.secreto_anterior_cifrado)
        return cifrados


class Entrega(Base):
    """One event's delivery to one subscription. `clave` groups what must arrive in order (the events
    of one pendiente, or of one client): a later one waits while an earlier one is being retried."""

    __tablename__ = "entregas"
    __table_args__ = (
        UniqueConstraint("webhook_id", "evento_numero"),
        enum_check("estado", EstadoEntrega),
        Index("ix_entregas_cola", "webhook_id", "clave", "estado", "evento_numero"),
    )

    id: Mapped[BigIntPK]
    webhook_id: Mapped[int] = fk("webhooks.id")
    evento_numero: Mapped[int] = fk("eventos.numero")
    clave: Mapped[str] = mapped_column(String(60))
    estado: Mapped[EstadoEntrega] = mapped_column(
        StrEnumType(EstadoEntrega), server_default=EstadoEntrega.PENDIENTE.value
    )
    intentos: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    proximo_intento: Mapped[datetime | None]
    ultimo_status: Mapped[int | None] = mapped_column(Integer)
    ultimo_error: Mapped[str | None] = mapped_column(String(500))
    fecha_creacion: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    entregada_en: Mapped[datetime | None]


class IntentoEntrega(Base):
    """One attempt of a delivery, as the delivery log shows it: when, the status code (None: no answer),
    how long it took, and a bounded excerpt of the answer or of the error."""

    __tablename__ = "intentos_entrega"

    id: Mapped[BigIntPK]
    entrega_id: Mapped[int] = fk("entregas.id", index=True)
    numero: Mapped[int] = mapped_column(Integer)
    fecha: Mapped[datetime] = mapped_column(server_default=func.now())
    status: Mapped[int | None] = mapped_column(Integer)
    latencia_ms: Mapped[int | None] = mapped_column(Integer)
    respuesta: Mapped[str | None] = mapped_column(String(1000))
    error: Mapped[str | None] = mapped_column(String(500))
