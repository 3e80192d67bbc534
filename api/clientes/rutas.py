"""`/api/clientes`: the customers work orders are for (reference §5.4, product decisions "Data rules").

Reading: VER_TODOS, GESTIONAR_CLIENTES or REGISTRAR_PENDIENTE see every client (registering a pendiente
means picking any client); VER_DETALLE or REGISTRAR_PAGO alone (a technician) see only the clients of
pendientes they registered or are assigned to, as VER_DETALLE does for pendientes: others are 403.
Writes need GESTIONAR_CLIENTES. PUT and PATCH are partial. DELETE is soft and refused (409) while the
client has open pendientes, so no technician is sent to a client that no longer exists.

Uniqueness is decided by the database (`uq_clientes_codigo_cliente`, and the partial unique index
`uq_clientes_documento_vigente` over active clients), so two concurrent requests cannot both win; its
violations become 409s naming the field."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.clientes.esquemas import (
    OBLIGATORIOS,
    ClienteCambios,
    ClienteCrear,
    ClienteResponse,
    documento_valido,
    respuesta,
)
from api.comun.deps import SessionDep, UsuarioActual, requiere
from api.comun.paginacion import Pagina, ParametrosPagina, paginar, parametros_pagina
from api.comun.parcial import aplicar, cambios
from api.comun.respuesta import Respuesta, ok
from db import models as m
from domain.enums import EstadoPendiente, TipoCliente, TipoDocumento
from domain.errores import Conflicto, NoEncontrado, SinPermiso
from domain.permisos import Permiso

router = APIRouter(prefix="/api/clientes", tags=["clientes"])

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta un permiso, o no es cliente de sus pendientes"},
    404: {"model": Respuesta[dict], "description": "Id desconocido o eliminado"},
    409: {"model": Respuesta[dict], "description": "codigoCliente o documento duplicado; cliente en uso"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
}

IdCliente = Annotated[int, Path(gt=0, le=2**63 - 1, description="Id del cliente")]

LECTURA_TOTAL = (Permiso.VER_TODOS, Permiso.GESTIONAR_CLIENTES, Permiso.REGISTRAR_PENDIENTE)
LECTURA_PROPIA = (Permiso.VER_DETALLE, Permiso.REGISTRAR_PAGO)
LectorDep = Annotated[UsuarioActual, requiere(*LECTURA_TOTAL, *LECTURA_PROPIA)]
GestorDep = Annotated[UsuarioActual, requiere(Permiso.GESTIONAR_CLIENTES)]

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


def codigo_generado(numero: int) -> str:
    """CLI000123. The number comes from the id's identity sequence (the row gets that id), which
    Postgres never hands out twice, so concurrent creates cannot generate the same code."""
    return f"CLI{numero:06d}"


# --- Reading ---------------------------------------------------------------------------------------


def _alcance(usuario: UsuarioActual) -> ColumnElement[bool] | None:
    """None: the caller sees every client. Otherwise the condition for "client of my pendientes"."""
    if usuario.tiene(*LECTURA_TOTAL):
        return None
    if usuario.empleado_id is None:
        return false()
    propios = select(m.Pendiente.cliente_id).where(
        m.Pendiente.vigente.is_(True),
        or_(m.Pendiente.registrado_por == usuario.empleado_id, m.Pendiente.asignado_a == usuario.empleado_id),
    )
    return m.Cliente.id.in_(propios)


async def _cliente(session: AsyncSession, cliente_id: int) -> m.Cliente:
    """The active row (404 if unknown or deleted)."""
    fila = await session.get(m.Cliente, cliente_id, populate_existing=True)
    if fila is None or not fila.vigente:
        raise NoEncontrado(f"cliente {cliente_id} no encontrado", {"id": cliente_id})
    return fila


async def _cliente_visible(session: AsyncSession, cliente_id: int, usuario: UsuarioActual) -> m.Cliente:
    fila = await _cliente(session, cliente_id)
    alcance = _alcance(usuario)
    if alcance is not None and not await session.scalar(
        select(m.Cliente.id).where(m.Cliente.id == fila.id, alcance)
    ):
        raise SinPermiso(
            "solo puede ver los clientes de sus pendientes",
            {"permisos": [p.value for p in LECTURA_TOTAL]},
        )
    return fila


def _filtros(
    q: Annotated[
        str | None,
        Query(
            max_length=100, description="Contiene (sin distinguir mayúsculas) en nombre, código o documento"
        ),
    ] = None,
    tipo_cliente: Annotated[TipoCliente | None, Query(alias="tipoCliente")] = None,
    tipo_documento: Annotated[TipoDocumento | None, Query(alias="tipoDocumento")] = None,
) -> list[ColumnElement[bool]]:
    condiciones: list[ColumnElement[bool]] = [m.Cliente.vigente.is_(True)]
    if q and q.strip():
        # The text is matched literally: % and _ typed by the user are not wildcards.
        patron = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        columnas = (m.Cliente.nombre, m.Cliente.codigo_cliente, m.Cliente.numero_documento)
        condiciones.append(or_(*(c.ilike(patron, escape="\\") for c in columnas)))
    if tipo_cliente is not None:
        condiciones.append(m.Cliente.tipo_cliente == tipo_cliente)
    if tipo_documento is not None:
        condiciones.append(m.Cliente.tipo_documento == tipo_documento)
    return condiciones


@router.get("", response_model=Respuesta[Pagina[ClienteResponse]], responses=ERRORES)
async def listar_clientes(
    usuario: LectorDep,
    session: SessionDep,
    pagina: Annotated[ParametrosPagina, Depends(parametros_pagina)],
    filtros: Annotated[list[ColumnElement[bool]], Depends(_filtros)],
):
    """Clientes vigentes, paginados (size ≤ 100; sort=id|nombre|codigoCliente|...,asc|desc)."""
    alcance = _alcance(usuario)
    consulta = select(m.Cliente).where(*filtros, *([alcance] if alcance is not None else []))
    datos = await paginar(session, consulta, pagina, respuesta, COLUMNAS_ORDEN, m.Cliente.id.asc())
    return ok(datos, "Clientes obtenidos correctamente")


@router.get("/{id}", response_model=Respuesta[ClienteResponse], responses=ERRORES)
async def obtener_cliente(id: IdCliente, usuario: LectorDep, session: SessionDep):
    return ok(respuesta(await _cliente_visible(session, id, usuario)), "Cliente obtenido correctamente")


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


async def _insertar(session: AsyncSession, valores: dict[str, object]) -> m.Cliente:
    generar = valores.get("codigo_cliente") is None
    for _ in range(INTENTOS_CODIGO):
        cliente = m.Cliente(**valores)
        if generar:
            secuencia = func.pg_get_serial_sequence(m.Cliente.__tablename__, "id")
            cliente.id = await session.scalar(select(func.nextval(secuencia)))
            cliente.codigo_cliente = codigo_generado(cliente.id)
        session.add(cliente)
        violada = await _violacion(session)
        if violada is None:
            await session.commit()
            return cliente
        if not (generar and violada == _CODIGO):
            raise await _conflicto(session, violada, valores["tipo_documento"], valores["numero_documento"])
    raise Conflicto("no se pudo generar un codigoCliente libre: indíquelo", {"campo": "codigoCliente"})


@router.post("", status_code=201, response_model=Respuesta[ClienteResponse], responses=ERRORES)
async def crear_cliente(body: ClienteCrear, _: GestorDep, session: SessionDep):
    """Alta de un cliente vigente; sin codigoCliente se genera CLI000123."""
    valores = body.model_dump()
    valores["numero_documento"] = documento_valido(body.tipo_documento, body.numero_documento)
    cliente = await _insertar(session, valores)
    return ok(respuesta(cliente), "Cliente creado correctamente", 201)


@router.put("/{id}", response_model=Respuesta[ClienteResponse], responses=ERRORES)
@router.patch("/{id}", response_model=Respuesta[ClienteResponse], responses=ERRORES)
async def editar_cliente(id: IdCliente, body: ClienteCambios, _: GestorDep, session: SessionDep):
    """Cambio parcial: solo cambian los campos enviados; null borra un campo opcional. El documento se
    valida con los valores resultantes (p. ej. cambiar tipoDocumento a RUC exige un número de RUC)."""
    cliente = await _cliente(session, id)
    valores = cambios(body, OBLIGATORIOS)
    tipo = valores.get("tipo_documento", cliente.tipo_documento)
    numero = valores.get("numero_documento", cliente.numero_documento)
    if {"tipo_documento", "numero_documento"} & valores.keys():
        numero = valores["numero_documento"] = documento_valido(tipo, numero)
    aplicar(cliente, valores)
    violada = await _violacion(session)
    if violada is not None:
        raise await _conflicto(session, violada, tipo, numero)
    await session.commit()
    return ok(respuesta(cliente), "Cliente actualizado correctamente")


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_cliente(id: IdCliente, _: GestorDep, session: SessionDep):
    """Baja lógica; 409 mientras tenga pendientes abiertos (ni FINALIZADO ni CANCELADO)."""
    cliente = await _cliente(session, id)
    abiertos = await session.scalar(
        select(func.count()).where(
            m.Pendiente.cliente_id == id,
            m.Pendiente.vigente.is_(True),
            m.Pendiente.estado.not_in(_CERRADOS),
        )
    )
    if abiertos:
        raise Conflicto(
            f"el cliente tiene {abiertos} pendiente(s) abierto(s): ciérrelos antes",
            {"pendientesAbiertos": abiertos},
        )
    cliente.vigente = False
    await session.commit()
    return ok(None, "Cliente eliminado correctamente")
