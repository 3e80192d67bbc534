"""Writing events into the outbox and building their payloads.

An event is added to the caller's session, so it commits (or not) with the change it reports and its
historial row. Its payload shows the records as the API shows them to an administrator (camelCase,
dates in Lima as ISO strings, money as numbers), built here from the rows: db/ never depends on api/.
Secrets never enter a payload: the PPPoE password, clear or encrypted, is not read at all."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic.alias_generators import to_camel
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from db.lectura import CAMPOS_VISTA_DETALLE, UN_PENDIENTE, hechos_sla, nombre_de
from domain.enums import TipoPendiente
from domain.eventos import POR_CAMBIO, Formato, TipoEvento
from domain.persat import cuerpo_persat
from domain.zona import LIMA

# Fixed forever: the ids of the events already delivered are derived from it.
ESPACIO_IDS = uuid.UUID("5b0d3c1e-7a44-4f0e-9d6c-2f1f4a8e6b11")
PREFIJO_ID = "evt_"
# The events of a pendiente's own changes (one per seq): their id is derived from (pendiente, seq).
TIPOS_DE_CAMBIO = frozenset(POR_CAMBIO.values())
# Postgres NOTIFY channel announcing "<pendiente id>:<version>" for every event about a pendiente, sent
# in the event's transaction (so only once it commits); the board's live view listens (api/tablero/vivo.py).
CANAL_PENDIENTES = "pendientes"

# The type-detail values a detail view shows (every type's, null where a type has none), as the API's
# DetalleResponse: each type's own fields and the VLAN; the PPPoE user as `ppoe`; never the password.

SISTEMA = {"usuarioId": None, "empleadoId": None, "nombre": "sistema"}


def id_evento(pendiente_id: int | None = None, seq: int | None = None) -> str:
    """`evt_` + 32 hex. For a pendiente's change it is derived from (pendiente, seq), so whatever retries
    happen the change has one id; any other event gets a random one."""
    if pendiente_id is not None and seq is not None:
        return PREFIJO_ID + uuid.uuid5(ESPACIO_IDS, f"pendiente:{pendiente_id}:{seq}").hex
    return PREFIJO_ID + uuid.uuid4().hex


def actor(usuario_id: int | None, empleado_id: int | None, nombre: str) -> dict[str, Any]:
    """Who made the change, as the payload's `actor` (SISTEMA for the workflow's timers)."""
    return {"usuarioId": usuario_id, "empleadoId": empleado_id, "nombre": nombre}


def fila_evento(
    tipo: TipoEvento,
    datos: dict[str, Any],
    *,
    pendiente_id: int | None = None,
    cliente_id: int | None = None,
    seq: int | None = None,
    evento_id: str | None = None,
) -> dict[str, Any]:
    """The outbox row of an event (its columns), with its id: derived for a pendiente's own change."""
    if evento_id is None:
        propio = tipo in TIPOS_DE_CAMBIO
        evento_id = id_evento(pendiente_id if propio else None, seq if propio else None)
    return {
        "id": evento_id,
        "tipo": tipo,
        "pendiente_id": pendiente_id,
        "cliente_id": cliente_id,
        "seq": seq,
        "datos": datos,
    }


async def registrar_evento(
    session: AsyncSession,
    tipo: TipoEvento,
    datos: dict[str, Any],
    *,
    pendiente_id: int | None = None,
    cliente_id: int | None = None,
    seq: int | None = None,
    evento_id: str | None = None,
) -> str:
    """Write the event in the caller's transaction (it exists only if the change commits); its id."""
    valores = fila_evento(
        tipo, datos, pendiente_id=pendiente_id, cliente_id=cliente_id, seq=seq, evento_id=evento_id
    )
    # One round trip for a pendiente's event: the row and its NOTIFY, which Postgres delivers only
    # on commit, so a rolled-back change is never announced.
    await session.execute(_INSERTAR_EVENTO if pendiente_id is None else INSERTAR_Y_ANUNCIAR, valores)
    return valores["id"]


_EVENTOS = m.Evento.__table__
_INSERTAR_EVENTO = insert(_EVENTOS)
# "<pendiente id>:<version>" on CANAL_PENDIENTES, from the inserted row (usable in any INSERT INTO eventos).
ANUNCIO = func.pg_notify(
    CANAL_PENDIENTES, func.concat(_EVENTOS.c.pendiente_id, ":", func.coalesce(_EVENTOS.c.seq, 0))
)
INSERTAR_Y_ANUNCIAR = _INSERTAR_EVENTO.returning(ANUNCIO)


# --- Values as the API writes them ------------------------------------------------------------------


