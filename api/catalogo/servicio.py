"""Every read and write of the catálogo feature: productos, the items of a pendiente, catálogos and
their rows, app versions. The routes (rutas_*.py) validate, call these and answer; none builds SQL.

The rules each write keeps are stated on the routes' modules; here is how they reach the database."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.catalogo.esquemas import (
    AppVersionCrear,
    AppVersionResponse,
    CatalogoCrear,
    CatalogoProductoCrear,
    CatalogoProductoResponse,
    CatalogoResponse,
    ItemCrear,
    ItemResponse,
    ProductoCrear,
    ProductoResponse,
)
from api.comun.cierre import exigir_admite
from api.comun.deps import UsuarioActual
from api.comun.paginacion import Pagina, ParametrosPagina, paginar
from api.comun.parcial import aplicar
from api.comun.visibilidad import exigir, pendiente_visible, vinculos
from db import models as m
from domain.cierre import Anexo
from domain.errores import Conflicto, DatosInvalidos, NoEncontrado
from domain.visibilidad import Recurso
from domain.zona import LIMA

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
ORDEN_VERSIONES = {
    "id": m.AppVersion.id,
    "versionCode": m.AppVersion.version_code,
    "plataforma": m.AppVersion.plataforma,
    "fechaPublicacion": m.AppVersion.fecha_publicacion,
}


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


# --- Productos -------------------------------------------------------------------------------------


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


async def listar_productos(
    session: AsyncSession, q: str | None, pagina: ParametrosPagina
) -> Pagina[ProductoResponse]:
    return await paginar(session, _productos(q), pagina, _producto_response, ORDEN_PRODUCTOS, m.Producto.id)


async def obtener_producto(session: AsyncSession, producto_id: int) -> ProductoResponse:
    return _producto_response(await producto_vigente(session, producto_id))


async def crear_producto(session: AsyncSession, body: ProductoCrear) -> ProductoResponse:
    producto = m.Producto(**body.model_dump())
    session.add(producto)
    await guardar(session)
    return _producto_response(producto)


async def editar_producto(
    session: AsyncSession, producto_id: int, valores: dict[str, Any]
) -> ProductoResponse:
    producto = await producto_vigente(session, producto_id)
    aplicar(producto, valores)
    await guardar(session)
    return _producto_response(producto)


async def eliminar_producto(session: AsyncSession, producto_id: int) -> None:
    producto = await producto_vigente(session, producto_id)
    producto.vigente = False
    await guardar(session)


# --- Items of a pendiente --------------------------------------------------------------------------


def _total(cantidad: int, costo_unitario: Decimal) -> Decimal:
    total = (cantidad * costo_unitario).quantize(CENTIMO)
    if total > TOTAL_MAXIMO:
        raise DatosInvalidos("el total del ítem excede el máximo admitido", {"campo": "cantidad"})
    return total


async def _pendiente_editable(session: AsyncSession, pendiente_id: int, usuario: UsuarioActual) -> None:
    """404/403 as for reading, then 403 without write rights (domain/visibilidad.py Recurso.ITEMS),
    then 409 if the pendiente no longer accepts item changes (domain/cierre.py)."""
    pendiente = await pendiente_visible(session, pendiente_id, usuario)
    enlaces = vinculos(usuario, registrado_por=pendiente.registrado_por, asignado_a=pendiente.asignado_a)
    exigir(usuario, Recurso.ITEMS, enlaces)
    await exigir_admite(session, pendiente, Anexo.ITEM, usuario)


async def _item(session: AsyncSession, item_id: int) -> m.PendienteItem:
    item = await session.get(m.PendienteItem, item_id, populate_existing=True)
    if item is None or not item.vigente:
        raise NoEncontrado(f"ítem {item_id} no encontrado", {"id": item_id})
    return item


def _items() -> Select:
    return select(m.PendienteItem, m.Producto.nombre).join(
        m.Producto, m.Producto.id == m.PendienteItem.producto_id
    )


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


async def _item_response(session: AsyncSession, item_id: int) -> ItemResponse:
    fila = (await session.execute(_items().where(m.PendienteItem.id == item_id))).one()
    return _a_item_response(*fila)


async def items_de(session: AsyncSession, pendiente_id: int, usuario: UsuarioActual) -> list[ItemResponse]:
    await pendiente_visible(session, pendiente_id, usuario)
    filas = await session.execute(
        _items()
        .where(m.PendienteItem.pendiente_id == pendiente_id, m.PendienteItem.vigente.is_(True))
        .order_by(m.PendienteItem.id)
    )
    return [_a_item_response(*f) for f in filas]


async def crear_item(session: AsyncSession, body: ItemCrear, usuario: UsuarioActual) -> ItemResponse:
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
    return await _item_response(session, item.id)


async def editar_item(
    session: AsyncSession, item_id: int, valores: dict[str, Any], usuario: UsuarioActual
) -> ItemResponse:
    item = await _item(session, item_id)
    await _pendiente_editable(session, item.pendiente_id, usuario)
    if valores.pop("pendiente_id", item.pendiente_id) != item.pendiente_id:
        raise DatosInvalidos("un ítem no cambia de pendiente", {"campo": "pendienteId"})
    if "producto_id" in valores and valores["producto_id"] != item.producto_id:
        producto = await producto_vigente(session, valores["producto_id"], campo="productoId")
        valores.setdefault("costo_unitario", producto.costo_unitario)
    aplicar(item, valores)
    item.costo_total = _total(item.cantidad, item.costo_unitario)
    await guardar(session)
    return await _item_response(session, item_id)


async def eliminar_item(session: AsyncSession, item_id: int, usuario: UsuarioActual) -> None:
    item = await _item(session, item_id)
    await _pendiente_editable(session, item.pendiente_id, usuario)
    item.vigente = False
    await guardar(session)


# --- Catálogos -------------------------------------------------------------------------------------

_producto = aliased(m.Producto)


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


async def agregar_producto(session: AsyncSession, body: CatalogoProductoCrear) -> CatalogoProductoResponse:
    """A product removed from the catalogue before comes back (its row revives) with the new quantity."""
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
    return await _fila_response_por_id(session, fila.id)


async def editar_fila(
    session: AsyncSession, fila_id: int, valores: dict[str, Any]
) -> CatalogoProductoResponse:
    fila = await _fila(session, fila_id)
    if valores.get("catalogo_id", fila.catalogo_id) != fila.catalogo_id:
        await _catalogo(session, valores["catalogo_id"], campo="catalogoId")
    if valores.get("producto_id", fila.producto_id) != fila.producto_id:
        await producto_vigente(session, valores["producto_id"], campo="productoId")
    aplicar(fila, valores)
    await guardar(session)
    return await _fila_response_por_id(session, fila_id)


async def quitar_fila(session: AsyncSession, fila_id: int) -> None:
    fila = await _fila(session, fila_id)
    fila.vigente = False
    await guardar(session)


async def listar_catalogos(session: AsyncSession) -> list[CatalogoResponse]:
    catalogos = await session.scalars(
        select(m.Catalogo).where(m.Catalogo.vigente.is_(True)).order_by(m.Catalogo.id)
    )
    return [_catalogo_response(c) for c in catalogos]


async def obtener_catalogo(session: AsyncSession, catalogo_id: int) -> CatalogoResponse:
    return _catalogo_response(await _catalogo(session, catalogo_id))


async def productos_de_catalogo(session: AsyncSession, catalogo_id: int) -> list[CatalogoProductoResponse]:
    await _catalogo(session, catalogo_id)
    filas = await session.execute(
        _filas().where(m.CatalogoProducto.catalogo_id == catalogo_id).order_by(m.CatalogoProducto.id)
    )
    return [_fila_response(*f) for f in filas]


async def crear_catalogo(session: AsyncSession, body: CatalogoCrear) -> CatalogoResponse:
    catalogo = m.Catalogo(**body.model_dump())
    session.add(catalogo)
    await guardar(session)
    return _catalogo_response(catalogo)


async def editar_catalogo(
    session: AsyncSession, catalogo_id: int, valores: dict[str, Any]
) -> CatalogoResponse:
    catalogo = await _catalogo(session, catalogo_id)
    aplicar(catalogo, valores)
    await guardar(session)
    return _catalogo_response(catalogo)


async def eliminar_catalogo(session: AsyncSession, catalogo_id: int) -> None:
    """The catalogue and all its rows (as the original's code did)."""
    catalogo = await _catalogo(session, catalogo_id)
    catalogo.vigente = False
    await session.execute(
        update(m.CatalogoProducto)
        .where(m.CatalogoProducto.catalogo_id == catalogo_id, m.CatalogoProducto.vigente.is_(True))
        .values(vigente=False)
    )
    await guardar(session)


# --- App versions ----------------------------------------------------------------------------------


def _version_response(version: m.AppVersion) -> AppVersionResponse:
    return AppVersionResponse(
        id=version.id,
        version_code=version.version_code,
        plataforma=version.plataforma,
        obligatoria=version.obligatoria,
        descripcion=version.descripcion,
        fecha_publicacion=version.fecha_publicacion,
        vigente=version.vigente,
    )


async def versiones_vigentes(session: AsyncSession, pagina: ParametrosPagina) -> Pagina[AppVersionResponse]:
    consulta = select(m.AppVersion).where(m.AppVersion.vigente.is_(True))
    return await paginar(
        session, consulta, pagina, _version_response, ORDEN_VERSIONES, m.AppVersion.id.desc()
    )


async def ultima_version(session: AsyncSession, plataforma: str | None) -> AppVersionResponse:
    """The live version with the highest id, of one platform (case-insensitive) if given."""
    consulta = select(m.AppVersion).where(m.AppVersion.vigente.is_(True))
    if plataforma and plataforma.strip():
        consulta = consulta.where(func.upper(m.AppVersion.plataforma) == plataforma.strip().upper())
    version = await session.scalar(consulta.order_by(m.AppVersion.id.desc()).limit(1))
    if version is None:
        raise NoEncontrado("No existen versiones registradas", {"plataforma": plataforma})
    return _version_response(version)


async def publicar_version(session: AsyncSession, body: AppVersionCrear) -> AppVersionResponse:
    version = m.AppVersion(
        version_code=body.version_code,
        plataforma=body.plataforma.upper(),
        obligatoria=body.obligatoria,
        descripcion=body.descripcion,
        fecha_publicacion=body.fecha_publicacion or datetime.now(LIMA),
        vigente=True,
    )
    session.add(version)
    await session.commit()
    return _version_response(version)
