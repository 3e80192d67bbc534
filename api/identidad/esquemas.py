"""Bodies of /auth, /api/usuarios (usuarios, roles, módulos) and /api/empleados (empleados, cargos), with
the original's camelCase names (reference §5.1–5.3).

`...Crear` models are POST bodies; `...Cambios` models are partial PUT bodies: only the fields present
change, an explicit null clears a nullable field and is refused (422 naming it) on a required one."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, EmailStr, Field, SecretStr, StringConstraints, field_validator

from api.comun.tipos import Camel, FechaHora, Id
from domain.permisos import Permiso
from infra import seguridad


def _largo_password(valor: SecretStr) -> SecretStr:
    largo = len(valor.get_secret_value())
    if largo < seguridad.PASSWORD_MIN:
        raise ValueError(f"la contraseña debe tener al menos {seguridad.PASSWORD_MIN} caracteres")
    if largo > seguridad.PASSWORD_MAX:
        raise ValueError(f"la contraseña admite como máximo {seguridad.PASSWORD_MAX} caracteres")
    return valor


def _permisos_conocidos(valor: list[str]) -> list[str]:
    desconocidos = [p for p in valor if p not in Permiso.__members__]
    if desconocidos:
        raise ValueError(f"permisos desconocidos: {', '.join(desconocidos)}")
    return sorted(set(valor))


def _no_nulo(valor: Any) -> Any:
    if valor is None:
        raise ValueError("no admite null")
    return valor


def no_nulos(*campos: str) -> Any:
    """For partial updates: these fields may be absent but not null."""
    return field_validator(*campos)(_no_nulo)


def Texto(maximo: int) -> Any:  # noqa: N802 - reads like a type in the models below
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=maximo)]


# A new password (a SecretStr, so it never shows in a repr or a log line).
Password = Annotated[SecretStr, AfterValidator(_largo_password)]
# Peruvian DNI (8 digits) or carné de extranjería (up to 12 letters and digits).
Dni = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z]{8,12}$")]
Email = Annotated[EmailStr, AfterValidator(str.lower), Field(max_length=150)]
RolId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=50)]
Permisos = Annotated[
    list[str],
    AfterValidator(_permisos_conocidos),
    Field(max_length=50, json_schema_extra={"items": {"type": "string", "enum": list(Permiso)}}),
]

# --- /auth -----------------------------------------------------------------------------------------


class LoginRequest(Camel):
    # Loose on purpose: a malformed DNI gets the same 401 as a wrong one.
    dni: str = Field(min_length=1, max_length=20)
    password: SecretStr = Field(min_length=1, max_length=seguridad.PASSWORD_MAX)


class LoginResponse(Camel):
    token: str
    nombre: str
    email: str
    rol: str
    expira_en: FechaHora = Field(
        description="Fin de validez del token (ISO-8601, hora de Lima como toda fecha de la API); "
        "renuévelo con /auth/refrescar"
    )


class CambioPasswordRequest(Camel):
    password_actual: SecretStr = Field(min_length=1, max_length=seguridad.PASSWORD_MAX)
    password_nueva: Password


# --- Usuarios --------------------------------------------------------------------------------------


class UsuarioCrear(Camel):
    nombre: Texto(150)
    dni: Dni
    email: Email
    password: Password
    activo: bool = True
    id_rol: RolId
    empleado_id: Id | None = None


class UsuarioCambios(Camel):
    nombre: Texto(150) | None = None
    dni: Dni | None = None
    email: Email | None = None
    password: Password | None = None
    activo: bool | None = None
    id_rol: RolId | None = None
    empleado_id: Id | None = None

    _requeridos = no_nulos("nombre", "dni", "email", "password", "activo", "id_rol")


class RolResumen(Camel):
    id: str
    nombre: str
    permisos: list[str]


class EmpleadoResumen(Camel):
    id: int
    nombre: str


class UsuarioResponse(Camel):
    id: int
    nombre: str
    dni: str
    email: str
    activo: bool
    rol: RolResumen
    empleado: EmpleadoResumen | None


# --- Roles -----------------------------------------------------------------------------------------


class RolCrear(Camel):
    id: RolId
    nombre: Texto(100)
    permisos: Permisos = []
    descripcion: Annotated[str, Field(max_length=200)] | None = None


class RolCambios(Camel):
    id: str | None = Field(default=None, description="Inmutable: si viene, debe ser el id de la ruta")
    nombre: Texto(100) | None = None
    permisos: Permisos | None = None
    descripcion: Annotated[str, Field(max_length=200)] | None = None

    _requeridos = no_nulos("nombre", "permisos")


class RolResponse(Camel):
    id: str
    nombre: str
    permisos: list[str]
    descripcion: str | None


# --- Módulos ---------------------------------------------------------------------------------------

Texto255 = Annotated[str, Field(max_length=255)]


class ModuloCrear(Camel):
    nombre: Texto(255)
    descripcion: Texto255 | None = None
    icono: Texto255 | None = None
    ruta: Texto255 | None = None
    modulo_padre_id: Id | None = None
    activo: bool = True

    @field_validator("activo", mode="before")
    @classmethod
    def _activo_por_defecto(cls, valor: Any) -> Any:
        return True if valor is None else valor  # as the original: null means active


class ModuloCambios(Camel):
    nombre: Texto(255) | None = None
    descripcion: Texto255 | None = None
    icono: Texto255 | None = None
    ruta: Texto255 | None = None
    modulo_padre_id: Id | None = None
    activo: bool | None = None

    _requeridos = no_nulos("nombre", "activo")


class ModuloResponse(Camel):
    id: int
    nombre: str | None
    descripcion: str | None
    icono: str | None
    ruta: str | None
    modulo_padre_id: int | None
    modulo_padre_nombre: str | None
    activo: bool


class SyncModulosRequest(Camel):
    rol_id: Annotated[str, Field(min_length=1, max_length=50)]
    modulo_ids: Annotated[list[Id], Field(max_length=1000)]


# --- Empleados y cargos ----------------------------------------------------------------------------

Telefono = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]


class EmpleadoCrear(Camel):
    nombre: Texto(150)
    apellido_paterno: Texto(150) | None = None
    apellido_materno: Texto(150) | None = None
    telefono: Telefono | None = None
    correo: Email | None = None
    cargo_id: Id
    fecha_ingreso: date


class EmpleadoCambios(Camel):
    nombre: Texto(150) | None = None
    apellido_paterno: Texto(150) | None = None
    apellido_materno: Texto(150) | None = None
    telefono: Telefono | None = None
    correo: Email | None = None
    cargo_id: Id | None = None
    fecha_ingreso: date | None = None

    _requeridos = no_nulos("nombre", "cargo_id", "fecha_ingreso")


class EmpleadoResponse(Camel):
    id: int
    nombre: str
    apellido_paterno: str | None
    apellido_materno: str | None
    telefono: str | None
    correo: str | None
    cargo: str = Field(description="Nombre del cargo, como el original")
    cargo_id: int
    fecha_ingreso: date


class CargoCrear(Camel):
    nombre: Texto(100)
    descripcion: Texto255 | None = None


class CargoCambios(Camel):
    nombre: Texto(100) | None = None
    descripcion: Texto255 | None = None

    _requeridos = no_nulos("nombre")


class CargoResponse(Camel):
    id: int
    nombre: str
    descripcion: str | None
