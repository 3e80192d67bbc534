"""The Temporal contract goes one way and its recorded names never change.

The names are part of every recorded history (a running pendiente would no longer find its handler):
they are written here by hand, not read from contrato.nombres, so renaming one fails this test.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from temporalio import activity, workflow

from activities.persistencia import PersistenciaActivities
from activities.reconciliacion import Reconciliador
from activities.repetitivos import Repetitivos
from contrato import nombres
from domain.acciones import Accion
from workflows.ocurrencia import OcurrenciaRepetitivoWorkflow
from workflows.pendiente import PendienteWorkflow
from workflows.reconciliador import ReconciliadorWorkflow

ACTUALIZACIONES = {"registrar", "editar", "guardar_detalle", "eliminar", "sincronizar", "etiquetar"}
ACCIONES = {
    "asignar",
    "reasignar",
    "comenzar",
    "pausar",
    "continuar",
    "terminar",
    "solicitar_revision",
    "validar",
    "observar",
    "retomar",
    "finalizar",
    "cancelar",
    "postergar",
    "pedir_pppoe",
    "pedir_vlan",
    "configurar_pppoe",
    "configurar_vlan",
}


def test_los_flujos_conservan_su_nombre_y_sus_mensajes():
    pendiente = workflow._Definition.must_from_class(PendienteWorkflow)
    assert pendiente.name == "PendienteWorkflow"
    # Every action is an update and a signal named by its value; the other updates have their own names.
    assert {a.value for a in Accion} == ACCIONES
    assert set(pendiente.updates) == ACTUALIZACIONES | ACCIONES
    assert set(pendiente.signals) == ACCIONES
    assert set(pendiente.queries) == {"estado", "acciones"}
    assert workflow._Definition.must_from_class(ReconciliadorWorkflow).name == "ReconciliadorWorkflow"
    ocurrencia = workflow._Definition.must_from_class(OcurrenciaRepetitivoWorkflow)
    assert ocurrencia.name == "OcurrenciaRepetitivoWorkflow"


def test_las_actividades_conservan_su_nombre():
    definidas = {
        activity._Definition.must_from_callable(f).name
        for f in (
            PersistenciaActivities.registrar_pendiente,
            PersistenciaActivities.aplicar_cambio,
            PersistenciaActivities.cargar_actor,
            PersistenciaActivities.leer_comprometido,
            Reconciliador.reconciliar,
            Repetitivos.crear_ocurrencia,
        )
    }
    assert definidas == {
        "registrar_pendiente",
        "aplicar_cambio",
        "cargar_actor",
        "leer_comprometido",
        "reconciliar",
        "crear_ocurrencia",
    }


def test_la_cola_por_defecto_es_la_del_contrato(monkeypatch):
    from infra.config import Settings

    monkeypatch.delenv("TEMPORAL_TASK_QUEUE", raising=False)
    assert Settings(_env_file=None).temporal_task_queue == nombres.COLA_POR_DEFECTO == "pendientes"


def _modulos_cargados_por(modulo: str) -> set[str]:
    codigo = f"import sys, {modulo}; print('\\n'.join(sys.modules))"
    salida = subprocess.run([sys.executable, "-c", codigo], capture_output=True, text=True, check=True)
    return set(salida.stdout.split())


def test_las_actividades_no_importan_el_flujo():
    for modulo in ("activities.persistencia", "activities.reconciliacion", "activities.repetitivos"):
        cargados = _modulos_cargados_por(modulo)
        assert "workflows.pendiente" not in cargados, modulo
        assert not {m for m in cargados if m == "api" or m.startswith("api.")}, modulo


def test_db_no_importa_el_contrato():
    raiz = Path(__file__).parents[2] / "db"
    for fuente in raiz.glob("*.py"):
        importados = {
            nodo.module if isinstance(nodo, ast.ImportFrom) else alias.name
            for nodo in ast.walk(ast.parse(fuente.read_text()))
            if isinstance(nodo, ast.Import | ast.ImportFrom)
            for alias in nodo.names
        }
        assert not {m for m in importados if m and m.split(".")[0] == "contrato"}, fuente.name
    # Not even through infra/ (whose configuration reads the default task queue from contrato.nombres).
    assert "contrato.mensajes" not in _modulos_cargados_por("db.lectura, db.models, db.identidad, db.engine")
