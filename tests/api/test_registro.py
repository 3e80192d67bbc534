"""Query-string PPPoE passwords (accepted for old clients) are redacted from access logs."""

from __future__ import annotations

import logging

from pendientes.api.registro import FiltroSecretos, instalar_filtro


def test_la_linea_de_acceso_no_lleva_la_password(caplog):
    instalar_filtro()
    ruta = "/api/pendientes/7/averia/ppoe?ppoeUser=ana&ppoePassword=Secreta123&x=1"
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "1.2.3.4", "PUT", ruta, "1.1", 200
        )
    assert "Secreta123" not in caplog.text
    assert "ppoePassword=***&x=1" in caplog.text and "ppoeUser=ana" in caplog.text


def test_el_filtro_cubre_ambas_grafias():
    registro = logging.LogRecord(
        "x", logging.INFO, "f", 1, "pppoePassword=abc y PPOEPASSWORD=def", None, None
    )
    FiltroSecretos().filter(registro)
    assert "abc" not in registro.getMessage() and "def" not in registro.getMessage()
