"""Logging safety: secrets sent in query strings (accepted for old clients) and tokens never reach the logs.

A query key is judged by what the server understands, so it is percent-decoded first (`ppoe%50assword`
is `ppoePassword`); any key naming a password, token or secret has its value replaced, whatever its
spelling; and anything shaped like a JWT is replaced wherever it appears. The rules live in infra/logs.py
(the worker's logs use them too); this module puts the filter on the API's loggers."""

from __future__ import annotations

import logging

from infra.logs import OCULTO, FiltroSecretos, es_secreto, ocultar_secretos

__all__ = ["OCULTO", "FiltroSecretos", "es_secreto", "instalar_filtro", "ocultar_secretos"]

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
