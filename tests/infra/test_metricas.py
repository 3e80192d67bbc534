"""The worker's Prometheus endpoint: a worker started with the metrics runtime serves the Temporal SDK's
metrics (workflow tasks, local activities, polls, slots) for its task queue, and its activities' log
lines carry the workflow and the change they work for."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from api.pendientes.comandos import Comandos
from contrato.mensajes import DatosPendiente
from db import models as m
from infra.logs import FormatoJson
from infra.metricas import ContextoLogs, runtime_con_metricas
from ops.demo import personas_demo
from tests.api.pendientes.acciones.conftest import manana
from worker import build_worker


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_el_worker_publica_las_metricas_del_sdk(temporal_env, sessions, settings, demo):
    direccion = f"127.0.0.1:{puerto_libre()}"
    cola = f"metricas-{uuid.uuid4().hex[:8]}"
    client = await Client.connect(
        temporal_env.client.service_client.config.target_host,
        namespace=temporal_env.client.namespace,
        data_converter=pydantic_data_converter,
        runtime=runtime_con_metricas(direccion),
    )
    personas = await personas_demo(sessions)
    coordinadora = personas.actores["coordinadora"]
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000002"))
    datos = DatosPendiente(
        cliente_id=cliente,
        registrado_por=coordinadora.empleado_id,
        tipo="AVERIA",
        lugar="ILAVE",
        prioridad="MEDIA",
        fecha_pendiente=manana(),
        detalle={"descripcion_falla": "sin señal"},
    )
    comandos = Comandos(client, sessions, cola)
    async with build_worker(client, sessions, cola, settings=settings):
        pendiente_id = await comandos.crear_pendiente(datos, coordinadora)
        async with httpx.AsyncClient(timeout=10) as http, asyncio.timeout(30):
            while True:  # the SDK exports on its own cadence
                r = await http.get(f"http://{direccion}/metrics")
                assert r.status_code == 200
                if "local_activity_execution_latency" in r.text:
                    break
                await asyncio.sleep(0.5)
    async with sessions() as s:
        estado = await s.scalar(select(m.Pendiente.estado).where(m.Pendiente.id == pendiente_id))
    assert estado == "REGISTRADO"

    familias = {f.name: f for f in text_string_to_metric_families(r.text)}
    de_la_cola = {
        nombre for nombre, f in familias.items() if any(s.labels.get("task_queue") == cola for s in f.samples)
    }
    # Workflow tasks and the persistence local activity that created the pendiente, timed in seconds.
    for nombre in (
        "temporal_workflow_task_execution_latency_seconds",
        "temporal_local_activity_execution_latency_seconds",
        "temporal_worker_task_slots_available",
    ):
        assert nombre in de_la_cola, sorted(de_la_cola)
    # Activity latencies by activity type: the SDK's own histogram (no histogram of ours is needed).
    latencia = familias["temporal_local_activity_execution_latency_seconds"]
    tipos = {s.labels.get("activity_type") for s in latencia.samples if s.labels.get("task_queue") == cola}
    assert "registrar_pendiente" in tipos, tipos


@dataclass
class Pedido:
    pendiente_id: int
    cambio_id: str


@activity.defn(name="prueba_registra")
async def prueba_registra(pedido: Pedido) -> None:
    logging.getLogger("pendientes.prueba").warning("trabajando password=Secreta-123")


@workflow.defn(name="PruebaContextoLogs", sandboxed=False)
class PruebaContextoLogs:
    @workflow.run
    async def run(self, pedido: Pedido) -> None:
        await workflow.execute_activity(prueba_registra, pedido, start_to_close_timeout=timedelta(seconds=10))


async def test_una_linea_de_una_actividad_dice_para_que_flujo_y_cambio_trabaja(temporal_env):
    cola = f"logs-{uuid.uuid4().hex[:8]}"
    client = temporal_env.client
    lineas = io.StringIO()
    captura = logging.StreamHandler(lineas)
    captura.setFormatter(FormatoJson())
    logger = logging.getLogger("pendientes.prueba")
    logger.addHandler(captura)
    try:
        async with Worker(
            client,
            task_queue=cola,
            workflows=[PruebaContextoLogs],
            activities=[prueba_registra],
            interceptors=[ContextoLogs()],
        ):
            flujo = f"prueba-logs-{uuid.uuid4().hex[:8]}"
            pedido = Pedido(pendiente_id=4242, cambio_id="update:u-77")
            await client.execute_workflow(PruebaContextoLogs.run, pedido, id=flujo, task_queue=cola)
    finally:
        logger.removeHandler(captura)
    [linea] = [json.loads(x) for x in lineas.getvalue().splitlines()]
    assert linea["workflow_id"] == flujo and linea["activity_type"] == "prueba_registra"
    assert linea["pendiente_id"] == 4242 and linea["cambio_id"] == "update:u-77"
    assert linea["nivel"] == "WARNING" and "Secreta-123" not in json.dumps(linea)
