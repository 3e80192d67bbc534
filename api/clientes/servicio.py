"""Every read and write of clientes. Who sees which client is the one rule of domain/visibilidad.py
(`Recurso.CLIENTE`): the list's SQL filter and the single read's 403 both derive from it.

Uniqueness is decided by the database (`uq_clientes_codigo_cliente`, and the partial unique index
`uq_clientes_documento_vigente` over active clients), so two concurrent requests cannot both win; its
violations become 409s naming the field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.clientes.esquemas import ClienteResponse, documento_valido, respuesta
from api.comun.deps import UsuarioActual
from api.comun.paginacion import Pagina, ParametrosPagina, paginar
from api.comun.parcial import aplicar
from api.comun.visibilidad import exigir, filtro, puede, vinculos
from db import models as m
from db.eventos import actor, registrar_de_cliente
from domain.enums import EstadoPendiente, TipoCliente, TipoDocumento
from domain.errores import Conflicto, NoEncontrado
from domain.eventos import TipoEvento
from domain.visibilidad import Recurso, Vinculo

COLUMNAS_ORDEN = {
    "id": m.Cliente.id,
    "nombre": m.Cliente.nombre,
    "codigoCliente": m.Cliente.codigo_cliente,
    "numeroDocumento": m.Cliente.numero_documento,
    "tipoCliente": m.Cliente.tipo_cliente,
    "tipoDocumento": m.Cliente.tipo_documento,
    "fechaCreacion": m.Cliente.fecha_creacion,
}

# Unique constraints -> (field named in the 409, message).
_UNICOS = {
    "uq_clientes_codigo_cliente": ("codigoCliente", "ya existe un cliente con ese codigoCliente"),
    "uq_clientes_documento_vigente": (
        "numeroDocumento",
        "ya existe un cliente activo con ese tipo y número de documento",
    ),
}
_CODIGO = "uq_clientes_codigo_cliente"
_CERRADOS = (EstadoPendiente.FINALIZADO, EstadoPendiente.CANCELADO)
# A generated code can only collide with one a user typed by hand; each retry takes a fresh number.
INTENTOS_CODIGO = 5
# How a pendiente links a client to the caller: through who registered it and who works it.
_VINCULOS = {Vinculo.REGISTRO: m.Pendiente.registrado_por, Vinculo.ASIGNACION: m.Pendiente.asignado_a}


def codigo_generado(numero: int) -> str:
    """CLI000123. The number comes from the id's identity sequence (the row gets that id), which
    Postgres never hands out twice, so concurrent creates cannot generate the same code."""
    return f"CLI{numero:06d}"


# --- Reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filtros:
    q: str | None = None
    tipo_cliente: TipoCliente | None = None
    tipo_documento: TipoDocumento | None = None


def _condiciones(filtros: Filtros) -> list[ColumnElement[bool]]:
    condiciones: list[ColumnElement[bool]] = [m.Cliente.vigente.is_(True)]
    if filtros.q and filtros.q.strip():
        # The text is matched literally: % and _ typed by the user are not wildcards.
        q = filtros.q.strip()
        patron = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        columnas = (m.Cliente.nombre, m.Cliente.codigo_cliente, m.Cliente.numero_documento)
        condiciones.append(or_(*(c.ilike(patron, escape="\\") for c in columnas)))
    if filtros.tipo_cliente is not None:
        condiciones.append(m.Cliente.tipo_cliente == filtros.tipo_cliente)
    if filtros.tipo_documento is not None:
        condiciones.append(m.Cliente.tipo_documento == filtros.tipo_documento)
    return condiciones


def _visibles(usuario: UsuarioActual) -> ColumnElement[bool]:
    """The clients the caller reaches: all of them, or those of the live pendientes linked to the caller
    as the rule requires."""
    if puede(usuario, Recurso.CLIENTE, set()):
        return true()
    propios = select(m.Pendiente.cliente_id).where(
        m.Pendiente.vigente.is_(True), filtro(usuario, Recurso.CLIENTE, _VINCULOS)
    )
    return m.Cliente.id.in_(propios)


async def listar(
    session: AsyncSession, usuario: UsuarioActual, filtros: Filtros, pagina: ParametrosPagina
) -> Pagina[ClienteResponse]:
    consulta = select(m.Cliente).where(*_condiciones(filtros), _visibles(usuario))
    return await paginar(session, consulta, pagina, respuesta, COLUMNAS_ORDEN, m.Cliente.id.asc())


async def cliente(session: AsyncSession, cliente_id: int) -> m.Cliente:
    """The active row (404 if unknown or deleted)."""
    fila = await session.get(m.Cliente, cliente_id, populate_existing=True)
    if fila is None or not fila.vigente:
        raise NoEncontrado(f"cliente {cliente_id} no encontrado", {"id": cliente_id})
    return fila


async def _vinculos_con(session: AsyncSession, usuario: UsuarioActual, cliente_id: int) -> set[Vinculo]:
    """The links between the caller and the client's live pendientes, all of them together."""
    if usuario.empleado_id is None or puede(usuario, Recurso.CLIENTE, set()):
        return set()
    filas = await session.execute(
        select(m.Pendiente.registrado_por, m.Pendiente.asignado_a).where(
            m.Pendiente.cliente_id == cliente_id,
            m.Pendiente.vigente.is_(True),
            or_(*(columna == usuario.empleado_id for columna in _VINCULOS.values())),
        )
    )
    encontrados: set[Vinculo] = set()
    for registrado_por, asignado_a in filas:
        encontrados |= vinculos(usuario, registrado_por=registrado_por, asignado_a=asignado_a)
    return encontrados


