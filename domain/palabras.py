"""Our enumerations in a person's words (board, PDF): the values whose plain form
(`EN_PROGRESO` -> "En progreso") would lose an accent, a capital or a word."""

from __future__ import annotations

from enum import Enum

PALABRAS: dict[str, str] = {
    # Types of work.
    "AVERIA": "Avería",
    "INSTALACION_INTERNET": "Instalación de internet",
    "INSTALACION_CAMARAS": "Instalación de cámaras",
    "RECOJO_DISPOSITIVOS": "Recojo de dispositivos",
    # States and network sub-states.
    "REVISION": "Revisión",
    "PENDIENTE_PPPoE": "Pendiente PPPoE",
    "PENDIENTE_VLAN": "Pendiente VLAN",
    "PENDIENTE_PPPoE_Y_VLAN": "Pendiente PPPoE y VLAN",
    "OK": "OK",
    # Places with an accent or their usual spelling.
    "PLATERIA": "Platería",
    "YONGUYO": "Yunguyo",
    "CHACACHACA": "Chacachaca",
    # Payment methods, SLA.
    "LOS_ANDES": "Caja Los Andes",
    "BCP": "BCP",
    "EN_RIESGO": "En riesgo",
    # Actions.
    "solicitar_revision": "Solicitar revisión",
    "pedir_pppoe": "Pedir PPPoE",
    "pedir_vlan": "Pedir VLAN",
    "configurar_pppoe": "Configurar PPPoE",
    "configurar_vlan": "Configurar VLAN",
}


def en_palabras(valor: object) -> str:
    texto = str(valor.value if isinstance(valor, Enum) else (valor or ""))
    if not texto:
        return "—"
    return PALABRAS.get(texto) or texto.replace("_", " ").capitalize()
