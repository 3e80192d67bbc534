"""The original's response envelope `{success, code, message, data}` and the error handlers that
guarantee every failure, expected or not, leaves in that envelope with an honest status."""

from __future__ import annotations

import logging
from typing import Any, Generic, TypeVar

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errores import ErrorPendientes

T = TypeVar("T")
log = logging.getLogger("api")


class Respuesta(BaseModel, Generic[T]):
    success: bool = True
    code: int = 200
    message: str = ""
    data: T | None = None


def ok(data: Any, message: str, code: int = 200) -> dict[str, Any]:
    return {"success": True, "code": code, "message": message, "data": data}


def _error(status: int, message: str, data: Any = None) -> JSONResponse:
    cuerpo = {"success": False, "code": status, "message": message, "data": jsonable_encoder(data)}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(cuerpo, status_code=status, headers=headers)


def _campo(loc: tuple[Any, ...]) -> str:
    """`('body', 'detalle', 'lugarDestino')` -> `detalle.lugarDestino`; query/path keep their name."""
    partes = [str(p) for p in loc if p != "body"]
    if partes and partes[0] in ("query", "path", "header"):
        partes = partes[1:]
    return ".".join(partes) or "body"


def instalar_manejadores(app: FastAPI) -> None:
    @app.exception_handler(ErrorPendientes)
    async def _dominio(_: Request, exc: ErrorPendientes) -> JSONResponse:
        return _error(exc.status, exc.mensaje, exc.data)

    @app.exception_handler(RequestValidationError)
    async def _validacion(_: Request, exc: RequestValidationError) -> JSONResponse:
        errores = [{"campo": _campo(tuple(e["loc"])), "mensaje": e["msg"]} for e in exc.errors()]
        primero = errores[0]["campo"] if errores else "body"
        return _error(422, f"dato inválido en '{primero}'", {"campo": primero, "errores": errores})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        mensajes = {404: "recurso no encontrado", 405: "método no permitido"}
        return _error(exc.status_code, mensajes.get(exc.status_code, str(exc.detail)))

    @app.exception_handler(DataError)
    async def _dato_rechazado(_: Request, exc: DataError) -> JSONResponse:
        # Postgres refused a value the validators let through (e.g. a NUL character in a text):
        # the client's input is at fault, so 422, not 500.
        log.info("value refused by the database: %s", type(exc.orig).__name__)
        return _error(422, "un valor enviado no es válido (caracteres o rango)", {"campo": "body"})

    @app.exception_handler(UnicodeEncodeError)
    async def _texto_no_codificable(_: Request, exc: UnicodeEncodeError) -> JSONResponse:
        # A text no validator caught (a lone surrogate from JSON) cannot be encoded for Postgres,
        # Temporal or a hash: the input is at fault. The text itself is never logged.
        log.info("text not encodable as %s", exc.encoding)
        return _error(422, "un texto enviado contiene caracteres no válidos", {"campo": "body"})

    @app.exception_handler(PoolTimeout)
    async def _saturado(_: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("database pool exhausted")
        return _error(503, "servicio saturado, reintente en unos segundos")

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _base_caida(_: Request, exc: Exception) -> JSONResponse:
        # Postgres unreachable or restarting: transient, the client may retry (never a 500).
        log.warning("database unavailable: %s", type(getattr(exc, "orig", exc)).__name__)
        return _error(503, "la base de datos no está disponible; reintente en unos segundos")

    @app.exception_handler(IntegrityError)
    async def _conflicto(_: Request, exc: IntegrityError) -> JSONResponse:
        restriccion = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
        return _error(409, "el cambio choca con datos existentes", {"restriccion": restriccion})

    @app.exception_handler(Exception)
    async def _inesperado(_: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the log; the client never sees internals.
        log.exception("unexpected error: %s", type(exc).__name__)
        return _error(500, "error interno del servidor")
