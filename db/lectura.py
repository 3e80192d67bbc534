"""Reads of a pendiente's lifecycle facts shared by the activities and the API."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from contrato.mensajes import EstadoVivo
from db import models as m
from domain.enums import TipoPendiente

DETALLES: dict[TipoPendiente, type[m.Base]] = {
    TipoPendiente.AVERIA: m.PendienteAveria,
    TipoPendiente.INSTALACION_INTERNET: m.PendienteInstalacionInternet,
    TipoPendiente.INSTALACION_CAMARAS: m.PendienteInstalacionCamaras,
    TipoPendiente.RECOJO_DISPOSITIVOS: m.PendienteRecojoDispositivo,
    TipoPendiente.TRASLADO: m.PendienteTraslado,
}


def estado_vivo(fila: m.Pendiente, detalle: m.Base | None) -> EstadoVivo:
    """The lifecycle facts as the workflow keeps them, rebuilt from the row and its detail."""
    return EstadoVivo(
        pendiente_id=fila.id,
        estado=fila.estado,
        estado_tecnico=fila.estado_tecnico,
        tipo=fila.tipo,
        asignado_a=fila.asignado_a,
        fecha_pendiente=fila.fecha_pendiente,
        vencido=fila.vencido,
        pppoe_configurado=bool(getattr(detalle, "pppoe_usuario", None)),
        vlan_configurada=getattr(detalle, "vlan", None) is not None,
        tiene_detalle=detalle is not None,
        seq=fila.seq,
    )


async def detalle_de(s: AsyncSession, fila: m.Pendiente) -> m.Base | None:
    return await s.get(DETALLES[TipoPendiente(fila.tipo)], fila.id)
