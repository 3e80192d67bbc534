"""The effects of each action (domain.acciones.EFECTOS), as the product decisions state them: what an
accepted action changes besides its state. The workflow and the persistence activity both read this
table; tests/workflows/test_pendiente_unitario.py checks the workflow honours it."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.acciones import EFECTOS, SIN_EFECTO, Accion, cambios_de, efecto_de
from domain.zona import LIMA_FIJA

AHORA = datetime(2030, 1, 2, 10, 0, tzinfo=LIMA_FIJA)
NUEVA = AHORA + timedelta(days=3)

ESPERADO: dict[str, dict[str, object]] = {
    "asignar": {"asignado_a": 7},
    "reasignar": {"asignado_a": None},
    "postergar": {"fecha_pendiente": NUEVA, "vencido": False, "cancelado_en": None},
    "cancelar": {"vencido": False, "cancelado_en": AHORA},
    "finalizar": {"vencido": False},
    "configurar_vlan": {"vlan_configurada": True},
    "configurar_pppoe": {"pppoe_configurado": True},
}
ABREN_SESION = {"comenzar", "continuar", "retomar"}
CIERRAN_SESION = {"pausar", "terminar", "solicitar_revision", "reasignar", "cancelar"}


def test_lo_que_cambia_cada_accion():
    for accion in Accion:
        cambios = cambios_de(efecto_de(accion), tecnico_id=7, nueva_fecha=NUEVA, ahora=AHORA)
        assert cambios == ESPERADO.get(accion, {}), accion


def test_las_sesiones_de_trabajo_siguen_a_las_acciones_del_tecnico():
    abren = {a for a in Accion if efecto_de(a).sesion == "abrir"}
    cierran = {a for a in Accion if efecto_de(a).sesion == "cerrar"}
    assert (abren, cierran) == (ABREN_SESION, CIERRAN_SESION)


def test_lo_que_no_es_una_accion_no_tiene_efecto():
    for nombre in ("editar", "detalle", "eliminar", "vencer", "reactivar", "archivar", "senal_rechazada"):
        assert efecto_de(nombre) is SIN_EFECTO
    assert set(EFECTOS) <= set(Accion)
