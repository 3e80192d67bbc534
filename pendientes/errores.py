"""Errors every layer may raise, each with its HTTP status. The API turns them into the envelope."""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError


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


# ApplicationError types raised by the workflow and its activities -> our errors.
_POR_TIPO: dict[str, type[ErrorPendientes]] = {
    "SinPermiso": SinPermiso,
    "NoAsignado": SinPermiso,
    "TransicionInvalida": Conflicto,
    "Bloqueado": Conflicto,
    "VersionObsoleta": Conflicto,
    "DatosInvalidos": DatosInvalidos,
    "TecnicoInvalido": DatosInvalidos,
    # Postgres refused a value inside an activity (e.g. a NUL character): the input is at fault.
    "DataError": DatosInvalidos,
    # The activity's database stayed unreachable through its retries.
    "BaseDeDatosNoDisponible": NoDisponible,
    "NoEncontrado": NoEncontrado,
    "ClaveReutilizada": DatosInvalidos,
}


def desde_workflow(error: BaseException | None) -> ErrorPendientes:
    """Translate a workflow/activity refusal; anything unknown becomes a generic 500 without internals."""
    while error is not None and not isinstance(error, ApplicationError):
        error = error.__cause__ or getattr(error, "cause", None)
    clase = _POR_TIPO.get(error.type or "") if error is not None else None
    if clase is None:
        return ErrorPendientes("error interno al procesar la acción")
    if error.type == "ClaveReutilizada":
        return DatosInvalidos(error.message, {"campo": "Idempotency-Key"})
    data = error.details[0] if error.details else None
    return clase(error.message, data)
