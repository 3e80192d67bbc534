"""Bodies of /api/pagos and /api/notas with the original's camelCase names (reference §5.8, §5.10).

`...Crear` are POST bodies; `...Cambios` are partial PUT bodies (only the fields present change)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, StringConstraints

from api.comun.tipos import Camel, DineroSalida, FechaHora, Id, Monto
from db import models as m
from domain.enums import EstadoPendiente, MetodoPago
from infra import almacen

Referencia = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]
TextoNota = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]

MAX_IMAGENES = 50
# Payments are recorded for work of this system's era: an earlier date is a typo (year 1, 0202...).
FECHA_PAGO_MINIMA = date(2000, 1, 1)


def _desde_minima(valor: date) -> date:
    if valor < FECHA_PAGO_MINIMA:
        raise ValueError(f"la fecha de pago no puede ser anterior a {FECHA_PAGO_MINIMA.isoformat()}")
    return valor


# Not in the future either: that depends on today's date in Lima, checked by the route.
FechaPago = Annotated[date, AfterValidator(_desde_minima)]
IGNORADO = "Ignorado: el empleado es siempre el del usuario autenticado"


# --- Pagos -----------------------------------------------------------------------------------------


class PagoCrear(Camel):
    empleado_id: Id | None = Field(default=None, description=IGNORADO)
    cliente_id: Id | None = Field(
        default=None, description="Debe ser el cliente del pendiente; si falta, se toma el del pendiente"
    )
    pendiente_id: Id
    monto: Monto
    fecha_pago: FechaPago | None = Field(
        default=None, description="Por defecto hoy (America/Lima); desde 2000-01-01 y no futura"
    )
    metodo_pago: MetodoPago
    referencia: Referencia | None = None


class PagoCambios(Camel):
    """Partial: the same rules apply to the merged values. `empleadoId` (the registrant) never changes."""

    empleado_id: Id | None = Field(default=None, description=IGNORADO)
    cliente_id: Id | None = None
    pendiente_id: Id | None = None
    monto: Monto | None = None
    fecha_pago: FechaPago | None = None
    metodo_pago: MetodoPago | None = None
    referencia: Referencia | None = None


class PagoResponse(Camel):
    id: int
    empleado_id: int
    empleado_nombre: str
    cliente_id: int
    cliente_nombre: str
    pendiente_id: int
    monto: DineroSalida
    fecha_pago: date
    metodo_pago: MetodoPago
    referencia: str | None


# --- Notas e imágenes ------------------------------------------------------------------------------


def _url_imagen(url: str) -> str:
    """An uploaded file of ours (`/uploads/notas/<name>`) or an absolute http(s) URL; nothing else."""
    if almacen.es_url_local(url):
        if not almacen.nombre_valido(url[len(almacen.PREFIJO_URL) :]):
            raise ValueError("no es un archivo subido con /imagenes/upload")
        return url
    partes = urlsplit(url)
    if partes.scheme not in ("http", "https") or not partes.netloc:
        raise ValueError("use una URL http(s) o una de /uploads/notas/")
    return url


UrlImagen = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), AfterValidator(_url_imagen)
]


class ImagenIn(Camel):
    nota_id: Id | None = Field(default=None, description="Opcional; si viene, debe ser la nota de la ruta")
    url: UrlImagen


class NotaCrear(Camel):
    pendiente_id: Id
    empleado_id: Id | None = Field(default=None, description=IGNORADO)
    nota: TextoNota
    estado_pendiente: EstadoPendiente | None = Field(
        default=None, description="Por defecto el estado actual del pendiente"
    )
    imagenes: list[ImagenIn] | None = Field(default=None, max_length=MAX_IMAGENES)


class NotaCambios(Camel):
    """Partial. `imagenes`, when present, is the whole new set (same as PUT /{id}/imagenes)."""

    nota: TextoNota | None = None
    estado_pendiente: EstadoPendiente | None = None
    imagenes: list[ImagenIn] | None = Field(default=None, max_length=MAX_IMAGENES)


class ImagenResponse(Camel):
    id: int
    nota_id: int
    url: str


class NotaResponse(Camel):
    id: int
    pendiente_id: int
    empleado_id: int
    empleado_nombre: str
    nota: str | None
    estado_pendiente: EstadoPendiente
    fecha_creacion: FechaHora
    imagenes: list[ImagenResponse]


def nombre_empleado(empleado: m.Empleado) -> str:
    """`nombre apellidoPaterno`, as the original's responses show it."""
    return " ".join(p for p in (empleado.nombre, empleado.apellido_paterno) if p)
