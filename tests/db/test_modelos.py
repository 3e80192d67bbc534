"""The models package is the registry Alembic reads: a model module the package forgot to import would
silently drop its tables from autogenerate and from `m.<Model>`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import db.models as m

# Run in a fresh interpreter: here other tests may already have imported every module directly.
SONDA = """
import importlib, json, pkgutil
import db.models as m
solo_el_paquete = sorted(m.Base.metadata.tables)
for modulo in pkgutil.iter_modules(m.__path__):
    importlib.import_module(f"db.models.{modulo.name}")
print(json.dumps({"paquete": solo_el_paquete, "todos": sorted(m.Base.metadata.tables)}))
"""


def test_importar_el_paquete_registra_las_tablas_de_todos_sus_modulos() -> None:
    raiz = Path(__file__).resolve().parents[2]
    salida = subprocess.run(
        [sys.executable, "-c", SONDA], capture_output=True, text=True, check=True, cwd=raiz
    ).stdout
    tablas = json.loads(salida)
    assert tablas["paquete"] == tablas["todos"]
    assert {"pendientes", "usuarios", "clientes", "pagos", "reconciliaciones"} <= set(tablas["paquete"])


def test_cada_modelo_se_alcanza_como_m_nombre() -> None:
    modelos = {mapper.class_ for mapper in m.Base.registry.mappers}
    for modelo in modelos:
        assert getattr(m, modelo.__name__) is modelo
        assert modelo.__name__ in m.__all__
