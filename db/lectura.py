"""Reads of a pendiente's lifecycle facts shared by the activities and the API, as plain data: the
Temporal messages (contrato/) are built from them by their users, so db/ never depends on the contract."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from domain import sla
from domain.enums import EstadoPendiente, TipoPendiente

# The table of each type's detail; which fields each holds is domain.edicion's (tests/domain checks it).
DETALLES: dict[TipoPendiente, type[m.Base]] = {
    TipoPendiente.AVERIA: m.PendienteAveria,
    TipoPendiente.INSTALACION_INTERNET: m.PendienteInstalacionInternet,
    TipoPendiente.INSTALACION_CAMARAS: m.PendienteInstalacionCamaras,
    TipoPendiente.RECOJO_DISPOSITIVOS: m.PendienteRecojoDispositivo,
    TipoPendiente.TRASLADO: m.PendienteTraslado,
}


def hechos_vivos(fila: m.Pendiente, detalle: m.Base | None) -> dict[str, object]:
    """The lifecycle facts the workflow keeps (contrato.mensajes.EstadoVivo's fields), rebuilt from the
    row and its detail."""
    return {
        "pendiente_id": fila.id,
        "estado": fila.estado,
        "estado_tecnico": fila.estado_tecnico,
        "tipo": fila.tipo,
        "asignado_a": fila.asignado_a,
        "fecha_pendiente": fila.fecha_pendiente,
        "vencido": fila.vencido,
        "pppoe_configurado": bool(getattr(detalle, "pppoe_usuario", None)),
        "vlan_configurada": getattr(detalle, "vlan", None) is not None,
        "tiene_detalle": detalle is not None,
        "sla": reloj_sla(fila),
        "seq": fila.seq,
    }


def reloj_sla(fila: m.Pendiente) -> sla.RelojSla | None:
    """The SLA clock the row holds (None for a pendiente created before the SLA existed)."""
    if fila.sla_plazo_seg is None:
        return None
    return sla.RelojSla(
        plazo_seg=fila.sla_plazo_seg,
        consumido_seg=fila.sla_consumido_seg or 0,
        desde=fila.sla_desde,
        nivel=fila.sla_nivel or 0,
    )


def hechos_sla(fila: m.Pendiente, ahora: datetime) -> dict[str, object]:
    """The SLA as every view of a pendiente shows it (API answers, event payloads), as of `ahora`."""
    reloj = reloj_sla(fila)
    if reloj is None:
        return dict.fromkeys(("estado_sla", "sla_vence", "sla_plazo_horas", "sla_transcurrido_minutos"))
    return {
        "estado_sla": fila.estado_sla,
        "sla_vence": fila.sla_vence,
        "sla_plazo_horas": round(reloj.plazo_seg / 3600, 2),
        "sla_transcurrido_minutos": sla.consumido(reloj, ahora) // 60,
    }


def columnas_sla(reloj: sla.RelojSla | None, estado: EstadoPendiente) -> dict[str, object]:
    """The row's SLA columns for a clock, with what is derived from it (estado_sla, sla_vence)."""
    if reloj is None:
        return {}
    return {
        "sla_plazo_seg": reloj.plazo_seg,
        "sla_consumido_seg": reloj.consumido_seg,
        "sla_desde": reloj.desde,
        "sla_nivel": reloj.nivel,
        "sla_vence": sla.vence(reloj),
        "estado_sla": sla.estado_sla(reloj, estado),
    }


async def detalle_de(s: AsyncSession, fila: m.Pendiente) -> m.Base | None:
    return await s.get(DETALLES[TipoPendiente(fila.tipo)], fila.id)
