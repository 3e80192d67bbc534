"""Our events in the peer's (Persat's) shape, so a receiver written for its webhooks works unchanged:
`{"eventType": "workorder.created", "payload": <OT>}` (reference persat-ordenes-de-trabajo.md §4, §10.3).

Built from an event's `datos` as the outbox writes them: the pendiente as the API shows it to an
administrator (camelCase, dates in Lima as ISO text) under "pendiente", the client under "cliente". Pure:
no I/O, so the delivery activity, the ping and the tests all use the same mapping."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.enums import ESTADOS_VENCIBLES, EstadoPendiente
from domain.eventos import PERSAT_ESTADO, PERSAT_VENCIDA, TipoEvento, persat_evento
from domain.zona import LIMA

# The peer's number for "nobody" (an OT created through its API): used when a creator is unknown.
SIN_USUARIO = -1


def _instante(texto: str | None) -> datetime | None:
    if not texto:
        return None
    momento = datetime.fromisoformat(texto)
    return momento if momento.tzinfo else momento.replace(tzinfo=LIMA)


def iso_utc(momento: datetime) -> str:
    """The peer's timestamps: UTC, milliseconds, a `Z` (`2022-05-06T16:53:50.000Z`)."""
    utc = momento.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def estado_persat(estado: str, vencido: bool) -> str:
    """The peer's state: an overdue pendiente still open is its VENCIDA, whatever its stage."""
    propio = EstadoPendiente(estado)
    if vencido and propio in ESTADOS_VENCIBLES:
        return PERSAT_VENCIDA
    return PERSAT_ESTADO[propio]


def orden_de_trabajo(pendiente: dict[str, Any]) -> dict[str, Any]:
    """The peer's OT object (§4) from our pendiente view."""
    creado = _instante(pendiente.get("fechaCreacion"))
    programado = _instante(pendiente.get("fechaPendiente"))
    if programado is not None:
        local = programado.astimezone(LIMA)
        # Day precision in the peer's own convention (midnight, `Z`); the time goes in starts_min.
        fecha, inicio = f"{local.date().isoformat()}T00:00:00.000Z", local.hour * 60 + local.minute
    else:
        fecha, inicio = None, None
    asignado = pendiente.get("idEmpleadoAsignado")
    responsables = (
        [] if asignado is None else [{"user_id": asignado, "user_name": pendiente.get("asignadoA")}]
    )
    return {
        "_id": str(pendiente["id"]),
        "state": estado_persat(pendiente["estado"], bool(pendiente.get("vencido"))),
        "created": iso_utc(creado) if creado else None,
        "created_by_user_name": pendiente.get("registradoPor"),
        "created_by_user_id": pendiente.get("idEmpleadoRegistro", SIN_USUARIO),
        "labels_ids": [e["id"] for e in pendiente.get("etiquetas") or []],
        "client": {
            "id": pendiente.get("idCliente"),
            "name": pendiente.get("cliente"),
            "uid_client": pendiente.get("codCliente"),
        },
        "wo_data": {
            "schema_id": pendiente.get("tipo"),
            "instructions": {"formvalues": pendiente.get("detalle") or {}},
        },
        "assignation_info": {
            "date": fecha,
            "starts_min": inicio,
            "responsibles_required": 1,
            "responsibles": responsables,
        },
    }


def cliente_persat(cliente: dict[str, Any]) -> dict[str, Any]:
    """The peer's client object (§9.1) from our client view: its unique name, its code as uid_client."""
    campos = {"telefono": "Teléfono", "email": "Mail de notificación", "contactoRepresentante": "Contacto"}
    return {
        "id": cliente.get("id"),
        "uid_client": cliente.get("codigoCliente"),
        "company_name": cliente.get("nombre"),
        "company_description": cliente.get("numeroDocumento"),
        "street": cliente.get("direccion"),
        "custom_fields": {
            clave: {"name": nombre, "value": cliente.get(clave)}
            for clave, nombre in campos.items()
            if cliente.get(clave) is not None
        },
    }


def cuerpo_persat(tipo: TipoEvento, datos: dict[str, Any]) -> dict[str, Any]:
    """`{"eventType", "payload"}`: an OT for anything about a pendiente (pagos and notas included, the
    peer knows them only as changes of the OT), the client object for client events."""
    if "pendiente" in datos:
        carga: dict[str, Any] = orden_de_trabajo(datos["pendiente"])
    elif "cliente" in datos:
        carga = cliente_persat(datos["cliente"])
    else:
        carga = dict(datos)
    return {"eventType": persat_evento(tipo), "payload": carga}
