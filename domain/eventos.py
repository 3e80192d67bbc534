"""The events the product tells other systems about, as data: their types, which change produces which,
how they are named in the peer's (Persat's) format, and the retry ladder of a webhook delivery.

An event is written in the same Postgres transaction as the change it reports (the outbox), so there is
no event for a change that did not commit and no committed change without its event."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from domain.acciones import Accion
from domain.enums import EstadoPendiente, EstadoSla
from domain.sla import UMBRALES


class TipoEvento(StrEnum):
    PENDIENTE_CREADO = "pendiente.creado"
    # One per lifecycle action (domain.acciones.Accion), so a receiver subscribes to exactly what it needs.
    PENDIENTE_ASIGNADO = "pendiente.asignado"
    PENDIENTE_REASIGNADO = "pendiente.reasignado"
    PENDIENTE_COMENZADO = "pendiente.comenzado"
    PENDIENTE_PAUSADO = "pendiente.pausado"
    PENDIENTE_CONTINUADO = "pendiente.continuado"
    PENDIENTE_TERMINADO = "pendiente.terminado"
    PENDIENTE_REVISION_SOLICITADA = "pendiente.revision_solicitada"
    PENDIENTE_VALIDADO = "pendiente.validado"
    PENDIENTE_OBSERVADO = "pendiente.observado"
    PENDIENTE_RETOMADO = "pendiente.retomado"
    PENDIENTE_FINALIZADO = "pendiente.finalizado"
    PENDIENTE_CANCELADO = "pendiente.cancelado"
    PENDIENTE_POSTERGADO = "pendiente.postergado"
    PENDIENTE_PPPOE_PEDIDO = "pendiente.pppoe_pedido"
    PENDIENTE_VLAN_PEDIDA = "pendiente.vlan_pedida"
    PENDIENTE_PPPOE_CONFIGURADO = "pendiente.pppoe_configurado"
    PENDIENTE_VLAN_CONFIGURADA = "pendiente.vlan_configurada"
    # What the workflow does by itself: a postponed pendiente returns on its date; a late one is overdue.
    PENDIENTE_REACTIVADO = "pendiente.reactivado"
    PENDIENTE_VENCIDO = "pendiente.vencido"
    # The SLA escalations (domain/sla.py): at 50 % and 75 % of the deadline, and at 100 %.
    PENDIENTE_SLA_EN_RIESGO = "pendiente.sla_en_riesgo"
    PENDIENTE_SLA_INCUMPLIDO = "pendiente.sla_incumplido"
    PENDIENTE_EDITADO = "pendiente.editado"
    PENDIENTE_DETALLE_GUARDADO = "pendiente.detalle_guardado"
    PENDIENTE_ETIQUETADO = "pendiente.etiquetado"
    PENDIENTE_ELIMINADO = "pendiente.eliminado"
    PAGO_REGISTRADO = "pago.registrado"
    PAGO_MODIFICADO = "pago.modificado"
    PAGO_ANULADO = "pago.anulado"
    NOTA_CREADA = "nota.creada"
    NOTA_MODIFICADA = "nota.modificada"
    NOTA_ELIMINADA = "nota.eliminada"
    CLIENTE_CREADO = "cliente.creado"
    CLIENTE_MODIFICADO = "cliente.modificado"
    CLIENTE_ELIMINADO = "cliente.eliminado"
    # Sent only by the ping endpoint, never stored as an event.
    WEBHOOK_PING = "webhook.ping"


T = TipoEvento

POR_ACCION: dict[Accion, TipoEvento] = {
    Accion.ASIGNAR: T.PENDIENTE_ASIGNADO,
    Accion.REASIGNAR: T.PENDIENTE_REASIGNADO,
    Accion.COMENZAR: T.PENDIENTE_COMENZADO,
    Accion.PAUSAR: T.PENDIENTE_PAUSADO,
    Accion.CONTINUAR: T.PENDIENTE_CONTINUADO,
    Accion.TERMINAR: T.PENDIENTE_TERMINADO,
    Accion.SOLICITAR_REVISION: T.PENDIENTE_REVISION_SOLICITADA,
    Accion.VALIDAR: T.PENDIENTE_VALIDADO,
    Accion.OBSERVAR: T.PENDIENTE_OBSERVADO,
    Accion.RETOMAR: T.PENDIENTE_RETOMADO,
    Accion.FINALIZAR: T.PENDIENTE_FINALIZADO,
    Accion.CANCELAR: T.PENDIENTE_CANCELADO,
    Accion.POSTERGAR: T.PENDIENTE_POSTERGADO,
    Accion.PEDIR_PPPOE: T.PENDIENTE_PPPOE_PEDIDO,
    Accion.PEDIR_VLAN: T.PENDIENTE_VLAN_PEDIDA,
    Accion.CONFIGURAR_PPPOE: T.PENDIENTE_PPPOE_CONFIGURADO,
    Accion.CONFIGURAR_VLAN: T.PENDIENTE_VLAN_CONFIGURADA,
}

# The `accion` of a workflow change (contrato.mensajes.Cambio.accion) -> its event. A change not listed
# (a refused signal, kept in the historial as a record of the attempt) reports nothing.
POR_CAMBIO: dict[str, TipoEvento] = {
    **{accion.value: tipo for accion, tipo in POR_ACCION.items()},
    "crear": T.PENDIENTE_CREADO,
    "reactivar": T.PENDIENTE_REACTIVADO,
    "vencer": T.PENDIENTE_VENCIDO,
    "editar": T.PENDIENTE_EDITADO,
    "detalle": T.PENDIENTE_DETALLE_GUARDADO,
    "etiquetar": T.PENDIENTE_ETIQUETADO,
    "eliminar": T.PENDIENTE_ELIMINADO,
    **{
        u.accion: T.PENDIENTE_SLA_INCUMPLIDO
        if u.estado is EstadoSla.INCUMPLIDO
        else T.PENDIENTE_SLA_EN_RIESGO
        for u in UMBRALES
    },
}


def evento_de_cambio(accion: str) -> TipoEvento | None:
    return POR_CAMBIO.get(accion)


class Formato(StrEnum):
    """How a subscription's deliveries look: our envelope, or the peer's, so a receiver written for
    Persat's `{"eventType": "workorder.created", "payload": {...}}` works unchanged."""

    PENDIENTES = "pendientes"
    PERSAT = "persat"


