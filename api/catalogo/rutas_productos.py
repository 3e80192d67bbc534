"""`/api/productos`: the product list (reference data) and the items (materials, services) of a pendiente.

Productos: any authenticated user reads them; writes need ADMINISTRAR (the catalogue is reference data
that prices every item). Changing a product's price never changes existing items: an item keeps the
unit cost it was charged at.

Items of a pendiente are readable by whoever may see the pendiente. Writing them needs EDITAR_PENDIENTE
(dispatch), REGISTRAR_PAGO (billing) or ADMINISTRAR, or EJECUTAR_TRABAJO as the technician assigned to it
(the materials used on site) — always on a pendiente the caller may see, so a technician only touches
their own. A closed pendiente's items are frozen (409, domain/cierre.py). The total is always computed
by the server: a client's `costoTotal` is ignored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.catalogo import servicio
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
from api.comun.paginacion import Pagina, ParametrosPagina, parametros_pagina
from api.comun.parcial import cambios
from api.comun.respuesta import Respuesta, ok
from api.comun.tipos import IdRuta
from domain.permisos import Permiso

router = APIRouter(prefix="/api/productos", tags=["productos"])

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta el permiso o el pendiente no es suyo"},
    404: {"model": Respuesta[dict], "description": "Id desconocido o eliminado"},
    409: {"model": Respuesta[dict], "description": "Código duplicado o pendiente cerrado"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
}

PaginaDep = Annotated[ParametrosPagina, Depends(parametros_pagina)]
BusquedaQ = Annotated[
    str | None,
    Query(max_length=100, pattern=SIN_NUL, description="Texto en nombre, código de barras o descripción"),
]

# A first filter; the service then ties EJECUTAR_TRABAJO to the assigned technician (Recurso.ITEMS).
EscribeItems = Annotated[
    UsuarioActual,
    requiere(Permiso.EDITAR_PENDIENTE, Permiso.REGISTRAR_PAGO, Permiso.EJECUTAR_TRABAJO, Permiso.ADMINISTRAR),
]


# --- Items of a pendiente (literal segments first, before `/{id}`) ----------------------------------


@router.get(
    "/pendientes/{pendienteId}/items", response_model=Respuesta[list[ItemResponse]], responses=ERRORES
)
async def listar_items(pendienteId: IdRuta, usuario: UsuarioDep, session: SessionDep):
    """Los ítems vigentes del pendiente; `[]` si no tiene ninguno (el original respondía 404)."""
    return ok(await servicio.items_de(session, pendienteId, usuario), "Ítems obtenidos correctamente")


@router.post("/pendientes/items", status_code=201, response_model=Respuesta[ItemResponse], responses=ERRORES)
async def crear_item(body: ItemCrear, usuario: EscribeItems, session: SessionDep):
    """`costoUnitario` por defecto es el precio del producto; `costoTotal` lo calcula el servidor."""
    return ok(await servicio.crear_item(session, body, usuario), "Ítem registrado correctamente", 201)


@router.put("/pendientes/items/{id}", response_model=Respuesta[ItemResponse], responses=ERRORES)
async def editar_item(id: IdRuta, body: ItemCambios, usuario: EscribeItems, session: SessionDep):
    """Cambio parcial; el total se recalcula. Cambiar de producto sin `costoUnitario` toma el precio
    del nuevo producto. Un ítem no cambia de pendiente."""
    valores = cambios(body, frozenset({"pendiente_id", "producto_id", "cantidad", "costo_unitario"}))
    return ok(await servicio.editar_item(session, id, valores, usuario), "Ítem actualizado correctamente")


@router.delete("/pendientes/items/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_item(id: IdRuta, usuario: EscribeItems, session: SessionDep):
    """Baja lógica."""
    await servicio.eliminar_item(session, id, usuario)
    return ok(None, "Ítem eliminado correctamente")


# --- Productos -------------------------------------------------------------------------------------


@router.get("", response_model=Respuesta[Pagina[ProductoResponse]], responses=ERRORES)
async def listar_productos(
    _: UsuarioDep,
    session: SessionDep,
    pagina: PaginaDep,
    q: BusquedaQ = None,
):
    return ok(await servicio.listar_productos(session, q, pagina), "Productos obtenidos correctamente")


@router.get("/{id}", response_model=Respuesta[ProductoResponse], responses=ERRORES)
async def obtener_producto(id: IdRuta, _: UsuarioDep, session: SessionDep):
    return ok(await servicio.obtener_producto(session, id), "Producto obtenido correctamente")


@router.post("", status_code=201, response_model=Respuesta[ProductoResponse], responses=ERRORES)
async def crear_producto(body: ProductoCrear, _: AdminDep, session: SessionDep):
    return ok(await servicio.crear_producto(session, body), "Producto creado correctamente", 201)


@router.put("/{id}", response_model=Respuesta[ProductoResponse], responses=ERRORES)
async def editar_producto(id: IdRuta, body: ProductoCambios, _: AdminDep, session: SessionDep):
    """Cambio parcial: solo cambian los campos presentes; null borra un campo opcional."""
    valores = cambios(body, frozenset({"nombre", "costo_unitario"}))
    return ok(await servicio.editar_producto(session, id, valores), "Producto actualizado correctamente")


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_producto(id: IdRuta, _: AdminDep, session: SessionDep):
    """Baja lógica: desaparece de la lista y de los catálogos; los ítems que ya lo usan se conservan."""
    await servicio.eliminar_producto(session, id)
    return ok(None, "Producto eliminado correctamente")
