"""Reads of a pendiente's lifecycle facts shared by the activities and the API, as plain data: the
Temporal messages (contrato/) are built from them by their users, so db/ never depends on the contract."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from domain.enums import TipoPendiente

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
        "seq": fila.seq,
    }


async def detalle_de(s: AsyncSession, fila: m.Pendiente) -> m.Base | None:
    return await s.get(DETALLES[TipoPendiente(fila.tipo)], fila.id)
