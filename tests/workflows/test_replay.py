"""Determinism guard: workflow histories replay against the current PendienteWorkflow.

Histories committed under `historias/` were recorded from earlier versions; a change that breaks
determinism for running pendientes fails here. `GRABAR_HISTORIAS=1 pytest tests/workflows` records the
scenario of this file again (do it only when a change is meant to be compatible, e.g. behind
`workflow.patched`).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from contrato.mensajes import DatosPendiente, OrdenAccion
from db import models as m
from domain.acciones import Accion
from domain.errores import Conflicto
from infra.temporal import workflow_id
from ops.demo import personas_demo
from workflows.pendiente import PendienteWorkflow

HISTORIAS = Path(__file__).parent / "historias"
LIMA = ZoneInfo("America/Lima")


def replayer(sandbox: bool = True) -> Replayer:
    # The worker process runs unsandboxed (Settings.worker_sandbox); the tests' workers run in the sandbox.
    runner = SandboxedWorkflowRunner() if sandbox else UnsandboxedWorkflowRunner()
    return Replayer(
        workflows=[PendienteWorkflow], data_converter=pydantic_data_converter, workflow_runner=runner
    )


async def _ciclo_completo(app, sessions) -> int:
    """A pendiente through most of its life, including a refused action."""
    comandos = app.state.comandos
    personas = await personas_demo(sessions)
    coordinadora, asesor, red = (personas.actores[r] for r in ("coordinadora", "asesor", "red"))
    tecnico = personas.tecnicos[0]
    async with sessions() as s:
        cliente_id = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000003"))
    datos = DatosPendiente(
        cliente_id=cliente_id,
        registrado_por=coordinadora.empleado_id,
        tipo="INSTALACION_INTERNET",
        lugar="JULI",
        prioridad="MEDIA",
        detalle={"velocidad_solicitada": "200 Mbps", "costo_fijo": "59.00", "tipo_instalacion": "FIBRA"},
    )
    pendiente_id = await comandos.crear_pendiente(datos, coordinadora)
    manana = datetime.now(LIMA) + timedelta(days=1)
    pasos = [
        (Accion.POSTERGAR, OrdenAccion(actor=coordinadora, nueva_fecha=manana, motivo="cliente ausente")),
        (Accion.ASIGNAR, OrdenAccion(actor=coordinadora, tecnico_id=tecnico.empleado_id)),
        (Accion.COMENZAR, OrdenAccion(actor=tecnico)),
        (Accion.PEDIR_VLAN, OrdenAccion(actor=tecnico)),
        (Accion.TERMINAR, OrdenAccion(actor=tecnico)),
        (Accion.CONFIGURAR_VLAN, OrdenAccion(actor=red, vlan=310)),
        (Accion.OBSERVAR, OrdenAccion(actor=asesor, motivo="sin foto de la ONU")),
        (Accion.RETOMAR, OrdenAccion(actor=tecnico)),
        (Accion.TERMINAR, OrdenAccion(actor=tecnico)),
        (Accion.FINALIZAR, OrdenAccion(actor=asesor)),
    ]
    for accion, orden in pasos:
        await comandos.ejecutar(pendiente_id, accion, orden)
    with pytest.raises(Conflicto):
        await comandos.ejecutar(pendiente_id, Accion.CANCELAR, OrdenAccion(actor=coordinadora, motivo="x"))
    return pendiente_id


async def test_historia_de_esta_version_se_reproduce(app, sessions, temporal_env):
    pendiente_id = await _ciclo_completo(app, sessions)
    handle = temporal_env.client.get_workflow_handle_for(PendienteWorkflow.run, workflow_id(pendiente_id))
    vivo = await handle.result()
    assert vivo.estado == "FINALIZADO" and vivo.vlan_configurada
    historia = await handle.fetch_history()

    await replayer().replay_workflow(historia)

    if os.environ.get("GRABAR_HISTORIAS"):
        HISTORIAS.mkdir(exist_ok=True)
        # A new file per recorded behaviour: the older ones keep proving that running pendientes replay.
        destino = HISTORIAS / "ciclo_completo_temporizador_estable.json"
        destino.write_text(json.dumps(json.loads(historia.to_json()), indent=1))


@pytest.mark.parametrize("sandbox", [True, False], ids=["sandbox", "sin-sandbox"])
@pytest.mark.parametrize("archivo", sorted(HISTORIAS.glob("*.json")), ids=lambda p: p.stem)
async def test_historias_grabadas_se_reproducen(archivo: Path, sandbox: bool):
    historia = WorkflowHistory.from_json(archivo.stem, archivo.read_text())
    await replayer(sandbox).replay_workflow(historia)


def test_hay_historias_grabadas():
    assert list(HISTORIAS.glob("*.json")), "record one with GRABAR_HISTORIAS=1 pytest tests/workflows"
