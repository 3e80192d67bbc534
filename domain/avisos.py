"""Who is told about what: the notification each lifecycle event produces, as data.

A recipient is either the technician assigned to the pendiente or every active user whose role holds
a permission (the network team, the validators, dispatch). The actor is never notified of their own act.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import sla
from .enums import EstadoSla, NotificationTipo
from .permisos import Permiso

TECNICO = "tecnico_asignado"


@dataclass(frozen=True)
class Aviso:
    destinatarios: str | Permiso  # TECNICO or the permission the recipients hold
    tipo: NotificationTipo
    titulo: str
    mensaje: str  # formatted with {id}, {tipo}, {lugar}, {detalles}


INFO, WARN, ERROR = NotificationTipo.INFO, NotificationTipo.WARNING, NotificationTipo.ERROR


def _avisos_sla(umbral: sla.Umbral) -> tuple[Aviso, ...]:
    """Dispatch is told at every escalation, the assigned technician from the ones that say so."""
    incumplido = umbral.estado is EstadoSla.INCUMPLIDO
    titulo, tipo = ("SLA incumplido", ERROR) if incumplido else ("SLA en riesgo", WARN)
    mensaje = "El pendiente {id} ({tipo}, {lugar}) {detalles}."
    destinatarios = (sla.DESPACHO, TECNICO) if umbral.avisa_tecnico else (sla.DESPACHO,)
    return tuple(Aviso(d, tipo, titulo, mensaje) for d in destinatarios)


AVISOS: dict[str, tuple[Aviso, ...]] = {
    "asignar": (
        Aviso(TECNICO, INFO, "Nuevo pendiente asignado", "Se te asignó el pendiente {id} ({tipo}, {lugar})."),
    ),
    "pedir_pppoe": (
        Aviso(
            Permiso.CONFIGURAR_PPPOE, WARN, "Pendiente requiere PPPoE", "El pendiente {id} espera su PPPoE."
        ),
    ),
    "pedir_vlan": (
        Aviso(Permiso.CONFIGURAR_VLAN, WARN, "Pendiente requiere VLAN", "El pendiente {id} espera su VLAN."),
    ),
    "configurar_pppoe": (
        Aviso(TECNICO, INFO, "PPPoE configurado", "El PPPoE del pendiente {id} está listo."),
    ),
    "configurar_vlan": (Aviso(TECNICO, INFO, "VLAN configurada", "La VLAN del pendiente {id} está lista."),),
    "terminar": (
        Aviso(
            Permiso.FINALIZAR_PENDIENTE, INFO, "Pendiente por validar", "El pendiente {id} espera validación."
        ),
    ),
    "validar": (
        Aviso(
            Permiso.FINALIZAR_PENDIENTE, INFO, "Pendiente por validar", "El pendiente {id} espera validación."
        ),
    ),
    "observar": (Aviso(TECNICO, WARN, "Pendiente observado", "El pendiente {id} fue observado: {detalles}"),),
    "postergar": (
        Aviso(TECNICO, WARN, "Tu pendiente fue postergado", "El pendiente {id} se postergó: {detalles}"),
    ),
    "vencer": (
        Aviso(
            Permiso.ASIGNAR_TECNICO,
            WARN,
            "Pendiente vencido",
            "El pendiente {id} ({lugar}) pasó su día sin cerrarse.",
        ),
    ),
    **{u.accion: _avisos_sla(u) for u in sla.UMBRALES},
}
