"""Repeating work orders: the template with its calendar rule (the Temporal Schedule `repetitivo-<id>`
runs it), and one reservation per occurrence that makes each occurrence create exactly one pendiente."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, SmallInteger, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, BigIntPK, ColumnasComunes, StrEnumType, enum_check, fk
from domain.enums import EmpresaPendiente, LugarPendiente, PrioridadPendiente, TipoPendiente
from domain.repetitivos import Frecuencia


class Repetitivo(ColumnasComunes, Base):
    """A template of a pendiente and when to create one. Deleting it is soft (`vigente` false): its
    Schedule is deleted, and the pendientes it created keep pointing at it."""

    __tablename__ = "repetitivos"
    __table_args__ = (
        enum_check("tipo", TipoPendiente),
        enum_check("lugar", LugarPendiente),
        enum_check("prioridad", PrioridadPendiente),
        enum_check("empresa", EmpresaPendiente),
        enum_check("frecuencia", Frecuencia),
        CheckConstraint("cada >= 1", name="cada"),
        CheckConstraint("fecha_fin IS NULL OR fecha_fin >= fecha_inicio", name="fechas"),
    )

    id: Mapped[BigIntPK]
    nombre: Mapped[str] = mapped_column(String(100))
    # The template: what each occurrence's pendiente is created with.
    tipo: Mapped[TipoPendiente] = mapped_column(StrEnumType(TipoPendiente))
    cliente_id: Mapped[int] = fk("clientes.id", index=True)
    # The type detail in column names (descripcion_falla, ...), as DatosPendiente carries it.
    detalle: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    prioridad: Mapped[PrioridadPendiente] = mapped_column(StrEnumType(PrioridadPendiente))
    lugar: Mapped[LugarPendiente] = mapped_column(StrEnumType(LugarPendiente))
    empresa: Mapped[EmpresaPendiente | None] = mapped_column(StrEnumType(EmpresaPendiente))
    direccion: Mapped[str | None] = mapped_column(String(200))
    tecnico_id: Mapped[int | None] = fk("empleados.id")
    # The registrant of every occurrence's pendiente: the empleado of whoever created the template.
    registrado_por: Mapped[int] = fk("empleados.id")
    creado_por: Mapped[int | None] = fk("usuarios.id")
    # The rule (domain/repetitivos.py). Weekdays 0 = Monday; days of the month 1 to 31.
    frecuencia: Mapped[Frecuencia] = mapped_column(StrEnumType(Frecuencia))
    cada: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    dias_semana: Mapped[list[int]] = mapped_column(
        ARRAY(SmallInteger), server_default=text("'{}'::smallint[]")
    )
    dias_mes: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger), server_default=text("'{}'::smallint[]"))
    hora: Mapped[time]
    fecha_inicio: Mapped[date]
    fecha_fin: Mapped[date | None]
    pausado: Mapped[bool] = mapped_column(server_default=text("false"))
    # The note of the last pause or resume (also on the Schedule, shown in the Temporal UI).
    nota: Mapped[str | None] = mapped_column(Text)


class OcurrenciaRepetitivo(Base):
    """The reservation of one occurrence: (template, planned instant) -> the pendiente id drawn for it.
    The key makes a retried or repeated occurrence find the same pendiente. No foreign key on
    `pendiente_id`: the id is drawn before the workflow writes the row (as the API's create does)."""

    __tablename__ = "ocurrencias_repetitivo"

    repetitivo_id: Mapped[int] = fk("repetitivos.id", primary_key=True)
    programada: Mapped[datetime] = mapped_column(primary_key=True)
    pendiente_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    fecha_creacion: Mapped[datetime] = mapped_column(server_default=func.now())
