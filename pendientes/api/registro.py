"""Logging safety: secrets sent in query strings (accepted for old clients) never reach the logs."""

from __future__ import annotations

import logging
import re

_SECRETO = re.compile(r"((?:pppoe|ppoe)Password=)[^&\s\"]*", re.IGNORECASE)


def ocultar_secretos(texto: str) -> str:
    return _SECRETO.sub(r"\1***", texto)


class FiltroSecretos(logging.Filter):
    """Rewrites the request line of access logs (uvicorn passes it in `record.args`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(ocultar_secretos(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = ocultar_secretos(record.msg)
        return True


def instalar_filtro() -> None:
    for nombre in ("uvicorn.access", "uvicorn.error", "pendientes"):
        logger = logging.getLogger(nombre)
        if not any(isinstance(f, FiltroSecretos) for f in logger.filters):
            logger.addFilter(FiltroSecretos())
