"""Logs for people and for machines: one JSON object a line (production), or one readable line (development).

Every record carries the context of the work it belongs to, without the code that logs passing it along:
an HTTP request's id, user and pendiente (api/comun/observacion.py fills `contexto`), a workflow's or an
activity's ids (the Temporal SDK puts them on its loggers' records, infra/metricas.py on activities').
Secrets never get through: the message goes through the filter below (query-string secrets, JWTs; the
API also puts it on its loggers, api/comun/registro.py) before it is formatted, and the formatter copies
only the context keys listed here, never a record's arbitrary extras."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

# Secrets: a query key is judged by what the server understands, so it is percent-decoded first
# (`ppoe%50assword` is `ppoePassword`); any key naming a password, token or secret has its value replaced,
# whatever its spelling; anything shaped like a JWT is replaced wherever it appears.
OCULTO = "***"
# `key=value` as in a query string (or a log line quoting one): the key is judged decoded.
_PAR = re.compile(r"([^\s?&=\"';,]+)=([^&\s\"';,]*)")
# A JWT: three base64url parts, the first one a JSON object ("eyJ" is `{"` encoded).
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
# Decoded, lower-cased key names (letters and digits only) that carry a secret: `pppoePassword`,
# `ppoe_password`, `password`, `passwordActual`, `token`, `access_token`, `refreshToken`, `secret`...
_NOMBRES_SECRETOS = ("password", "passwd", "contrasena", "token", "secret", "jwt", "apikey", "authorization")
_DECODIFICACIONES = 5  # `%2550` is `%50` is `P`: decode until stable, a bounded number of times


def _decodificar(texto: str) -> str:
    for _ in range(_DECODIFICACIONES):
        decodificado = unquote_plus(texto)
        if decodificado == texto:
            break
        texto = decodificado
    return texto


def es_secreto(clave: str) -> bool:
    """Whether a query key, as the server decodes it, names a secret."""
    normal = re.sub(r"[^a-z0-9]", "", _decodificar(clave).lower())
    return any(nombre in normal for nombre in _NOMBRES_SECRETOS)


def ocultar_secretos(texto: str) -> str:
    def _par(coincidencia: re.Match[str]) -> str:
        clave = coincidencia.group(1)
        return f"{clave}={OCULTO}" if es_secreto(clave) else coincidencia.group(0)

    return _JWT.sub(OCULTO, _PAR.sub(_par, texto))


class FiltroSecretos(logging.Filter):
    """Rewrites a record's message and its string arguments (uvicorn passes the request line in
    `record.args`) before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_limpio(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _limpio(v) for k, v in record.args.items()}
        record.msg = _limpio(record.msg)
        return True


def _limpio(valor: object) -> object:
    return ocultar_secretos(valor) if isinstance(valor, str) else valor


# The context of the current unit of work: a dict created per HTTP request or activity attempt and
# filled as the work learns who it is for. Mutable on purpose: a dependency running in a copied context
# (a thread, a FastAPI sub-dependency) still adds to the request's own dict.
contexto: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("contexto_log", default=None)

# What a line may carry besides the message, in this order. `temporal_workflow` / `temporal_activity`
# are the dicts the Temporal SDK's loggers put on their records; only these ids are taken from them.
CAMPOS = ("request_id", "usuario_id", "pendiente_id", "workflow_id", "run_id", "update_id", "update_name")
CAMPOS += ("activity_type", "activity_id", "attempt", "cambio_id", "metodo", "ruta", "status", "ms")
_IDS_TEMPORAL = {
    "workflow_id": "workflow_id",
    "run_id": "run_id",
    "workflow_run_id": "run_id",
    "update_id": "update_id",
    "update_name": "update_name",
    "activity_type": "activity_type",
    "activity_id": "activity_id",
    "attempt": "attempt",
}


def campos_de(registro: logging.LogRecord) -> dict[str, Any]:
    """The context fields of a record: the current unit of work's, then the SDK's, then the call's own
    `extra` (for the listed keys only)."""
    campos: dict[str, Any] = {}
    for clave, valor in (contexto.get() or {}).items():
        if clave in CAMPOS and valor is not None:
            campos[clave] = valor
    for origen in ("temporal_workflow", "temporal_activity"):
        for clave, valor in (getattr(registro, origen, None) or {}).items():
            if clave in _IDS_TEMPORAL and valor is not None:
                campos[_IDS_TEMPORAL[clave]] = valor
    for clave in CAMPOS:
        if (valor := registro.__dict__.get(clave)) is not None:
            campos[clave] = valor
    return {clave: campos[clave] for clave in CAMPOS if clave in campos}


class FormatoJson(logging.Formatter):
    """`{"ts", "nivel", "logger", "mensaje", <context>, "error"}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        linea: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "nivel": record.levelname,
            "logger": record.name,
            "mensaje": ocultar_secretos(record.getMessage()),
            **campos_de(record),
        }
        if record.exc_info:
            linea["error"] = ocultar_secretos(self.formatException(record.exc_info))
        return json.dumps(linea, ensure_ascii=False, default=str)


class FormatoTexto(logging.Formatter):
    """The development line: time, level, logger, message, then the context as `clave=valor`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        linea = ocultar_secretos(super().format(record))
        campos = " ".join(f"{clave}={valor}" for clave, valor in campos_de(record).items())
        return f"{linea} [{campos}]" if campos else linea


def formateador(formato: str) -> logging.Formatter:
    return FormatoJson() if formato == "json" else FormatoTexto()


def configurar(formato: str, nivel: int = logging.INFO) -> None:
    """One handler on stderr, on the root logger, for the whole process. uvicorn's own loggers propagate to
    it; its access log is off, since api/comun/observacion.py logs each request with its context."""
    salida = logging.StreamHandler(sys.stderr)
    salida.setFormatter(formateador(formato))
    salida.addFilter(FiltroSecretos())
    raiz = logging.getLogger()
    for viejo in list(raiz.handlers):
        raiz.removeHandler(viejo)
    raiz.addHandler(salida)
    raiz.setLevel(nivel)
    for nombre in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(nombre)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
