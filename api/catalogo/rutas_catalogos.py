"""`/api/catalogos`: named bundles of products (internet plans, camera kits). Reference data only —
nothing links a catalogue to a pendiente — so any authenticated user reads it and writes need ADMINISTRAR.

Deleting a catalogue also deletes its rows (as the original's code did). A deleted product disappears
from every catalogue listing. Re-adding a product that was removed from a catalogue revives its row."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.catalogo.esquemas import (
    CatalogoCambios,
    CatalogoCrear,
    CatalogoProductoCambios,
    CatalogoProductoCrear,
    CatalogoProductoResponse,
    CatalogoResponse,
)
from api.catalogo.rutas_productos import guardar, producto_vigente
from api.comun.deps import AdminDep, SessionDep, UsuarioDep
from api.comun.parcial import aplicar, cambios
from api.comun.respuesta import Respuesta, ok
from api.comun.tipos import IdRuta
from db import models as m
from domain.errores import NoEncontrado

router = APIRouter(prefix="/api/catalogos", tags=["catalogos"])

_producto = aliased(m.Producto)

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta el permiso ADMINISTRAR"},
    404: {"model": Respuesta[dict], "description": "Id desconocido o eliminado"},
    409: {"model": Respuesta[dict], "description": "El catálogo ya tiene ese producto"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
}


async def _catalogo(session: AsyncSession, catalogo_id: int, campo: str = "id") -> m.Catalogo:
    catalogo = await session.get(m.Catalogo, catalogo_id, populate_existing=True)
    if catalogo is None or not catalogo.vigente:
        raise NoEncontrado(f"catálogo {catalogo_id} no encontrado", {"campo": campo, "id": catalogo_id})
    return catalogo


def _catalogo_response(catalogo: m.Catalogo) -> CatalogoResponse:
    return CatalogoResponse(
        id=catalogo.id, nombre=catalogo.nombre, descripcion=catalogo.descripcion, tipo=catalogo.tipo
    )


def _filas() -> Select:
    """Live rows of live catalogues with live products, with both names."""
    return (
        select(m.CatalogoProducto, m.Catalogo.nombre, _producto.nombre)
        .join(m.Catalogo, m.Catalogo.id == m.CatalogoProducto.catalogo_id)
        .join(_producto, _producto.id == m.CatalogoProducto.producto_id)
        .where(
            m.CatalogoProducto.vigente.is_(True),
            m.Catalogo.vigente.is_(True),
            _producto.vigente.is_(True),
        )
    )


def _fila_response(fila: m.CatalogoProducto, catalogo: str, producto: str) -> CatalogoProductoResponse:
    return CatalogoProductoResponse(
        id=fila.id,
        catalogo_id=fila.catalogo_id,
        catalogo_nombre=catalogo,
        producto_id=fila.producto_id,
        producto_nombre=producto,
        cantidad=fila.cantidad,
    )


async def _fila(session: AsyncSession, fila_id: int) -> m.CatalogoProducto:
    """A live row whose catalogue and product are live too (otherwise it is not listed anywhere)."""
    encontrada = await session.execute(
        _filas().where(m.CatalogoProducto.id == fila_id).execution_options(populate_existing=True)
    )
    fila = encontrada.first()
    if fila is None:
        raise NoEncontrado(f"producto de catálogo {fila_id} no encontrado", {"id": fila_id})
    return fila[0]


async def _fila_response_por_id(session: AsyncSession, fila_id: int) -> CatalogoProductoResponse:
    fila = (await session.execute(_filas().where(m.CatalogoProducto.id == fila_id))).one()
    return _fila_response(*fila)


# --- Catalogue products (literal `/productos` before `/{id}`) ---------------------------------------


@router.post(
    "/productos", status_code=201, response_model=Respuesta[CatalogoProductoResponse], responses=ERRORES
)
async def agregar_producto(body: CatalogoProductoCrear, _: AdminDep, session: SessionDep):
    """409 si el catálogo ya tiene ese producto. Un producto quitado antes vuelve con la nueva cantidad."""
    await _catalogo(session, body.catalogo_id, campo="catalogoId")
    await producto_vigente(session, body.producto_id, campo="productoId")
    quitada = await session.scalar(
        select(m.CatalogoProducto).where(
            m.CatalogoProducto.catalogo_id == body.catalogo_id,
            m.CatalogoProducto.producto_id == body.producto_id,
            m.CatalogoProducto.vigente.is_(False),
        )
    )
    if quitada is not None:
        quitada.vigente, quitada.cantidad = True, body.cantidad
        fila = quitada
    else:
        fila = m.CatalogoProducto(**body.model_dump())
        session.add(fila)
    await guardar(session)
    return ok(await _fila_response_por_id(session, fila.id), "Producto agregado al catálogo", 201)


@router.put("/productos/{id}", response_model=Respuesta[CatalogoProductoResponse], responses=ERRORES)
async def editar_producto_de_catalogo(
    id: IdRuta, body: CatalogoProductoCambios, _: AdminDep, session: SessionDep
):
    """Cambio parcial (cantidad, producto o catálogo); 409 si el destino ya tiene ese producto."""
    valores = cambios(body, frozenset({"catalogo_id", "producto_id", "cantidad"}))
    fila = await _fila(session, id)
    if valores.get("catalogo_id", fila.catalogo_id) != fila.catalogo_id:
        await _catalogo(session, valores["catalogo_id"], campo="catalogoId")
    if valores.get("producto_id", fila.producto_id) != fila.producto_id:
        await producto_vigente(session, valores["producto_id"], campo="productoId")
    aplicar(fila, valores)
    await guardar(session)
    return ok(await _fila_response_por_id(session, id), "Producto de catálogo actualizado")


@router.delete("/productos/{id}", response_model=Respuesta[None], responses=ERRORES)
async def quitar_producto(id: IdRuta, _: AdminDep, session: SessionDep):
    """Baja lógica de la fila."""
    fila = await _fila(session, id)
    fila.vigente = False
    await guardar(session)
    return ok(None, "Producto quitado del catálogo")


# --- Catálogos -------------------------------------------------------------------------------------


@router.get("", response_model=Respuesta[list[CatalogoResponse]], responses=ERRORES)
async def listar_catalogos(_: UsuarioDep, session: SessionDep):
    catalogos = await session.scalars(
        select(m.Catalogo).where(m.Catalogo.vigente.is_(True)).order_by(m.Catalogo.id)
    )
    return ok([_catalogo_response(c) for c in catalogos], "Catálogos obtenidos correctamente")


@router.get("/{id}", response_model=Respuesta[CatalogoResponse], responses=ERRORES)
async def obtener_catalogo(id: IdRuta, _: UsuarioDep, session: SessionDep):
    return ok(_catalogo_response(await _catalogo(session, id)), "Catálogo obtenido correctamente")


@router.get(
    "/{catalogoId}/productos", response_model=Respuesta[list[CatalogoProductoResponse]], responses=ERRORES
)
async def listar_productos_de_catalogo(catalogoId: IdRuta, _: UsuarioDep, session: SessionDep):
    await _catalogo(session, catalogoId)
    filas = await session.execute(
        _filas().where(m.CatalogoProducto.catalogo_id == catalogoId).order_by(m.CatalogoProducto.id)
    )
    return ok([_fila_response(*f) for f in filas], "Productos del catálogo obtenidos correctamente")


@router.post("", status_code=201, response_model=Respuesta[CatalogoResponse], responses=ERRORES)
async def crear_catalogo(body: CatalogoCrear, _: AdminDep, session: SessionDep):
    catalogo = m.Catalogo(**body.model_dump())
    session.add(catalogo)
    await guardar(session)
    return ok(_catalogo_response(catalogo), "Catálogo creado correctamente", 201)


@router.put("/{id}", response_model=Respuesta[CatalogoResponse], responses=ERRORES)
async def editar_catalogo(id: IdRuta, body: CatalogoCambios, _: AdminDep, session: SessionDep):
    """Cambio parcial: solo cambian los campos presentes; null borra un campo opcional."""
    valores = cambios(body, frozenset({"nombre"}))
    catalogo = await _catalogo(session, id)
    aplicar(catalogo, valores)
    await guardar(session)
    return ok(_catalogo_response(catalogo), "Catálogo actualizado correctamente")


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_catalogo(id: IdRuta, _: AdminDep, session: SessionDep):
    """Baja lógica del catálogo y de todas sus filas."""
    catalogo = await _catalogo(session, id)
    catalogo.vigente = False
    await session.execute(
        update(m.CatalogoProducto)
        .where(m.CatalogoProducto.catalogo_id == id, m.CatalogoProducto.vigente.is_(True))
        .values(vigente=False)
    )
    await guardar(session)
    return ok(None, "Catálogo eliminado correctamente")
