"""Errors every layer may raise, each with its HTTP status. The API turns them into the envelope."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from temporalio.exceptions import ApplicationError, ApplicationErrorCategory


class TipoError(StrEnum):
    """Every error type a refusal travels with (`ApplicationError.type`) from domain/, the workflow and
    the activities to the API, which maps each to an HTTP status (`_POR_TIPO` below). Spelled only here."""

    SIN_PERMISO = "SinPermiso"  # 403: the role lacks every permission the rule asks for
    NO_ASIGNADO = "NoAsignado"  # 403: EJECUTAR_TRABAJO but not the assigned technician
    TRANSICION_INVALIDA = "TransicionInvalida"  # 409: not allowed from the current state
    BLOQUEADO = "Bloqueado"  # 409: allowed from the state, blocked by a business guard
    VERSION_OBSOLETA = "VersionObsoleta"  # 409: If-Match / version no longer current
    DATOS_INVALIDOS = "DatosInvalidos"  # 422: a value the rules or the database refuse
    TECNICO_INVALIDO = "TecnicoInvalido"  # 422: the assignee cannot execute work
    CLAVE_REUTILIZADA = "ClaveReutilizada"  # 422: an Idempotency-Key reused for another request
    NO_ENCONTRADO = "NoEncontrado"  # 404
    # A SQLAlchemy DataError escaping an activity: the SDK names the failure after the class.
    DATA_ERROR = "DataError"  # 422
    BD_NO_DISPONIBLE = "BaseDeDatosNoDisponible"  # 503: Postgres unreachable through the retries
    ERROR_INTERNO = "ErrorInterno"  # 500: a bug; the message is fixed, without internals


class ErrorPendientes(Exception):
    status = 500

    def __init__(self, mensaje: str, data: Any = None) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje
        self.data = data


class NoAutenticado(ErrorPendientes):
    status = 401


class SinPermiso(ErrorPendientes):
    status = 403


class NoEncontrado(ErrorPendientes):
    status = 404


class Conflicto(ErrorPendientes):
    status = 409


class DatosInvalidos(ErrorPendientes):
    status = 422


class NoDisponible(ErrorPendientes):
    status = 503


class DemasiadosIntentos(ErrorPendientes):
    status = 429


# How the API spells the fields an action needs (domain DATOS_REQUERIDOS): a 422 names them so.
CAMPOS_DE_ACCION = {
    "tecnico_id": "tecnicoId",
    "motivo": "motivo",
    "nueva_fecha": "nuevaFecha",
    "vlan": "vlan",
    "pppoe_usuario": "pppoeUser",
    "pppoe_password_cifrado": "pppoePassword",
}


def dato_invalido(mensaje: str, campo: str, tipo: TipoError = TipoError.DATOS_INVALIDOS) -> ApplicationError:
    """A workflow/activity refusal of one field (a 422 whose data names `campo` as the API spells it).
    BENIGN: a refusal is not an error, so the worker logs the failed activity at DEBUG, not as a
    WARNING with its traceback, and records no failure metric."""
    return ApplicationError(
        mensaje, {"campo": campo}, type=tipo, non_retryable=True, category=ApplicationErrorCategory.BENIGN
    )


# ApplicationError types raised by the workflow and its activities -> our errors.
_POR_TIPO: dict[TipoError, type[ErrorPendientes]] = {
    TipoError.SIN_PERMISO: SinPermiso,
    TipoError.NO_ASIGNADO: SinPermiso,
    TipoError.TRANSICION_INVALIDA: Conflicto,
    TipoError.BLOQUEADO: Conflicto,
    TipoError.VERSION_OBSOLETA: Conflicto,
    TipoError.DATOS_INVALIDOS: DatosInvalidos,
    TipoError.TECNICO_INVALIDO: DatosInvalidos,
    # Postgres refused a value inside an activity (e.g. a NUL character): the input is at fault.
    TipoError.DATA_ERROR: DatosInvalidos,
    # The activity's database stayed unreachable through its retries.
    TipoError.BD_NO_DISPONIBLE: NoDisponible,
    TipoError.NO_ENCONTRADO: NoEncontrado,
    TipoError.CLAVE_REUTILIZADA: DatosInvalidos,
}


def desde_workflow(error: BaseException | None) -> ErrorPendientes:
    """Translate a workflow/activity refusal; anything unknown becomes a generic 500 without internals."""
    while error is not None and not isinstance(error, ApplicationError):
        error = error.__cause__ or getattr(error, "cause", None)
    clase = _POR_TIPO.get(error.type or "") if error is not None else None
    if clase is None:
        return ErrorPendientes("error interno al procesar la acción")
    if error.type == TipoError.CLAVE_REUTILIZADA:
        return DatosInvalidos(error.message, {"campo": "Idempotency-Key"})
    data = error.details[0] if error.details else None
    return clase(error.message, data)