# Our event -> the peer's name. The peer reports an OT's creation, its report (`finished`, our
# POR_VALIDAR), its close (`closed`) and any other change (`modified`); clients by their own names.
# Pagos and notas hang from a pendiente: for the peer they modify the OT.
PERSAT_EVENTO: dict[TipoEvento, str] = {
    T.PENDIENTE_CREADO: "workorder.created",
    T.PENDIENTE_TERMINADO: "workorder.finished",
    T.PENDIENTE_FINALIZADO: "workorder.closed",
    T.CLIENTE_CREADO: "client.created",
    T.CLIENTE_MODIFICADO: "client.updated",
    T.CLIENTE_ELIMINADO: "client.deleted",
    T.WEBHOOK_PING: "webhook.ping",
}
PERSAT_POR_DEFECTO = "workorder.modified"


def persat_evento(tipo: TipoEvento) -> str:
    return PERSAT_EVENTO.get(tipo, PERSAT_POR_DEFECTO)


# Our state -> the peer's (reference §5.1). Assigned work in any stage of execution (a revision asked
# for included) is the peer's ASIGNADA; waiting for validation is its INFORME; finished is CERRADA_OK;
# observed work went back with a deviation. The peer names no state for a cancelled OT: CANCELADA.
PERSAT_ESTADO: dict[EstadoPendiente, str] = {
    EstadoPendiente.REGISTRADO: "PENDIENTE",
    EstadoPendiente.ASIGNADO: "ASIGNADA",
    EstadoPendiente.EN_PROGRESO: "ASIGNADA",
    EstadoPendiente.PAUSADO: "ASIGNADA",
    EstadoPendiente.POSTERGADO: "PROYECTADA",
    EstadoPendiente.POR_VALIDAR: "INFORME",
    EstadoPendiente.REVISION: "ASIGNADA",
    EstadoPendiente.OBSERVADO: "CERRADA_CON_DESVIO",
    EstadoPendiente.FINALIZADO: "CERRADA_OK",
    EstadoPendiente.CANCELADO: "CANCELADA",
}
# An overdue pendiente that is still open is the peer's VENCIDA, whatever its stage.
PERSAT_VENCIDA = "VENCIDA"


# The wait before each retry of a failed delivery (the first attempt is immediate). Longer than the
# peer's (8 attempts over ~27.5 h): 10 attempts over ~30 h before the event is marked failed, each wait
# stretched by up to JITTER so that receivers coming back from an outage are not hit all at once.
ESCALERA: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=8),
    timedelta(hours=7),
    timedelta(hours=8),
)
JITTER = 0.1
INTENTOS_MAXIMOS = len(ESCALERA) + 1


def espera_antes_del_intento(intento: int, azar: float) -> timedelta:
    """The wait before attempt number `intento` (2 = the first retry), `azar` in [0, 1)."""
    base = ESCALERA[intento - 2]
    return base * (1 + JITTER * azar)


class EstadoEntrega(StrEnum):
    """One event's delivery to one subscription."""

    PENDIENTE = "PENDIENTE"  # waiting for its (next) attempt
    ENTREGADA = "ENTREGADA"  # the receiver answered 2xx
    FALLIDA = "FALLIDA"  # every attempt of the ladder failed; a person may redeliver it
    DESCARTADA = "DESCARTADA"  # its subscription was disabled or deleted before it could be delivered
