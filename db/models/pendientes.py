"""Work orders: the pendiente, its type detail (one table per type, sharing the pendiente's key), the
audit trail of its changes, and the clients' Idempotency-Keys for creating and acting on one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Index,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, BigIntPK, ColumnasComunes, StrEnumType, enum_check, fk
from domain.enums import (
    EmpresaPendiente,
    EstadoPendiente,
    EstadoSla,
    EstadoTecnico,
    LugarPendiente,
    PrioridadPendiente,
    TipoDispositivoRecojo,
    TipoInstalacion,
    TipoPendiente,
    TipoServicio,
)

if TYPE_CHECKING:
    from db.models.clientes import Cliente
    from db.models.identidad import Empleado


def vlan_check() -> CheckConstraint:
    return CheckConstraint("vlan BETWEEN 1 AND 4094", name="vlan")


class Pendiente(ColumnasComunes, Base):
    __tablename__ = "pendientes"
    __table_args__ = (
        enum_check("estado", EstadoPendiente),
        enum_check("estado_tecnico", EstadoTecnico),
        enum_check("lugar", LugarPendiente),
        enum_check("empresa", EmpresaPendiente),
        enum_check("prioridad", PrioridadPendiente),
        enum_check("tipo", TipoPendiente),
        enum_check("estado_sla", EstadoSla),
        # The lists (api/pendientes/servicio.py) read live rows only: their default order (carrying the
        # date a date filter tests), estado + lugar, and the text search on the address
        # (db/models/base.TRIGRAMAS).
        Index(
            "ix_pendientes_vigentes_por_creacion",
            text("fecha_creacion DESC"),
            text("id DESC"),
            postgresql_where=text("vigente"),
            postgresql_include=["fecha_pendiente"],
        ),
        Index("ix_pendientes_vigentes_lugar_estado", "lugar", "estado", postgresql_where=text("vigente")),
        Index(
            "ix_pendientes_vigentes_trigramas",
            # As Postgres spells the call `trigramas(direccion)` back, so Alembic finds no difference.
            text("trigramas(VARIADIC ARRAY[direccion::text])"),
            postgresql_using="gin",
            postgresql_where=text("vigente"),
        ),
        # Covering (revision 0010): a date range, a technician's rows and the board's columns are
        # counted from an index alone; each board column walks the estado index in its card order.
        Index(
            "ix_pendientes_fecha_pendiente",
            "fecha_pendiente",
            postgresql_include=["fecha_creacion", "id", "vigente"],
        ),
        Index("ix_pendientes_registrado_por", "registrado_por", postgresql_include=["vigente", "estado"]),
        Index(
            "ix_pendientes_asignado_a",
            "asignado_a",
            postgresql_include=["registrado_por", "vigente", "estado"],
        ),
        Index(
            "ix_pendientes_estado",
            "estado",
            "sla_vence",
            "fecha_pendiente",
            "id",
            postgresql_include=["vigente"],
        ),
    )

    # BY DEFAULT (not ALWAYS): the API may draw an id from the sequence before inserting the row.
    id: Mapped[BigIntPK]
    fecha_pendiente: Mapped[datetime | None]
    registrado_por: Mapped[int] = fk("empleados.id")
    asignado_a: Mapped[int | None] = fk("empleados.id")
    estado: Mapped[EstadoPendiente] = mapped_column(
        StrEnumType(EstadoPendiente), server_default=EstadoPendiente.REGISTRADO.value
    )
    estado_tecnico: Mapped[EstadoTecnico] = mapped_column(
        StrEnumType(EstadoTecnico), server_default=EstadoTecnico.OK.value
    )
    lugar: Mapped[LugarPendiente] = mapped_column(StrEnumType(LugarPendiente), index=True)
    empresa: Mapped[EmpresaPendiente | None] = mapped_column(StrEnumType(EmpresaPendiente))
    prioridad: Mapped[PrioridadPendiente] = mapped_column(StrEnumType(PrioridadPendiente))
    direccion: Mapped[str | None] = mapped_column(String(200))
    tipo: Mapped[TipoPendiente] = mapped_column(StrEnumType(TipoPendiente), index=True)
    cliente_id: Mapped[int] = fk("clientes.id", index=True)
    vencido: Mapped[bool] = mapped_column(server_default=text("false"), index=True)
    # Lifecycle transitions applied so far; a write tagged with a seq already applied is a retry.
    seq: Mapped[int] = mapped_column(server_default=text("0"))
    # The resolution clock (domain/sla.py), written by the workflow with every change. NULL for
    # pendientes created before the SLA existed.
    estado_sla: Mapped[EstadoSla | None] = mapped_column(StrEnumType(EstadoSla), index=True)
    sla_plazo_seg: Mapped[int | None]
    sla_consumido_seg: Mapped[int | None]
    # When the clock last started; NULL while it is stopped (POSTERGADO, POR_VALIDAR, closed).
    sla_desde: Mapped[datetime | None]
    # The deadline while the clock runs (sla_desde + plazo - consumido), to sort and filter by.
    sla_vence: Mapped[datetime | None] = mapped_column(index=True)
    # The highest escalation raised: 0, 50, 75 or 100 (% of the deadline).
    sla_nivel: Mapped[int | None] = mapped_column(SmallInteger)
    # The repeating work order that created it (db/models/repetitivos.py), if any.
    repetitivo_id: Mapped[int | None] = fk("repetitivos.id", index=True)

    cliente: Mapped[Cliente] = relationship(lazy="raise")
    registrado_por_empleado: Mapped[Empleado] = relationship(foreign_keys=[registrado_por], lazy="raise")
    asignado_a_empleado: Mapped[Empleado | None] = relationship(foreign_keys=[asignado_a], lazy="raise")
    averia: Mapped[PendienteAveria | None] = relationship(lazy="raise")
    instalacion_internet: Mapped[PendienteInstalacionInternet | None] = relationship(lazy="raise")
    instalacion_camaras: Mapped[PendienteInstalacionCamaras | None] = relationship(lazy="raise")
    recojo_dispositivo: Mapped[PendienteRecojoDispositivo | None] = relationship(lazy="raise")
    traslado: Mapped[PendienteTraslado | None] = relationship(lazy="raise")


class DetalleTipo(ColumnasComunes):
    """Type-detail row: shares the pendiente's key (one-to-one), so it is never generated."""

    pendiente_id: Mapped[int] = fk("pendientes.id", primary_key=True, autoincrement=False, sort_order=-1)


