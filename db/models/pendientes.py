"""SQLAlchemy models of the whole domain. The database enforces what it can (uniqueness, enum values,
ranges, foreign keys) so a bug in one writer cannot store what the API would refuse.

Every relationship is lazy="raise": async code must say what it loads (selectinload/joinedload)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from domain.enums import (
    EmpresaPendiente,
    EstadoPendiente,
    EstadoTecnico,
    LugarPendiente,
    MetodoPago,
    NotificationEstado,
    NotificationTipo,
    PrioridadPendiente,
    TipoCatalogo,
    TipoCliente,
    TipoDispositivoRecojo,
    TipoDocumento,
    TipoInstalacion,
    TipoPendiente,
    TipoServicio,
)
from domain.permisos import Permiso

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

E = TypeVar("E", bound=StrEnum)

# Enum columns are wider than today's longest value so adding a value only touches the CHECK.
ENUM_LENGTH = 50


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}
    # Fetch server-generated values (defaults, fecha_modificacion) with RETURNING on INSERT and UPDATE:
    # an expired attribute would otherwise be reloaded implicitly, which async sessions cannot do.
    __mapper_args__ = {"eager_defaults": True}


class StrEnumType(TypeDecorator[E]):
    """A StrEnum stored as its value in a VARCHAR; the allowed values are a CHECK (`enum_check`)."""

    impl = String(ENUM_LENGTH)
    cache_ok = True

    def __init__(self, enum_cls: type[E]) -> None:
        super().__init__()
        self.enum_cls = enum_cls

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum_cls(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_cls(value)


def sql_list(values: type[StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


def enum_check(column: str, enum_cls: type[StrEnum]) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({sql_list(enum_cls)})", name=column)


def vlan_check() -> CheckConstraint:
    return CheckConstraint("vlan BETWEEN 1 AND 4094", name="vlan")


BigIntPK = Annotated[int, mapped_column(BigInteger, Identity(), primary_key=True)]


def fk(target: str, **kwargs: Any) -> MappedColumn[Any]:
    """A bigint foreign key column (every surrogate key is bigint)."""
    return mapped_column(BigInteger, ForeignKey(target), **kwargs)


class ColumnasComunes:
    # sort_order puts these after each table's own columns.
    fecha_creacion: Mapped[datetime] = mapped_column(server_default=func.now(), sort_order=100)
    fecha_modificacion: Mapped[datetime | None] = mapped_column(onupdate=func.now(), sort_order=100)
    # Soft-delete flag: false means deleted (404 by id, absent from lists).
    vigente: Mapped[bool] = mapped_column(server_default=true(), sort_order=100)


# --- Security and organisation ---------------------------------------------------------------------


class Rol(ColumnasComunes, Base):
    __tablename__ = "roles"
    __table_args__ = (CheckConstraint(f"permisos <@ ARRAY[{sql_list(Permiso)}]::varchar[]", name="permisos"),)

    # Client-supplied slug, immutable.
    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    nombre: Mapped[str] = mapped_column(String(100), unique=True)
    descripcion: Mapped[str | None] = mapped_column(String(200))
    permisos: Mapped[list[str]] = mapped_column(ARRAY(String(50)), server_default=text("'{}'"))


class Usuario(ColumnasComunes, Base):
    __tablename__ = "usuarios"

    id: Mapped[BigIntPK]
    nombre: Mapped[str] = mapped_column(String(150), unique=True)
    dni: Mapped[str] = mapped_column(String(20), unique=True)
    email: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    rol_id: Mapped[str] = mapped_column(String(50), ForeignKey("roles.id"))
    empleado_id: Mapped[int | None] = fk("empleados.id", unique=True)
    # Here `vigente` means "may log in and act" (the API's `activo`), as in the original, so every reader
    # that checks it stays right; a deleted account is also marked here (404 by id, absent from lists).
    eliminado_en: Mapped[datetime | None] = mapped_column(sort_order=101)

    rol: Mapped[Rol] = relationship(lazy="raise")
    empleado: Mapped[Empleado | None] = relationship(lazy="raise")


class Modulo(ColumnasComunes, Base):
    __tablename__ = "modulos"

    id: Mapped[BigIntPK]
    nombre: Mapped[str | None] = mapped_column(String(255))
    descripcion: Mapped[str | None] = mapped_column(String(255))
    icono: Mapped[str | None] = mapped_column(String(255))
    ruta: Mapped[str | None] = mapped_column(String(255))
    modulo_padre_id: Mapped[int | None] = fk("modulos.id")
    # As for usuarios: `vigente` is the API's `activo` (shown in menus); deletion is marked here.
    eliminado_en: Mapped[datetime | None] = mapped_column(sort_order=101)

    padre: Mapped[Modulo | None] = relationship(remote_side="Modulo.id", back_populates="hijos", lazy="raise")
    hijos: Mapped[list[Modulo]] = relationship(back_populates="padre", lazy="raise")


class ModuloRol(ColumnasComunes, Base):
    __tablename__ = "modulo_roles"
    __table_args__ = (UniqueConstraint("modulo_id", "rol_id"),)

    id: Mapped[BigIntPK]
    modulo_id: Mapped[int] = fk("modulos.id")
    rol_id: Mapped[str] = mapped_column(String(50), ForeignKey("roles.id"))
    permisos: Mapped[str | None] = mapped_column(String(255))

    modulo: Mapped[Modulo] = relationship(lazy="raise")
    rol: Mapped[Rol] = relationship(lazy="raise")


class Cargo(ColumnasComunes, Base):
    __tablename__ = "cargos"

    id: Mapped[BigIntPK]
    nombre: Mapped[str] = mapped_column(String(100), unique=True)
    descripcion: Mapped[str | None] = mapped_column(String(255))


class Empleado(ColumnasComunes, Base):
    __tablename__ = "empleados"

    id: Mapped[BigIntPK]
    nombre: Mapped[str] = mapped_column(String(150))
    apellido_paterno: Mapped[str | None] = mapped_column(String(150))
    apellido_materno: Mapped[str | None] = mapped_column(String(150))
    telefono: Mapped[str | None] = mapped_column(String(255))
    correo: Mapped[str | None] = mapped_column(String(255))
    cargo_id: Mapped[int] = fk("cargos.id")
    fecha_ingreso: Mapped[date]

    cargo: Mapped[Cargo] = relationship(lazy="raise")


# --- Customers -------------------------------------------------------------------------------------


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


# --- Work orders -----------------------------------------------------------------------------------


class Pendiente(ColumnasComunes, Base):
    __tablename__ = "pendientes"
    __table_args__ = (
        enum_check("estado", EstadoPendiente),
        enum_check("estado_tecnico", EstadoTecnico),
        enum_check("lugar", LugarPendiente),
        enum_check("empresa", EmpresaPendiente),
        enum_check("prioridad", PrioridadPendiente),
        enum_check("tipo", TipoPendiente),
    )

    # BY DEFAULT (not ALWAYS): the API may draw an id from the sequence before inserting the row.
    id: Mapped[BigIntPK]
    fecha_pendiente: Mapped[datetime | None] = mapped_column(index=True)
    registrado_por: Mapped[int] = fk("empleados.id", index=True)
    asignado_a: Mapped[int | None] = fk("empleados.id", index=True)
    estado: Mapped[EstadoPendiente] = mapped_column(
        StrEnumType(EstadoPendiente), server_default=EstadoPendiente.REGISTRADO.value, index=True
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


class PendienteTiempo(ColumnasComunes, Base):
    __tablename__ = "pendientes_tiempos"
    __table_args__ = (
        CheckConstraint("hora_fin >= hora_inicio", name="hora_fin"),
        # At most one open session per technician and pendiente.
        Index(
            "uq_pendientes_tiempos_sesion_abierta",
            "pendiente_id",
            "empleado_id",
            unique=True,
            postgresql_where=text("hora_fin IS NULL AND vigente"),
        ),
    )

    id: Mapped[BigIntPK]
    pendiente_id: Mapped[int] = fk("pendientes.id", index=True)
    empleado_id: Mapped[int] = fk("empleados.id")
    hora_inicio: Mapped[datetime]
    hora_fin: Mapped[datetime | None]
    descripcion: Mapped[str | None] = mapped_column(String(255))

    empleado: Mapped[Empleado] = relationship(lazy="raise")


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


# --- Money, products, catalogues -------------------------------------------------------------------


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


class Producto(ColumnasComunes, Base):
    __tablename__ = "productos"
    __table_args__ = (CheckConstraint("costo_unitario >= 0", name="costo_unitario"),)

    id: Mapped[BigIntPK]
    codigo_barra: Mapped[str | None] = mapped_column(String(100), unique=True)
    nombre: Mapped[str] = mapped_column(String(255))
    descripcion: Mapped[str | None] = mapped_column(String(255))
    costo_unitario: Mapped[Decimal] = mapped_column(Numeric(10, 2))


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


# --- Notifications and app versions ----------------------------------------------------------------


class Notificacion(ColumnasComunes, Base):
    __tablename__ = "notificaciones"
    __table_args__ = (
        enum_check("tipo", NotificationTipo),
        enum_check("estado", NotificationEstado),
        Index(None, "usuario_id", "estado"),
    )

    id: Mapped[BigIntPK]
    titulo: Mapped[str] = mapped_column(String(200))
    mensaje: Mapped[str | None] = mapped_column(Text)
    tipo: Mapped[NotificationTipo] = mapped_column(StrEnumType(NotificationTipo))
    estado: Mapped[NotificationEstado] = mapped_column(
        StrEnumType(NotificationEstado), server_default=NotificationEstado.NO_LEIDO.value
    )
    usuario_id: Mapped[int] = fk("usuarios.id")
    pendiente_id: Mapped[int | None] = fk("pendientes.id")
    # Derived from the event, so a retried activity finds its notification instead of adding another.
    evento_clave: Mapped[str | None] = mapped_column(String(200), unique=True)


class AppVersion(Base):
    __tablename__ = "app_version"

    id: Mapped[BigIntPK]
    version_code: Mapped[str] = mapped_column(String(20))
    plataforma: Mapped[str] = mapped_column(String(20))
    obligatoria: Mapped[bool]
    descripcion: Mapped[str | None] = mapped_column(Text)
    fecha_publicacion: Mapped[datetime]
    vigente: Mapped[bool] = mapped_column(server_default=true())


# --- Infrastructure --------------------------------------------------------------------------------


class IntentoLogin(Base):
    """A counter of failed logins (identidad.intentar_login): `ambito` says what `clave` is -- a client
    address, a DNI at an address ("dni@address"), a DNI, or "conocida": an address where that DNI logged
    in (kept 30 days). Counted whether or not an account has the DNI, so nothing reveals which exist."""

    __tablename__ = "intentos_login"

    ambito: Mapped[str] = mapped_column(String(10), primary_key=True)
    clave: Mapped[str] = mapped_column(String(100), primary_key=True)
    fallos: Mapped[int] = mapped_column(server_default=text("0"))
    # The last evaluated attempt: streaks, waits and pruning are measured from it.
    ultimo: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)


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


class ClaveFirma(Base):
    """The key with which the API signs who asks for a change and the worker checks it, kept where only
    our processes can read it (not in Temporal: whoever reaches its frontend must not forge an actor)."""

    __tablename__ = "claves_firma"

    id: Mapped[int] = mapped_column(primary_key=True)
    clave: Mapped[bytes] = mapped_column(LargeBinary)
    creada_en: Mapped[datetime] = mapped_column(server_default=func.now())


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
