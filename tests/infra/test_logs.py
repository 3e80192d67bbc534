"""The two log formats: JSON carries the Temporal SDK's workflow and update ids; the readable line shows
the same context; neither lets a secret in the message through."""

from __future__ import annotations

import json
import logging

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