def _valor(valor: Any) -> Any:
    if isinstance(valor, datetime):
        return valor.astimezone(LIMA).isoformat()
    if isinstance(valor, date):
        return valor.isoformat()
    if isinstance(valor, Decimal):
        return float(valor)
    if isinstance(valor, Enum):
        return valor.value
    return valor


def _nombre(empleado: m.Empleado | None) -> str | None:
    return nombre_de(empleado.nombre, empleado.apellido_paterno) if empleado else None


# --- Views -----------------------------------------------------------------------------------------


def _detalle_de_fila(fila: Any) -> dict[str, Any] | None:
    """The type detail as `GET /api/pendientes/{id}/<tipo>` shows it, without `ppoePassword`."""
    prefijo = f"detalle_{TipoPendiente(fila.tipo).value.lower()}__"
    if getattr(fila, prefijo + "existe") is None:
        return None
    vista: dict[str, Any] = {"id": fila.id, "pendienteId": fila.id, "tipo": _valor(fila.tipo)}
    vista |= {to_camel(c): _valor(getattr(fila, prefijo + c, None)) for c in CAMPOS_VISTA_DETALLE}
    vista["ppoe"] = getattr(fila, prefijo + "pppoe_usuario", None)
    return vista


async def vista_pendiente(session: AsyncSession, pendiente_id: int) -> dict[str, Any] | None:
    """The pendiente as `GET /api/pendientes/{id}` shows it to an administrator, with its `detalle`,
    its `etiquetas` and whether it was deleted (`eliminado`: the last view of a deleted one)."""
    await session.flush()  # a Core statement does not flush the session's pending objects by itself
    p = (await session.execute(UN_PENDIENTE, {"pendiente_id": pendiente_id})).first()
    return None if p is None else vista_de_fila(p)


def vista_de_fila(p: Any) -> dict[str, Any]:
    """`vista_pendiente` of a row of db.lectura.UN_PENDIENTE (or of any object with its attributes)."""
    return {
        "id": p.id,
        "fechaCreacion": _valor(p.fecha_creacion),
        "fechaPendiente": _valor(p.fecha_pendiente),
        "idEmpleadoRegistro": p.registrado_por,
        "registradoPor": nombre_de(p.registrador_nombre, p.registrador_apellido),
        "idEmpleadoAsignado": p.asignado_a,
        "asignadoA": nombre_de(p.tecnico_nombre, p.tecnico_apellido),
        "estado": _valor(p.estado),
        "estadoTecnico": _valor(p.estado_tecnico),
        "empresa": _valor(p.empresa),
        "lugar": _valor(p.lugar),
        "prioridad": _valor(p.prioridad),
        "tipo": _valor(p.tipo),
        "direccion": p.direccion,
        "idCliente": p.cliente_id,
        "cliente": p.cliente_nombre,
        "codCliente": p.cliente_codigo,
        "celularCliente": p.cliente_telefono,
        "vencido": p.vencido,
        **{to_camel(k): _valor(v) for k, v in hechos_sla(p, datetime.now(UTC)).items()},
        "version": p.seq,
        "repetitivoId": p.repetitivo_id,
        "eliminado": not p.vigente,
        "detalle": _detalle_de_fila(p),
        "etiquetas": [{"id": i, "nombre": n} for i, n in p.etiquetas or ()],
    }


async def vista_pago(session: AsyncSession, pago_id: int) -> dict[str, Any] | None:
    """The payment as `GET /api/pagos/{id}` shows it (`eliminado` once annulled)."""
    fila = (
        await session.execute(
            select(m.Pago, m.Empleado, m.Cliente)
            .join(m.Empleado, m.Empleado.id == m.Pago.empleado_id)
            .join(m.Cliente, m.Cliente.id == m.Pago.cliente_id)
            .where(m.Pago.id == pago_id)
            .execution_options(populate_existing=True)
        )
    ).first()
    if fila is None:
        return None
    pago, empleado, cliente = fila
    return {
        "id": pago.id,
        "empleadoId": pago.empleado_id,
        "empleadoNombre": _nombre(empleado),
        "clienteId": pago.cliente_id,
        "clienteNombre": cliente.nombre,
        "pendienteId": pago.pendiente_id,
        "monto": _valor(pago.monto),
        "fechaPago": _valor(pago.fecha_pago),
        "metodoPago": _valor(pago.metodo_pago),
        "referencia": pago.referencia,
        "eliminado": not pago.vigente,
    }


