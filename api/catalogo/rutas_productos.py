"""`/api/productos`: the product list (reference data) and the items (materials, services) of a pendiente.

Productos: any authenticated user reads them; writes need ADMINISTRAR (the catalogue is reference data
that prices every item). Changing a product's price never changes existing items: an item keeps the
unit cost it was charged at.

Items of a pendiente are readable by whoever may see the pendiente. Writing them needs EDITAR_PENDIENTE
(dispatch), REGISTRAR_PAGO (billing) or ADMINISTRAR, or EJECUTAR_TRABAJO as the technician assigned to it
(the materials used on site) — always on a pendiente the caller may see, so a technician only touches
their own. A FINALIZADO or CANCELADO pendiente's items are frozen (409). The total is always computed
here: a client's `costoTotal` is ignored."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.catalogo.esquemas import (
    SIN_NUL,
    ItemCambios,
    ItemCrear,
    ItemResponse,
    ProductoCambios,
    ProductoCrear,
    ProductoResponse,
)
from api.comun.deps import AdminDep, SessionDep, UsuarioActual, UsuarioDep, requiere
from api.comun.paginacion import Pagina, ParametrosPagina, paginar, parametros_pagina
from api.comun.parcial import aplicar, cambios
from api.comun.respuesta import Respuesta, ok
from api.comun.tipos import IdRuta
from api.comun.visibilidad import pendiente_visible
from db import models as m
from domain.acciones import ESTADOS_CERRADOS
from domain.errores import Conflicto, DatosInvalidos, NoEncontrado, SinPermiso
from domain.permisos import Permiso

router = APIRouter(prefix="/api/productos", tags=["productos"])

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta el permiso o el pendiente no es suyo"},
    404: {"model": Respuesta[dict], "description": "Id desconocido o eliminado"},
    409: {"model": Respuesta[dict], "description": "Código duplicado o pendiente cerrado"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
}

# Unique constraints of products and catalogues -> (field named in the 409, message).
UNICOS = {
    "uq_productos_codigo_barra": (
        "codigoBarra",
        "ya existe un producto con ese código de barras (un producto eliminado lo conserva)",
    ),
    "uq_catalogo_productos_catalogo_id_producto_id": (
        "productoId",
        "el catálogo ya tiene (o tuvo) ese producto: edite esa fila",
    ),
}

# costo_total is numeric(12,2).
TOTAL_MAXIMO = Decimal("9999999999.99")
CENTIMO = Decimal("0.01")

ORDEN_PRODUCTOS = {
    "id": m.Producto.id,
    "nombre": m.Producto.nombre,
    "codigoBarra": m.Producto.codigo_barra,
    "costoUnitario": m.Producto.costo_unitario,
}

PaginaDep = Annotated[ParametrosPagina, Depends(parametros_pagina)]
BusquedaQ = Annotated[
    str | None,
    Query(max_length=100, pattern=SIN_NUL, description="Texto en nombre, código de barras o descripción"),
]

# A first filter; `_puede_escribir_items` then ties EJECUTAR_TRABAJO to the assigned technician.
EscribeItems = Annotated[
    UsuarioActual,
    requiere(Permiso.EDITAR_PENDIENTE, Permiso.REGISTRAR_PAGO, Permiso.EJECUTAR_TRABAJO, Permiso.ADMINISTRAR),
]


async def guardar(session: AsyncSession) -> None:
    """Commit, turning a duplicate into a 409 naming the field: the database decides, so two concurrent
    requests cannot both win."""
    try:
        await session.flush()
    except IntegrityError as error:
        await session.rollback()
        restriccion = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
        if restriccion not in UNICOS:
            raise
        campo, mensaje = UNICOS[restriccion]
        raise Conflicto(mensaje, {"campo": campo}) from None
    await session.commit()


async def producto_vigente(session: AsyncSession, producto_id: int, campo: str = "id") -> m.Producto:
    producto = await session.get(m.Producto, producto_id, populate_existing=True)
    if producto is None or not producto.vigente:
        raise NoEncontrado(f"producto {producto_id} no encontrado", {"campo": campo, "id": producto_id})
    return producto


def _producto_response(producto: m.Producto) -> ProductoResponse:
    return ProductoResponse(
        id=producto.id,
        codigo_barra=producto.codigo_barra,
        nombre=producto.nombre,
        descripcion=producto.descripcion,
        costo_unitario=producto.costo_unitario,
    )


def _sin_comodines(texto: str) -> str:
    return texto.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _productos(q: str | None) -> Select:
    consulta = select(m.Producto).where(m.Producto.vigente.is_(True))
    if q and q.strip():
        patron = f"%{_sin_comodines(q.strip())}%"
        consulta = consulta.where(
            m.Producto.nombre.ilike(patron, escape="\\")
            | m.Producto.codigo_barra.ilike(patron, escape="\\")
            | m.Producto.descripcion.ilike(patron, escape="\\")
        )
    return consulta


# --- Items of a pendiente (literal segments first, before `/{id}`) ----------------------------------


def _total(cantidad: int, costo_unitario: Decimal) -> Decimal:
    total = (cantidad * costo_unitario).quantize(CENTIMO)
    if total > TOTAL_MAXIMO:
        raise DatosInvalidos("el total del ítem excede el máximo admitido", {"campo": "cantidad"})
    return total


def _puede_escribir_items(usuario: UsuarioActual, pendiente: m.Pendiente) -> bool:
    if usuario.tiene(Permiso.EDITAR_PENDIENTE, Permiso.REGISTRAR_PAGO, Permiso.ADMINISTRAR):
        return True
    asignado = usuario.empleado_id is not None and usuario.empleado_id == pendiente.asignado_a
    return usuario.tiene(Permiso.EJECUTAR_TRABAJO) and asignado


async def _pendiente_editable(session: AsyncSession, pendiente_id: int, usuario: UsuarioActual) -> None:
    """404/403 as for reading, then 403 without write rights, then 409 if the pendiente is closed.
    The row is share-locked until commit, so a concurrent finalizar (which updates it) waits for us
    or we see it closed: no item slips into a closed pendiente."""
    pendiente = await pendiente_visible(session, pendiente_id, usuario)
    if not _puede_escribir_items(usuario, pendiente):
        raise SinPermiso(
            "los ítems los edita el técnico asignado, EDITAR_PENDIENTE o REGISTRAR_PAGO",
            {"permisos": [Permiso.EDITAR_PENDIENTE, Permiso.REGISTRAR_PAGO, Permiso.EJECUTAR_TRABAJO]},
        )
    pendiente = await session.scalar(
        select(m.Pendiente)
        .where(m.Pendiente.id == pendiente_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    if pendiente.estado in ESTADOS_CERRADOS:
        raise Conflicto(
            f"el pendiente está {pendiente.estado}: sus ítems ya no cambian",
            {"estado": pendiente.estado, "estadoTecnico": pendiente.estado_tecnico},
        )


async def _item(session: AsyncSession, item_id: int) -> m.PendienteItem:
    item = await session.get(m.PendienteItem, item_id, populate_existing=True)
    if item is None or not item.vigente:
        raise NoEncontrado(f"ítem {item_id} no encontrado", {"id": item_id})
    return item


async def _item_response(session: AsyncSession, item_id: int) -> ItemResponse:
    fila = (
        await session.execute(
            select(m.PendienteItem, m.Producto.nombre)
            .join(m.Producto, m.Producto.id == m.PendienteItem.producto_id)
            .where(m.PendienteItem.id == item_id)
        )
    ).one()
    return _a_item_response(*fila)


def _a_item_response(item: m.PendienteItem, producto_nombre: str) -> ItemResponse:
    return ItemResponse(
        id=item.id,
        pendiente_id=item.pendiente_id,
        producto_id=item.producto_id,
        producto_nombre=producto_nombre,
        descripcion=item.descripcion,
        cantidad=item.cantidad,
        costo_unitario=item.costo_unitario,
        costo_total=item.costo_total,
    )


@router.get(
    "/pendientes/{pendienteId}/items", response_model=Respuesta[list[ItemResponse]], responses=ERRORES
)
async def listar_items(pendienteId: IdRuta, usuario: UsuarioDep, session: SessionDep):
    """Los ítems vigentes del pendiente; `[]` si no tiene ninguno (el original respondía 404)."""
    await pendiente_visible(session, pendienteId, usuario)
    filas = await session.execute(
        select(m.PendienteItem, m.Producto.nombre)
        .join(m.Producto, m.Producto.id == m.PendienteItem.producto_id)
        .where(m.PendienteItem.pendiente_id == pendienteId, m.PendienteItem.vigente.is_(True))
        .order_by(m.PendienteItem.id)
    )
    return ok([_a_item_response(*f) for f in filas], "Ítems obtenidos correctamente")


@router.post("/pendientes/items", status_code=201, response_model=Respuesta[ItemResponse], responses=ERRORES)
async def crear_item(body: ItemCrear, usuario: EscribeItems, session: SessionDep):
    """`costoUnitario` por defecto es el precio del producto; `costoTotal` lo calcula el servidor."""
    await _pendiente_editable(session, body.pendiente_id, usuario)
    producto = await producto_vigente(session, body.producto_id, campo="productoId")
    costo = body.costo_unitario if body.costo_unitario is not None else producto.costo_unitario
    item = m.PendienteItem(
        pendiente_id=body.pendiente_id,
        producto_id=producto.id,
        descripcion=body.descripcion,
        cantidad=body.cantidad,
        costo_unitario=costo,
        costo_total=_total(body.cantidad, costo),
    )
    session.add(item)
    await guardar(session)
    return ok(await _item_response(session, item.id), "Ítem registrado correctamente", 201)


@router.put("/pendientes/items/{id}", response_model=Respuesta[ItemResponse], responses=ERRORES)
async def editar_item(id: IdRuta, body: ItemCambios, usuario: EscribeItems, session: SessionDep):
    """Cambio parcial; el total se recalcula. Cambiar de producto sin `costoUnitario` toma el precio
    del nuevo producto. Un ítem no cambia de pendiente."""
    obligatorios = frozenset({"pendiente_id", "producto_id", "cantidad", "costo_unitario"})
    valores = cambios(body, obligatorios)
    item = await _item(session, id)
    await _pendiente_editable(session, item.pendiente_id, usuario)
    if valores.pop("pendiente_id", item.pendiente_id) != item.pendiente_id:
        raise DatosInvalidos("un ítem no cambia de pendiente", {"campo": "pendienteId"})
    if "producto_id" in valores and valores["producto_id"] != item.producto_id:
        producto = await producto_vigente(session, valores["producto_id"], campo="productoId")
        valores.setdefault("costo_unitario", producto.costo_unitario)
    aplicar(item, valores)
    item.costo_total = _total(item.cantidad, item.costo_unitario)
    await guardar(session)
    return ok(await _item_response(session, id), "Ítem actualizado correctamente")


@router.delete("/pendientes/items/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_item(id: IdRuta, usuario: EscribeItems, session: SessionDep):
    """Baja lógica."""
    item = await _item(session, id)
    await _pendiente_editable(session, item.pendiente_id, usuario)
    item.vigente = False
    await guardar(session)
    return ok(None, "Ítem eliminado correctamente")


# --- Productos -------------------------------------------------------------------------------------


@router.get("", response_model=Respuesta[Pagina[ProductoResponse]], responses=ERRORES)
async def listar_productos(
    _: UsuarioDep,
    session: SessionDep,
    pagina: PaginaDep,
    q: BusquedaQ = None,
):
    resultado = await paginar(
        session, _productos(q), pagina, _producto_response, ORDEN_PRODUCTOS, m.Producto.id
    )
    return ok(resultado, "Productos obtenidos correctamente")


@router.get("/{id}", response_model=Respuesta[ProductoResponse], responses=ERRORES)
async def obtener_producto(id: IdRuta, _: UsuarioDep, session: SessionDep):
    return ok(_producto_response(await producto_vigente(session, id)), "Producto obtenido correctamente")


@router.post("", status_code=201, response_model=Respuesta[ProductoResponse], responses=ERRORES)
async def crear_producto(body: ProductoCrear, _: AdminDep, session: SessionDep):
    producto = m.Producto(**body.model_dump())
    session.add(producto)
    await guardar(session)
    return ok(_producto_response(producto), "Producto creado correctamente", 201)


@router.put("/{id}", response_model=Respuesta[ProductoResponse], responses=ERRORES)
async def editar_producto(id: IdRuta, body: ProductoCambios, _: AdminDep, session: SessionDep):
    """Cambio parcial: solo cambian los campos presentes; null borra un campo opcional."""
    valores = cambios(body, frozenset({"nombre", "costo_unitario"}))
    producto = await producto_vigente(session, id)
    aplicar(producto, valores)
    await guardar(session)
    return ok(_producto_response(producto), "Producto actualizado correctamente")


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_producto(id: IdRuta, _: AdminDep, session: SessionDep):
    """Baja lógica: desaparece de la lista y de los catálogos; los ítems que ya lo usan se conservan."""
    producto = await producto_vigente(session, id)
    producto.vigente = False
    await guardar(session)
    return ok(None, "Producto eliminado correctamente")
