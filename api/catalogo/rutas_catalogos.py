"""`/api/catalogos`: named bundles of products (internet plans, camera kits). Reference data only —
nothing links a catalogue to a pendiente — so any authenticated user reads it and writes need ADMINISTRAR.

Deleting a catalogue also deletes its rows (as the original's code did). A deleted product disappears
from every catalogue listing. Re-adding a product that was removed from a catalogue revives its row."""

from __future__ import annotations

from fastapi import APIRouter

from api.catalogo import servicio
from api.catalogo.esquemas import (
    CatalogoCambios,
    CatalogoCrear,
    CatalogoProductoCambios,
    CatalogoProductoCrear,
    CatalogoProductoResponse,
    CatalogoResponse,
)
from api.comun.deps import AdminDep, SessionDep, UsuarioDep
from api.comun.parcial import cambios
from api.comun.respuesta import Respuesta, ok
from api.comun.tipos import IdRuta

router = APIRouter(prefix="/api/catalogos", tags=["catalogos"])

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta el permiso ADMINISTRAR"},
    404: {"model": Respuesta[dict], "description": "Id desconocido o eliminado"},
    409: {"model": Respuesta[dict], "description": "El catálogo ya tiene ese producto"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
}


# --- Catalogue products (literal `/productos` before `/{id}`) ---------------------------------------


@router.post(
    "/productos", status_code=201, response_model=Respuesta[CatalogoProductoResponse], responses=ERRORES
)
async def agregar_producto(body: CatalogoProductoCrear, _: AdminDep, session: SessionDep):
    """409 si el catálogo ya tiene ese producto. Un producto quitado antes vuelve con la nueva cantidad."""
    return ok(await servicio.agregar_producto(session, body), "Producto agregado al catálogo", 201)


@router.put("/productos/{id}", response_model=Respuesta[CatalogoProductoResponse], responses=ERRORES)
async def editar_producto_de_catalogo(
    id: IdRuta, body: CatalogoProductoCambios, _: AdminDep, session: SessionDep
):
    """Cambio parcial (cantidad, producto o catálogo); 409 si el destino ya tiene ese producto."""
    valores = cambios(body, frozenset({"catalogo_id", "producto_id", "cantidad"}))
    return ok(await servicio.editar_fila(session, id, valores), "Producto de catálogo actualizado")


@router.delete("/productos/{id}", response_model=Respuesta[None], responses=ERRORES)
async def quitar_producto(id: IdRuta, _: AdminDep, session: SessionDep):
    """Baja lógica de la fila."""
    await servicio.quitar_fila(session, id)
    return ok(None, "Producto quitado del catálogo")


# --- Catálogos -------------------------------------------------------------------------------------


@router.get("", response_model=Respuesta[list[CatalogoResponse]], responses=ERRORES)
async def listar_catalogos(_: UsuarioDep, session: SessionDep):
    return ok(await servicio.listar_catalogos(session), "Catálogos obtenidos correctamente")


@router.get("/{id}", response_model=Respuesta[CatalogoResponse], responses=ERRORES)
async def obtener_catalogo(id: IdRuta, _: UsuarioDep, session: SessionDep):
    return ok(await servicio.obtener_catalogo(session, id), "Catálogo obtenido correctamente")


@router.get(
    "/{catalogoId}/productos", response_model=Respuesta[list[CatalogoProductoResponse]], responses=ERRORES
)
async def listar_productos_de_catalogo(catalogoId: IdRuta, _: UsuarioDep, session: SessionDep):
    filas = await servicio.productos_de_catalogo(session, catalogoId)
    return ok(filas, "Productos del catálogo obtenidos correctamente")


@router.post("", status_code=201, response_model=Respuesta[CatalogoResponse], responses=ERRORES)
async def crear_catalogo(body: CatalogoCrear, _: AdminDep, session: SessionDep):
    return ok(await servicio.crear_catalogo(session, body), "Catálogo creado correctamente", 201)


@router.put("/{id}", response_model=Respuesta[CatalogoResponse], responses=ERRORES)
async def editar_catalogo(id: IdRuta, body: CatalogoCambios, _: AdminDep, session: SessionDep):
    """Cambio parcial: solo cambian los campos presentes; null borra un campo opcional."""
    valores = cambios(body, frozenset({"nombre"}))
    return ok(await servicio.editar_catalogo(session, id, valores), "Catálogo actualizado correctamente")


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_catalogo(id: IdRuta, _: AdminDep, session: SessionDep):
    """Baja lógica del catálogo y de todas sus filas."""
    await servicio.eliminar_catalogo(session, id)
    return ok(None, "Catálogo eliminado correctamente")
