"""The two log formats: JSON carries the Temporal SDK's workflow and update ids; the readable line shows
the same context; neither lets a secret in the message through."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from infra.logs import FormatoJson, FormatoTexto, contexto


def registro(mensaje: str, **extra) -> logging.LogRecord:
    r = logging.LogRecord("temporalio.workflow", logging.INFO, "f", 1, mensaje, None, None)
    r.__dict__.update(extra)
    return r


# What temporalio's workflow.logger puts on a record logged inside an update handler.
DEL_SDK = {
    "temporal_workflow": {
        "workflow_id": "pendiente-7",
        "run_id": "r-1",
        "workflow_type": "PendienteWorkflow",
        "namespace": "default",
        "task_queue": "pendientes",
        "attempt": 1,
        "update_id": "u-42",
        "update_name": "accion",
    }
}


def test_json_aplana_los_ids_del_flujo_y_del_update():
    linea = json.loads(FormatoJson().format(registro("señal rechazada", **DEL_SDK)))
    assert linea["workflow_id"] == "pendiente-7" and linea["run_id"] == "r-1"
    assert linea["update_id"] == "u-42" and linea["update_name"] == "accion"
    assert linea["mensaje"] == "señal rechazada" and linea["nivel"] == "INFO"
    assert "namespace" not in linea and "temporal_workflow" not in linea  # only the listed ids


def test_ningun_secreto_ni_extra_arbitrario_sale():
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJh"
    r = registro(f"GET /x?pppoePassword=Clave-9&t={jwt}", datos={"password": "Clave-10"})
    token = contexto.set({"request_id": "abc", "authorization": "Bearer Clave-11"})
    try:
        salidas = [FormatoJson().format(r), FormatoTexto().format(r)]
    finally:
        contexto.reset(token)
    for salida in salidas:
        assert "abc" in salida
        for secreto in ("Clave-9", "Clave-10", "Clave-11", jwt):
            assert secreto not in salida


def test_el_texto_es_legible_con_su_contexto():
    token = contexto.set({"request_id": "abc", "usuario_id": 3})
    try:
        salida = FormatoTexto().format(registro("hola", **DEL_SDK))
    finally:
        contexto.reset(token)
    assert "INFO temporalio.workflow: hola" in salida
    assert "request_id=abc usuario_id=3" in salida and "update_id=u-42" in salida


def test_configurar_json_cubre_a_uvicorn_y_apaga_su_registro_de_acceso():
    """In a process of its own (the configuration is global): uvicorn configures its loggers first, as when
    it serves `api.main:app`; then every line is JSON on stderr, uvicorn's access line (replaced by ours,
    which has the context) is gone, and secrets are hidden."""
    programa = """
import logging, logging.config, uvicorn.config
logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)
from infra import logs
logs.configurar("json")
logging.getLogger("uvicorn.error").info("Started server process [%d]", 12)
logging.getLogger("uvicorn.access").info("access line")
logging.getLogger("api").warning("GET /x?pppoePassword=Clave-1")
"""
    raiz = Path(__file__).resolve().parents[2]
    entorno = os.environ | {"PYTHONPATH": str(raiz)}
    salida = subprocess.run(
        [sys.executable, "-c", programa], capture_output=True, text=True, timeout=60, check=True, env=entorno
    )
    lineas = [json.loads(x) for x in salida.stderr.splitlines()]
    assert [(x["logger"], x["mensaje"]) for x in lineas] == [
        ("uvicorn.error", "Started server process [12]"),
        ("api", "GET /x?pppoePassword=***"),
    ]
    assert salida.stdout == ""
