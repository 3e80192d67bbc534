"""Security and organisation: roles, accounts, menu modules, staff, and what login and the signed actor
need (failed-login counters, the signing key)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, BigIntPK, ColumnasComunes, fk, sql_list
from domain.permisos import Permiso


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


class IntentoLogin(Base):
    """A counter of failed logins (identidad.intentar_login): `ambito` says what `clave` is -- a client
    address, a DNI at an address ("dni@address"), a DNI, or "conocida": an address where that DNI logged
    in (kept 30 days). Counted whether or not an account has the DNI, so nothing reveals which exist.
    The public tracking pages count their requests per address here too (ambito "publico")."""

    __tablename__ = "intentos_login"

    ambito: Mapped[str] = mapped_column(String(10), primary_key=True)
    clave: Mapped[str] = mapped_column(String(100), primary_key=True)
    fallos: Mapped[int] = mapped_column(server_default=text("0"))
    # The last evaluated attempt: streaks, waits and pruning are measured from it.
    ultimo: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)


class ClaveFirma(Base):
    """The key with which the API signs who asks for a change and the worker checks it, kept where only
    our processes can read it (not in Temporal: whoever reaches its frontend must not forge an actor)."""

    __tablename__ = "claves_firma"

    id: Mapped[int] = mapped_column(primary_key=True)
    clave: Mapped[bytes] = mapped_column(LargeBinary)
    creada_en: Mapped[datetime] = mapped_column(server_default=func.now())
