"""Logging safety: secrets sent in query strings (accepted for old clients) and tokens never reach the logs.

A query key is judged by what the server understands, so it is percent-decoded first (`ppoe%50assword`
is `ppoePassword`); any key naming a password, token or secret has its value replaced, whatever its
spelling; and anything shaped like a JWT is replaced wherever it appears."""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

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


LOGGERS = ("uvicorn", "uvicorn.access", "uvicorn.error", "pendientes", "api")


def instalar_filtro() -> None:
    """On our loggers (records logged to them) and on the handlers present (records propagated from
    any child logger; uvicorn has configured its handlers before it loads the app)."""
    destinos: list[logging.Filterer] = [logging.getLogger(nombre) for nombre in LOGGERS]
    for logger in [logging.getLogger(), *destinos]:
        destinos += getattr(logger, "handlers", [])
    for destino in destinos:
        if not any(isinstance(f, FiltroSecretos) for f in destino.filters):
            destino.addFilter(FiltroSecretos())
