"""Bodies of /api/clientes with the original's camelCase names (reference §5.4) and the document rules of
the product decisions: DNI 8 digits; RUC 11 digits starting 10, 15, 17 or 20; CE up to 12 letters and
digits; OTRO free (up to 20 characters, the column's width).

The document rule depends on two fields and a PUT may send only one of them, so it is checked on the
merged values (`documento_valido`), not inside the models."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, EmailStr, Field, StringConstraints
from pydantic.alias_generators import to_camel

from api.comun.tipos import Camel, FechaHora
from domain.enums import TipoCliente, TipoDocumento
from domain.errores import DatosInvalidos

# Widths of the clientes columns (db/models.py).
LARGO_NOMBRE = 150
LARGO_DOCUMENTO = 20
LARGO_CODIGO = 50
LARGO_DIRECCION = 200
LARGO_TELEFONO = 20
LARGO_EMAIL = 100
LARGO_CONTACTO = 150

# Peruvian norms; RUC prefixes: 10 persons, 15/17 other taxpayers, 20 companies.
_FORMATOS: dict[TipoDocumento, tuple[re.Pattern[str], str]] = {
    TipoDocumento.DNI: (re.compile(r"[0-9]{8}"), "el DNI tiene 8 dígitos"),
    TipoDocumento.RUC: (
        re.compile(r"(10|15|17|20)[0-9]{9}"),
        "el RUC tiene 11 dígitos y empieza por 10, 15, 17 o 20",
    ),
    TipoDocumento.CE: (
        re.compile(r"[0-9A-Z]{1,12}"),
        "el carné de extranjería tiene hasta 12 letras y dígitos",
    ),
    TipoDocumento.OTRO: (re.compile(r".{1,20}", re.DOTALL), "el documento tiene hasta 20 caracteres"),
}


def documento_valido(tipo: TipoDocumento, numero: str | None) -> str:
    """The number to store, or a 422 naming numeroDocumento when it does not fit its type (checked on
    the merged values of a PUT). CE numbers are kept upper-case, so `ce12` and `CE12` are one client."""
    if numero is None:
        raise DatosInvalidos("numeroDocumento es obligatorio", {"campo": "numeroDocumento"})
    if tipo is TipoDocumento.CE:
        numero = numero.upper()
    patron, regla = _FORMATOS[tipo]
    if not patron.fullmatch(numero):
        raise DatosInvalidos(f"numeroDocumento inválido para {tipo}: {regla}", {"campo": "numeroDocumento"})
    return numero


def _vacio_a_nulo(valor: Any) -> Any:
    """Forms send "" for an empty optional field: store it as absent (null), not as an empty string."""
    if isinstance(valor, str) and not valor.strip():
        return None
    return valor


def Texto(maximo: int) -> Any:  # noqa: N802 - reads like a type in the models below
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=maximo)]


def Opcional(tipo: Any) -> Any:  # noqa: N802
    return Annotated[tipo | None, BeforeValidator(_vacio_a_nulo)]


Documento = Annotated[Texto(LARGO_DOCUMENTO) | None, BeforeValidator(_vacio_a_nulo)]
# A code is one token (letters, digits, `.`, `_`, `-`): it is typed in searches and printed on orders.
Codigo = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=LARGO_CODIGO, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    ),
]
Email = Annotated[EmailStr, Field(max_length=LARGO_EMAIL)]

EJEMPLO = {
    "nombre": "Empresa Telecom SAC",
    "tipoCliente": "EMPRESA",
    "tipoDocumento": "RUC",
    "numeroDocumento": "20512345678",
    "codigoCliente": "CLI042",
    "direccion": "Av. Principal 123, Lima",
    "telefono": "999888777",
    "email": "contacto@telecomsac.pe",
    "contactoRepresentante": "Carlos Mendoza",
}


class ClienteCrear(Camel):
    """POST body. `codigoCliente` omitted (or null) is generated as CLI000123."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, json_schema_extra={"example": EJEMPLO}
    )

    tipo_cliente: TipoCliente
    nombre: Texto(LARGO_NOMBRE)
    tipo_documento: TipoDocumento
    numero_documento: Documento = Field(description="Obligatorio; formato según tipoDocumento")
    codigo_cliente: Opcional(Codigo) = None
    direccion: Opcional(Texto(LARGO_DIRECCION)) = None
    telefono: Opcional(Texto(LARGO_TELEFONO)) = None
    email: Opcional(Email) = None
    contacto_representante: Opcional(Texto(LARGO_CONTACTO)) = None


class ClienteCambios(Camel):
    """PUT/PATCH body: only the fields present change; null clears an optional field and is refused
    (422 naming it) on tipoCliente, nombre, tipoDocumento, numeroDocumento and codigoCliente."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        json_schema_extra={"example": {"telefono": "987654321", "email": "nuevo@telecomsac.pe"}},
    )

    tipo_cliente: TipoCliente | None = None
    nombre: Opcional(Texto(LARGO_NOMBRE)) = None
    tipo_documento: TipoDocumento | None = None
    numero_documento: Documento = None
    codigo_cliente: Opcional(Codigo) = None
    direccion: Opcional(Texto(LARGO_DIRECCION)) = None
    telefono: Opcional(Texto(LARGO_TELEFONO)) = None
    email: Opcional(Email) = None
    contacto_representante: Opcional(Texto(LARGO_CONTACTO)) = None


OBLIGATORIOS = frozenset({"tipo_cliente", "nombre", "tipo_documento", "numero_documento", "codigo_cliente"})


class ClienteResponse(Camel):
    id: int
    tipo_cliente: TipoCliente
    nombre: str
    tipo_documento: TipoDocumento
    numero_documento: str | None
    codigo_cliente: str
    direccion: str | None
    telefono: str | None
    email: str | None
    contacto_representante: str | None
    fecha_creacion: FechaHora
    fecha_modificacion: FechaHora | None


def respuesta(fila: Any) -> ClienteResponse:
    return ClienteResponse.model_validate(fila, from_attributes=True)
