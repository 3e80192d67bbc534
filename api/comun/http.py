"""HTTP pieces every feature's routes share: the documented error answers, path ids, the
Idempotency-Key and If-Match headers, and validation outside FastAPI's body parsing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Path
from pydantic import BaseModel, ValidationError

from api.comun.deps import UsuarioActual
from api.comun.respuesta import Respuesta
from api.comun.tipos import VERSION_MAXIMA
from domain.errores import DatosInvalidos

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta un permiso"},
    404: {"model": Respuesta[dict], "description": "Id desconocido"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
    503: {"model": Respuesta[dict], "description": "Postgres o Temporal no disponibles"},
}
CONFLICTOS = ERRORES | {409: {"model": Respuesta[dict], "description": "No permitido en el estado actual"}}

IdPendiente = Annotated[int, Path(gt=0, le=2**63 - 1, description="Id del pendiente")]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="Reintentos con la misma clave no duplican"),
]
IfMatch = Annotated[
    str | None, Header(alias="If-Match", description="Versión del pendiente que vio el cliente")
]


def clave_de(usuario: UsuarioActual, clave: str | None) -> str | None:
    # Keys are per user: two users can never collide on the same key.
    return f"{usuario.id}:{clave}" if clave else None


def version_esperada(if_match: str | None, version: int | None = None) -> int | None:
    """The version the caller saw: `version` in the body, else `If-Match: "<version>"`."""
    if version is not None or not if_match:
        return version
    limpio = if_match.removeprefix("W/").strip('"')
    # Bounded before int(): a version is an integer column, and Python refuses > 4,300 digits.
    if not (limpio.isascii() and limpio.isdigit() and len(limpio) <= 10 and int(limpio) <= VERSION_MAXIMA):
        raise DatosInvalidos(
            f"If-Match debe ser la versión del pendiente (0 a {VERSION_MAXIMA})", {"campo": "If-Match"}
        )
    return int(limpio)


def validar(modelo: type[BaseModel], datos: dict[str, Any]) -> Any:
    """Validate outside FastAPI's own body parsing, with the same 422 naming the field."""
    try:
        return modelo.model_validate(datos)
    except ValidationError as error:
        primero = error.errors()[0]
        campo = ".".join(str(p) for p in primero["loc"]) or "body"
        raise DatosInvalidos(f"dato inválido en '{campo}': {primero['msg']}", {"campo": campo}) from None