async def cliente_visible(session: AsyncSession, cliente_id: int, usuario: UsuarioActual) -> m.Cliente:
    """The active row, if the caller reaches it (404 first, then 403)."""
    fila = await cliente(session, cliente_id)
    exigir(usuario, Recurso.CLIENTE, await _vinculos_con(session, usuario, fila.id))
    return fila


# --- Writing ---------------------------------------------------------------------------------------


async def _violacion(session: AsyncSession) -> str | None:
    """Flush; on a unique violation roll back and return the constraint's name (None if it went in)."""
    try:
        await session.flush()
    except IntegrityError as error:
        await session.rollback()
        nombre = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
        if nombre not in _UNICOS:
            raise
        return nombre
    return None


async def _conflicto(
    session: AsyncSession, restriccion: str, tipo: TipoDocumento, numero: str | None
) -> Conflicto:
    campo, mensaje = _UNICOS[restriccion]
    data: dict[str, object] = {"campo": campo}
    if campo == "numeroDocumento":
        # Point at the client that holds the document, so the caller can use it instead.
        data["clienteId"] = await session.scalar(
            select(m.Cliente.id).where(
                m.Cliente.vigente.is_(True),
                m.Cliente.tipo_documento == tipo,
                m.Cliente.numero_documento == numero,
            )
        )
    return Conflicto(mensaje, data)


async def crear(session: AsyncSession, valores: dict[str, Any], usuario: UsuarioActual) -> m.Cliente:
    """A new active client; without codigo_cliente one is generated (CLI000123)."""
    valores = valores | {
        "numero_documento": documento_valido(valores["tipo_documento"], valores["numero_documento"])
    }
    generar = valores.get("codigo_cliente") is None
    for _ in range(INTENTOS_CODIGO):
        fila = m.Cliente(**valores)
        if generar:
            secuencia = func.pg_get_serial_sequence(m.Cliente.__tablename__, "id")
            fila.id = await session.scalar(select(func.nextval(secuencia)))
            fila.codigo_cliente = codigo_generado(fila.id)
        session.add(fila)
        violada = await _violacion(session)
        if violada is None:
            await _evento(session, TipoEvento.CLIENTE_CREADO, fila.id, usuario)
            await session.commit()
            return fila
        if not (generar and violada == _CODIGO):
            raise await _conflicto(session, violada, valores["tipo_documento"], valores["numero_documento"])
    raise Conflicto("no se pudo generar un codigoCliente libre: indíquelo", {"campo": "codigoCliente"})


async def editar(
    session: AsyncSession, cliente_id: int, valores: dict[str, Any], usuario: UsuarioActual
) -> m.Cliente:
    """Apply the fields present; the document is checked on the resulting values (changing
    tipo_documento to RUC needs a RUC number)."""
    fila = await cliente(session, cliente_id)
    tipo = valores.get("tipo_documento", fila.tipo_documento)
    numero = valores.get("numero_documento", fila.numero_documento)
    if {"tipo_documento", "numero_documento"} & valores.keys():
        numero = valores["numero_documento"] = documento_valido(tipo, numero)
    aplicar(fila, valores)
    violada = await _violacion(session)
    if violada is not None:
        raise await _conflicto(session, violada, tipo, numero)
    await _evento(session, TipoEvento.CLIENTE_MODIFICADO, fila.id, usuario)
    await session.commit()
    return fila


async def eliminar(session: AsyncSession, cliente_id: int, usuario: UsuarioActual) -> None:
    """Soft; 409 while it has open pendientes (neither FINALIZADO nor CANCELADO)."""
    fila = await cliente(session, cliente_id)
    abiertos = await session.scalar(
        select(func.count()).where(
            m.Pendiente.cliente_id == cliente_id,
            m.Pendiente.vigente.is_(True),
            m.Pendiente.estado.not_in(_CERRADOS),
        )
    )
    if abiertos:
        raise Conflicto(
            f"el cliente tiene {abiertos} pendiente(s) abierto(s): ciérrelos antes",
            {"pendientesAbiertos": abiertos},
        )
    fila.vigente = False
    await _evento(session, TipoEvento.CLIENTE_ELIMINADO, fila.id, usuario)
    await session.commit()


async def _evento(session: AsyncSession, tipo: TipoEvento, cliente_id: int, usuario: UsuarioActual) -> None:
    """The outbox row of a client's change, in the same transaction as the change."""
    quien = actor(usuario.id, usuario.empleado_id, usuario.nombre)
    await registrar_de_cliente(session, tipo, cliente_id, quien)
