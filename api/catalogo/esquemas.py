"""Bodies of /api/productos (productos and the items of a pendiente), /api/catalogos and /app/app-version,
with the original's camelCase names (reference §5.11, §5.12, §5.14).

`...Crear` models are POST bodies; `...Cambios` models are partial PUT bodies: only the fields present
change, an explicit null clears a nullable field and is refused (422 naming it) on a required one.
Every body is an `Camel`: a NUL character, which Postgres text cannot hold, is a 422 naming the field.

Money is `Dinero` in, `DineroSalida` out (api/comun/tipos.py: one representation everywhere)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

from api.comun.tipos import Camel, Dinero, DineroSalida, FechaHora, Id
from api.identidad.esquemas import Texto
from domain.enums import TipoCatalogo

# Free text in a query string, without the NUL character Postgres refuses.
SIN_NUL = r"^[^\x00]*$"

# Integer columns: bounded well inside int4 so no quantity reaches SQL out of range.
Cantidad = Annotated[int, Field(gt=0, le=1_000_000)]


def Opcional(maximo: int) -> Any:  # noqa: N802 - reads like a type in the models below
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=maximo)] | None


def _vacio_es_nulo(valor: Any) -> Any:
    return None if isinstance(valor, str) and not valor.strip() else valor


# A blank barcode means "none": two products without a code must not collide on the unique index.
CodigoBarra = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None,
    BeforeValidator(_vacio_es_nulo),
]

# --- Productos -------------------------------------------------------------------------------------


class ProductoCrear(Camel):
    codigo_barra: CodigoBarra = None
    nombre: Texto(255)
    descripcion: Opcional(255) = None
    costo_unitario: Dinero


class ProductoCambios(Camel):
    codigo_barra: CodigoBarra = None
    nombre: Texto(255) | None = None
    descripcion: Opcional(255) = None
    costo_unitario: Dinero | None = None


class ProductoResponse(Camel):
    id: int
    codigo_barra: str | None
    nombre: str
    descripcion: str | None
    costo_unitario: DineroSalida


# --- Items of a pendiente --------------------------------------------------------------------------


class ItemCrear(Camel):
    """`costoUnitario` defaults to the product's price. A `costoTotal` sent by the client is ignored:
    the server always computes cantidad × costoUnitario."""

    pendiente_id: Id
    producto_id: Id
    descripcion: Opcional(255) = None
    cantidad: Cantidad
    costo_unitario: Dinero | None = None


class ItemCambios(Camel):
    """Partial. Changing the product without a `costoUnitario` takes the new product's price;
    `pendienteId` may be resent but an item never moves to another pendiente."""

    pendiente_id: Id | None = None
    producto_id: Id | None = None
    descripcion: Opcional(255) = None
    cantidad: Cantidad | None = None
    costo_unitario: Dinero | None = None


class ItemResponse(Camel):
    id: int
    pendiente_id: int
    producto_id: int
    producto_nombre: str
    descripcion: str | None
    cantidad: int
    costo_unitario: DineroSalida
    costo_total: DineroSalida


# --- Catálogos -------------------------------------------------------------------------------------


class CatalogoCrear(Camel):
    nombre: Texto(255)
    descripcion: Opcional(255) = None
    tipo: TipoCatalogo | None = None


class CatalogoCambios(Camel):
    nombre: Texto(255) | None = None
    descripcion: Opcional(255) = None
    tipo: TipoCatalogo | None = None


class CatalogoResponse(Camel):
    id: int
    nombre: str
    descripcion: str | None
    tipo: TipoCatalogo | None


class CatalogoProductoCrear(Camel):
    catalogo_id: Id
    producto_id: Id
    cantidad: Cantidad = 1


class CatalogoProductoCambios(Camel):
    catalogo_id: Id | None = None
    producto_id: Id | None = None
    cantidad: Cantidad | None = None


class CatalogoProductoResponse(Camel):
    id: int
    catalogo_id: int
    catalogo_nombre: str
    producto_id: int
    producto_nombre: str
    cantidad: int


# --- App versions ----------------------------------------------------------------------------------


class AppVersionCrear(Camel):
    """`vigente` is accepted for compatibility and ignored: a published version is always vigente."""

    version_code: Texto(20) = Field(description="Número de versión, p. ej. 1.2.0")
    plataforma: Texto(20) = Field(description="ANDROID, IOS, ... (se guarda en mayúsculas)")
    obligatoria: bool = False
    descripcion: Opcional(10_000) = None
    fecha_publicacion: FechaHora | None = Field(default=None, description="Por defecto, ahora")
    vigente: bool | None = None


class AppVersionResponse(Camel):
    id: int
    version_code: str
    plataforma: str
    obligatoria: bool
    descripcion: str | None
    fecha_publicacion: FechaHora
    vigente: bool
