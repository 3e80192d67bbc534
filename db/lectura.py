"""Reads of a pendiente's lifecycle facts shared by the activities and the API, as plain data: the
Temporal messages (contrato/) are built from them by their users, so db/ never depends on the contract."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from domain import sla
from domain.edicion import CAMPOS_DETALLE
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


def nombre_de(nombre: str | None, apellido: str | None) -> str | None:
    """An employee's name as answers and events show it ("Edwin Mamani"); None without one."""
    if nombre is None:
        return None
    return " ".join(x for x in (nombre, apellido) if x)


async def detalle_de(s: AsyncSession, fila: m.Pendiente) -> m.Base | None:
    return await s.get(DETALLES[TipoPendiente(fila.tipo)], fila.id)


# The type-detail values a detail view shows (every type's, null where a type has none), as the API's
# DetalleResponse: each type's own fields and the VLAN (the PPPoE user is read apart; never the password).
CAMPOS_VISTA_DETALLE = sorted(set().union(*CAMPOS_DETALLE.values()) | {"vlan"})


def _consulta_pendiente() -> Select:
    """One pendiente as its views show it, in one statement: the row, the names around it, its type
    detail (an outer join per type: only its own matches; columns `detalle_<tipo>__<campo>`) and its
    live labels (`etiquetas`: [id, nombre] pairs by name, null if none). Plain columns: no ORM object."""
    p, cliente = m.Pendiente.__table__, m.Cliente.__table__
    registrador, tecnico = m.Empleado.__table__.alias("registrador"), m.Empleado.__table__.alias("tecnico")
    columnas = [
        *p.c,
        cliente.c.nombre.label("cliente_nombre"),
        cliente.c.codigo_cliente.label("cliente_codigo"),
        cliente.c.telefono.label("cliente_telefono"),
        registrador.c.nombre.label("registrador_nombre"),
        registrador.c.apellido_paterno.label("registrador_apellido"),
        tecnico.c.nombre.label("tecnico_nombre"),
        tecnico.c.apellido_paterno.label("tecnico_apellido"),
    ]
    desde = p.join(cliente, cliente.c.id == p.c.cliente_id).join(
        registrador, registrador.c.id == p.c.registrado_por
    )
    desde = desde.outerjoin(tecnico, tecnico.c.id == p.c.asignado_a)
    for tipo, modelo in DETALLES.items():
        tabla = modelo.__table__.alias(f"detalle_{tipo.value.lower()}")
        desde = desde.outerjoin(tabla, tabla.c.pendiente_id == p.c.id)
        columnas.append(tabla.c.pendiente_id.label(f"{tabla.name}__existe"))
        propias = [c for c in (*CAMPOS_VISTA_DETALLE, "pppoe_usuario") if c in tabla.c]
        columnas += [tabla.c[c].label(f"{tabla.name}__{c}") for c in propias]
    e, pe = m.Etiqueta.__table__, m.PendienteEtiqueta.__table__
    par = func.json_build_array(e.c.id, e.c.nombre)
    etiquetas = (
        select(func.json_agg(aggregate_order_by(par, func.lower(e.c.nombre), e.c.id)))
        .select_from(e.join(pe, pe.c.etiqueta_id == e.c.id))
        .where(pe.c.pendiente_id == p.c.id, e.c.vigente.is_(True))
        .scalar_subquery()
    )
    columnas.append(etiquetas.label("etiquetas"))
    return select(*columnas).select_from(desde).where(p.c.id == bindparam("pendiente_id"))


# Built once: it is on every change's path (the event's payload) and every single read.
UN_PENDIENTE = _consulta_pendiente()
