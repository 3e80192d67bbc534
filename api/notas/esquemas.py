"""Bodies of /api/notas with the original's camelCase names (reference §5.8).

`NotaCrear` is the POST body; `NotaCambios` a partial PUT body (only the fields present change)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, StringConstraints

from api.comun.tipos import Camel, FechaHora, Id
from domain.enums import EstadoPendiente
from infra import almacen

TextoNota = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]

MAX_IMAGENES = 50
IGNORADO = "Ignorado: el empleado es siempre el del usuario autenticado"


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
