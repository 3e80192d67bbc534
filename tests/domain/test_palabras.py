"""Every value of the enumerations a person reads reads as Spanish: accents and acronyms kept."""

from __future__ import annotations

from domain.acciones import Accion
from domain.enums import (
    EstadoPendiente,
    EstadoSla,
    EstadoTecnico,
    LugarPendiente,
    MetodoPago,
    PrioridadPendiente,
    TipoPendiente,
)
from domain.palabras import en_palabras


def test_las_palabras_que_llevan_tilde_o_siglas():
    esperadas = {
        TipoPendiente.AVERIA: "Avería",
        TipoPendiente.INSTALACION_CAMARAS: "Instalación de cámaras",
        EstadoPendiente.REVISION: "Revisión",
        EstadoPendiente.EN_PROGRESO: "En progreso",
        EstadoTecnico.PENDIENTE_PPPoE_Y_VLAN: "Pendiente PPPoE y VLAN",
        PrioridadPendiente.MUY_URGENTE: "Muy urgente",
        LugarPendiente.YONGUYO: "Yunguyo",
        MetodoPago.BCP: "BCP",
        EstadoSla.EN_RIESGO: "En riesgo",
        Accion.SOLICITAR_REVISION: "Solicitar revisión",
        Accion.CONFIGURAR_PPPOE: "Configurar PPPoE",
    }
    assert {v: en_palabras(v) for v in esperadas} == esperadas


def test_ningun_valor_queda_en_mayusculas_con_guiones():
    for enum in (
        EstadoPendiente,
        EstadoTecnico,
        TipoPendiente,
        PrioridadPendiente,
        LugarPendiente,
        EstadoSla,
    ):
        for valor in enum:
            texto = en_palabras(valor)
            assert "_" not in texto and texto[0].isupper(), (valor, texto)
    assert en_palabras(None) == "—"