class PendienteAveria(DetalleTipo, Base):
    __tablename__ = "pendientes_averias"
    __table_args__ = (vlan_check(),)

    descripcion_falla: Mapped[str | None] = mapped_column(Text)
    vlan: Mapped[int | None]
    pppoe_usuario: Mapped[str | None] = mapped_column(String(100))
    pppoe_password_cifrado: Mapped[str | None] = mapped_column(Text)


class PendienteInstalacionInternet(DetalleTipo, Base):
    __tablename__ = "pendientes_instalaciones_internet"
    __table_args__ = (
        CheckConstraint("costo_fijo >= 0", name="costo_fijo"),
        enum_check("tipo_instalacion", TipoInstalacion),
        vlan_check(),
    )

    velocidad_solicitada: Mapped[str | None] = mapped_column(String(50))
    costo_fijo: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    tipo_instalacion: Mapped[TipoInstalacion | None] = mapped_column(StrEnumType(TipoInstalacion))
    vlan: Mapped[int | None]
    pppoe_usuario: Mapped[str | None] = mapped_column(String(100))
    pppoe_password_cifrado: Mapped[str | None] = mapped_column(Text)


class PendienteInstalacionCamaras(DetalleTipo, Base):
    __tablename__ = "pendientes_instalaciones_camaras"


