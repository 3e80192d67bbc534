"""What a closed pendiente still accepts (issue 10 §4), against a table typed by hand from the product
decision, not derived from domain/cierre.py: a payment comes after finished work but never for cancelled
work; the materials of a closed pendiente are settled; notes and their images are always welcome."""

from __future__ import annotations

import pytest

from domain.acciones import ESTADOS_CERRADOS, Actor, Situacion
from domain.cierre import ADMITE_CERRADO, Anexo, admite, exigir_admite
from domain.enums import EstadoPendiente, EstadoTecnico, TipoPendiente
from domain.errores import Conflicto
from domain.permisos import Permiso

ESPERADO = {
    ("FINALIZADO", "pago"): True,
    ("FINALIZADO", "item"): False,
    ("FINALIZADO", "nota"): True,
    ("FINALIZADO", "imagen"): True,
    ("CANCELADO", "pago"): False,
    ("CANCELADO", "item"): False,
    ("CANCELADO", "nota"): True,
    ("CANCELADO", "imagen"): True,
}
ABIERTOS = ["REGISTRADO", "ASIGNADO", "EN_PROGRESO", "PAUSADO", "REVISION", "POR_VALIDAR", "OBSERVADO"]
ABIERTOS += ["POSTERGADO"]


@pytest.mark.parametrize(("estado", "anexo"), list(ESPERADO))
def test_un_pendiente_cerrado_admite_lo_que_dice_la_decision(estado: str, anexo: str) -> None:
    assert admite(EstadoPendiente(estado), Anexo(anexo)) is ESPERADO[(estado, anexo)]


@pytest.mark.parametrize("estado", ABIERTOS)
@pytest.mark.parametrize("anexo", ["pago", "item", "nota", "imagen"])
def test_un_pendiente_abierto_lo_admite_todo(estado: str, anexo: str) -> None:
    assert admite(EstadoPendiente(estado), Anexo(anexo))


def test_la_tabla_cubre_exactamente_los_estados_cerrados() -> None:
    """A state that closes a pendiente must say what it still accepts; an open one must not appear."""
    assert (
        set(ADMITE_CERRADO)
        == set(ESTADOS_CERRADOS)
        == {EstadoPendiente.FINALIZADO, EstadoPendiente.CANCELADO}
    )
    assert set(ABIERTOS) | {"FINALIZADO", "CANCELADO"} == {e.value for e in EstadoPendiente}


def _situacion(estado: str) -> Situacion:
    return Situacion(
        estado=EstadoPendiente(estado),
        estado_tecnico=EstadoTecnico.OK,
        tipo=TipoPendiente.AVERIA,
        asignado_a=7,
    )


def test_el_rechazo_es_un_409_con_la_forma_unica_de_conflicto() -> None:
    coordinadora = Actor(empleado_id=1, permisos=frozenset({Permiso.POSTERGAR_PENDIENTE}))
    with pytest.raises(Conflicto) as rechazo:
        exigir_admite(Anexo.PAGO, _situacion("CANCELADO"), 12, coordinadora)
    assert rechazo.value.status == 409
    assert "CANCELADO" in rechazo.value.mensaje and "pagos" in rechazo.value.mensaje
    # A cancelled pendiente can be postponed back into the queue: the body says so to who may.
    assert rechazo.value.data == {
        "estado": "CANCELADO",
        "estadoTecnico": "OK",
        "accionesPermitidas": ["postergar"],
        "version": 12,
    }


def test_sin_actor_nadie_puede_actuar_y_lo_admitido_pasa() -> None:
    with pytest.raises(Conflicto) as rechazo:
        exigir_admite(Anexo.ITEM, _situacion("FINALIZADO"), 30)
    assert rechazo.value.data["accionesPermitidas"] == []
    assert rechazo.value.data["estado"] == "FINALIZADO"
    exigir_admite(Anexo.PAGO, _situacion("FINALIZADO"), 30)  # no exception
    exigir_admite(Anexo.ITEM, _situacion("EN_PROGRESO"), 3)
