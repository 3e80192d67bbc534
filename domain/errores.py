"""Errors every layer may raise, each with its HTTP status. The API turns them into the envelope."""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from domain.acciones import Actor, Situacion, acciones_permitidas


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


def datos_conflicto(situacion: Situacion | None, version: int | None, actor: Actor | None = None) -> dict:
    """The one 409 body (README "Errores"): where the pendiente stands and what this caller may do now.
    Without an actor nobody may act (a closed pendiente: its workflow has ended)."""
    permitidas = acciones_permitidas(situacion, actor) if situacion and actor else []
    return {
        "estado": situacion.estado.value if situacion else None,
        "estadoTecnico": situacion.estado_tecnico.value if situacion else None,
        "accionesPermitidas": [a.value for a in permitidas],
        "version": version,
    }


# How the API spells the fields an action needs (domain DATOS_REQUERIDOS): a 422 names them so.
CAMPOS_DE_ACCION = {
    "tecnico_id": "tecnicoId",
    "motivo": "motivo",
    "nueva_fecha": "nuevaFecha",
    "vlan": "vlan",
    "pppoe_usuario": "pppoeUser",
    "pppoe_password_cifrado": "pppoePassword",
}


def dato_invalido(mensaje: str, campo: str, tipo: str = "DatosInvalidos") -> ApplicationError:
    """A workflow/activity refusal of one field (a 422 whose data names `campo` as the API spells it).
    BENIGN: a refusal is not an error, so the worker logs the failed activity at DEBUG, not as a
    WARNING with its traceback, and records no failure metric."""
    return ApplicationError(
        mensaje, {"campo": campo}, type=tipo, non_retryable=True, category=ApplicationErrorCategory.BENIGN
    )


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