async def vista_nota(session: AsyncSession, nota_id: int) -> dict[str, Any] | None:
    """The note as `GET /api/notas/{id}` shows it, with its images (`eliminado` once deleted)."""
    fila = (
        await session.execute(
            select(m.PendienteNota, m.Empleado)
            .join(m.Empleado, m.Empleado.id == m.PendienteNota.empleado_id)
            .where(m.PendienteNota.id == nota_id)
            .execution_options(populate_existing=True)
        )
    ).first()
    if fila is None:
        return None
    nota, empleado = fila
    imagenes = await session.execute(
        select(m.PendienteNotaImagen.id, m.PendienteNotaImagen.url)
        .where(m.PendienteNotaImagen.nota_id == nota_id)
        .order_by(m.PendienteNotaImagen.id)
    )
    return {
        "id": nota.id,
        "pendienteId": nota.pendiente_id,
        "empleadoId": nota.empleado_id,
        "empleadoNombre": _nombre(empleado),
        "nota": nota.nota,
        "estadoPendiente": _valor(nota.estado_pendiente),
        "fechaCreacion": _valor(nota.fecha_creacion),
        "imagenes": [{"id": i, "notaId": nota_id, "url": u} for i, u in imagenes],
        "eliminado": not nota.vigente,
    }


_CAMPOS_CLIENTE = (
    "id",
    "tipo_cliente",
    "nombre",
    "tipo_documento",
    "numero_documento",
    "codigo_cliente",
    "direccion",
    "telefono",
    "email",
    "contacto_representante",
    "fecha_creacion",
    "fecha_modificacion",
)


async def vista_cliente(session: AsyncSession, cliente_id: int) -> dict[str, Any] | None:
    """The client as `GET /api/clientes/{id}` shows it (`eliminado` once deleted)."""
    cliente = await session.scalar(
        select(m.Cliente).where(m.Cliente.id == cliente_id).execution_options(populate_existing=True)
    )
    if cliente is None:
        return None
    vista = {to_camel(c): _valor(getattr(cliente, c)) for c in _CAMPOS_CLIENTE}
    return vista | {"eliminado": not cliente.vigente}


# --- Whole payloads --------------------------------------------------------------------------------


def evento_de_pendiente(
    tipo: TipoEvento, vista: dict[str, Any], quien: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """The outbox row of a pendiente's own change: `{"pendiente", "actor", ...extra}`, at its seq."""
    datos = {"pendiente": vista, "actor": quien} | {k: v for k, v in extra.items() if v is not None}
    return fila_evento(
        tipo, datos, pendiente_id=vista["id"], cliente_id=vista["idCliente"], seq=vista["version"]
    )


async def registrar_de_pendiente(
    session: AsyncSession,
    tipo: TipoEvento,
    pendiente_id: int,
    quien: dict[str, Any],
    **extra: Any,
) -> str:
    """A pendiente's own change, its view read in the caller's transaction."""
    valores = evento_de_pendiente(tipo, await vista_pendiente(session, pendiente_id), quien, **extra)
    await session.execute(INSERTAR_Y_ANUNCIAR, valores)
    return valores["id"]


async def registrar_de_anexo(
    session: AsyncSession,
    tipo: TipoEvento,
    clave: str,
    vista: dict[str, Any],
    quien: dict[str, Any],
    **extra: Any,
) -> str:
    """A change of something hanging from a pendiente (a pago, a nota): `{clave: vista, "pendiente",
    "actor", ...extra}`, at the pendiente's current seq (its own change did not move it)."""
    pendiente = await vista_pendiente(session, vista["pendienteId"])
    datos = {clave: vista, "pendiente": pendiente, "actor": quien} | {
        k: v for k, v in extra.items() if v is not None
    }
    return await registrar_evento(
        session,
        tipo,
        datos,
        pendiente_id=pendiente["id"],
        cliente_id=pendiente["idCliente"],
        seq=pendiente["version"],
    )


async def registrar_de_cliente(
    session: AsyncSession, tipo: TipoEvento, cliente_id: int, quien: dict[str, Any]
) -> str:
    vista = await vista_cliente(session, cliente_id)
    return await registrar_evento(session, tipo, {"cliente": vista, "actor": quien}, cliente_id=cliente_id)


def cuerpo(evento: m.Evento, formato: Formato) -> str:
    """The exact body that is signed and sent."""
    if formato == Formato.PERSAT:
        contenido: dict[str, Any] = cuerpo_persat(TipoEvento(evento.tipo), evento.datos)
    else:
        contenido = {
            "id": evento.id,
            "tipo": str(evento.tipo),
            "fecha": evento.fecha.astimezone(LIMA).isoformat(),
            "seq": evento.seq,
            "pendienteId": evento.pendiente_id,
            "datos": evento.datos,
        }
    return json.dumps(contenido, ensure_ascii=False, separators=(",", ":"), default=str)
