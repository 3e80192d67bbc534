"""OcurrenciaRepetitivoWorkflow: a run started by hand for a given instant (as ops may do from the
Temporal UI) creates that occurrence's pendiente once, however many runs there are; its history replays
against the current code (determinism)."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta, timezone

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from contrato.repetitivos import ResultadoOcurrencia
from db import models as m
from tests.conftest import TASK_QUEUE
from workflows.ocurrencia import OcurrenciaRepetitivoWorkflow

LIMA = timezone(timedelta(hours=-5))


async def _plantilla(http, h, sessions) -> int:
    cliente = m.Cliente(
        tipo_cliente="EMPRESA",
        nombre=f"Empresa {uuid.uuid4().hex[:8]}",
        tipo_documento="RUC",
        numero_documento=f"20{uuid.uuid4().int % 10**9:09d}",
        codigo_cliente=f"WO{uuid.uuid4().hex[:10].upper()}",
    )
    async with sessions.begin() as s:
        s.add(cliente)
    hoy = datetime.now(LIMA).date()
    cuerpo = {
        "nombre": "Revisión de la torre",
        "tipo": "INSTALACION_CAMARAS",
        "clienteId": cliente.id,
        "prioridad": "BAJA",
        "lugar": "PUNO",
        "regla": {
            "frecuencia": "SEMANAL",
            "diasSemana": ["MIERCOLES"],
            "hora": "11:00",
            "fechaInicio": str(hoy),
        },
    }
    r = await http.post("/api/repetitivos", json=cuerpo, headers=h["coordinadora"])
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"]


async def test_dos_corridas_a_mano_del_mismo_instante_crean_un_pendiente_y_su_historia_se_reproduce(
    app, http, h, sessions, temporal_env
):
    repetitivo_id = await _plantilla(http, h, sessions)
    instante = datetime.combine(datetime.now(LIMA).date() + timedelta(days=2), time(11), LIMA)
    resultados = []
    for corrida in range(2):
        handle = await temporal_env.client.start_workflow(
            OcurrenciaRepetitivoWorkflow.run,
            args=[repetitivo_id, instante],
            id=f"ocurrencia-a-mano-{repetitivo_id}-{corrida}",
            task_queue=TASK_QUEUE,
        )
        resultados.append(await handle.result())
    assert all(isinstance(r, ResultadoOcurrencia) and r.desenlace == "CREADO" for r in resultados)
    assert resultados[0].pendiente_id == resultados[1].pendiente_id
    r = await http.get(f"/api/pendientes?repetitivoId={repetitivo_id}", headers=h["coordinadora"])
    (creado,) = r.json()["data"]["content"]
    assert creado["id"] == resultados[0].pendiente_id
    assert datetime.fromisoformat(creado["fechaPendiente"]) == instante

    historia = await handle.fetch_history()
    replayer = Replayer(workflows=[OcurrenciaRepetitivoWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(historia)