class PendienteRecojoDispositivo(DetalleTipo, Base):
    __tablename__ = "pendientes_recojo_dispositivos"
    __table_args__ = (enum_check("dispositivo", TipoDispositivoRecojo),)

    dispositivo: Mapped[TipoDispositivoRecojo | None] = mapped_column(StrEnumType(TipoDispositivoRecojo))
    motivo: Mapped[str | None] = mapped_column(String(200))


class PendienteTraslado(DetalleTipo, Base):
    __tablename__ = "pendientes_traslados"
    __table_args__ = (
        enum_check("lugar_destino", LugarPendiente),
        enum_check("tipo_servicio", TipoServicio),
        vlan_check(),
    )

    lugar_destino: Mapped[LugarPendiente] = mapped_column(StrEnumType(LugarPendiente))
    direccion_destino: Mapped[str | None] = mapped_column(String(200))
    tipo_servicio: Mapped[TipoServicio | None] = mapped_column(StrEnumType(TipoServicio))
    vlan: Mapped[int | None]
    pppoe_usuario: Mapped[str | None] = mapped_column(String(100))
    pppoe_password_cifrado: Mapped[str | None] = mapped_column(Text)


class Historial(ColumnasComunes, Base):
    """Append-only audit entry, written in the same transaction as the change it records."""

    __tablename__ = "historiales"
    __table_args__ = (
        enum_check("estado_anterior", EstadoPendiente),
        enum_check("estado", EstadoPendiente),
        enum_check("estado_tecnico_anterior", EstadoTecnico),
        enum_check("estado_tecnico", EstadoTecnico),
        # One entry per transition, so a retried write cannot record it twice. Manual entries have
        # seq NULL, and NULLs never collide.
        UniqueConstraint("pendiente_id", "seq"),
        # A change is identified by its key, not only its seq: a retry finds its own entry, and a seq
        # taken by another change shows that Postgres is ahead of the workflow.
        UniqueConstraint("pendiente_id", "cambio_id"),
        Index(None, "pendiente_id", "fecha_creacion"),
    )

    id: Mapped[BigIntPK]
    pendiente_id: Mapped[int] = fk("pendientes.id")
    # NULL when the system acted (e.g. a timer); actor_nombre is then 'sistema'.
    empleado_id: Mapped[int | None] = fk("empleados.id")
    actor_nombre: Mapped[str] = mapped_column(String(200))
    accion: Mapped[str] = mapped_column(String(50))
    estado_anterior: Mapped[EstadoPendiente | None] = mapped_column(StrEnumType(EstadoPendiente))
    estado: Mapped[EstadoPendiente] = mapped_column(StrEnumType(EstadoPendiente))
    estado_tecnico_anterior: Mapped[EstadoTecnico | None] = mapped_column(StrEnumType(EstadoTecnico))
    estado_tecnico: Mapped[EstadoTecnico | None] = mapped_column(StrEnumType(EstadoTecnico))
    detalles: Mapped[str | None] = mapped_column(String(500))
    seq: Mapped[int | None]
    # The Idempotency-Key (scoped by user) or the system's id of the change, and a fingerprint of it.
    cambio_id: Mapped[str | None] = mapped_column(String(300))
    huella: Mapped[str | None] = mapped_column(String(64))

    empleado: Mapped[Empleado | None] = relationship(lazy="raise")


class IdempotencyKey(Base):
    """A client's Idempotency-Key: a repeated request with the same key gets the stored answer."""

    __tablename__ = "idempotency_keys"

    usuario_id: Mapped[int] = fk("usuarios.id", primary_key=True)
    clave: Mapped[str] = mapped_column(String(200), primary_key=True)
    operacion: Mapped[str] = mapped_column(String(100))
    # Hash of the request body: the same key reused for a different request is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    recurso_id: Mapped[int | None] = mapped_column(BigInteger)
    respuesta: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    creado_en: Mapped[datetime] = mapped_column(server_default=func.now())
