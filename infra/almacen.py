"""Note images on disk: recognised by their content (magic bytes), stored under random names, and
resolved back only from names this module could have produced, so a path can never leave the folder.

The folder is `settings.uploads_dir / "notas"`; its URL prefix is `/uploads/notas/`."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

PREFIJO_URL = "/uploads/notas/"
SUBCARPETA = "notas"

# (magic bytes at offset 0, content type, extension). WEBP also needs "WEBP" at offset 8.
_FIRMAS = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)
_NOMBRE = re.compile(r"^[0-9a-f]{32}\.(jpg|png|gif|webp)$")


@dataclass(frozen=True)
class Imagen:
    content_type: str
    extension: str


def reconocer(contenido: bytes) -> Imagen | None:
    """The image type by its first bytes; the file name and the declared type are never trusted."""
    for firma, content_type, extension in _FIRMAS:
        if contenido.startswith(firma):
            return Imagen(content_type, extension)
    if contenido[:4] == b"RIFF" and contenido[8:12] == b"WEBP":
        return Imagen("image/webp", "webp")
    return None


def carpeta(uploads_dir: Path) -> Path:
    return Path(uploads_dir) / SUBCARPETA


def url_de(nombre: str) -> str:
    return PREFIJO_URL + nombre


def es_url_local(url: str) -> bool:
    return url.startswith(PREFIJO_URL)


def nombre_valido(nombre: str) -> bool:
    return _NOMBRE.fullmatch(nombre) is not None


def ruta_de(uploads_dir: Path, nombre: str) -> Path | None:
    """The file behind `nombre`, or None if the name is not one we generate (no `..`, no `/`)."""
    return carpeta(uploads_dir) / nombre if nombre_valido(nombre) else None


def ruta_de_url(uploads_dir: Path, url: str) -> Path | None:
    return ruta_de(uploads_dir, url[len(PREFIJO_URL) :]) if es_url_local(url) else None


def _escribir(destino: Path, contenido: bytes) -> None:
    destino.parent.mkdir(parents=True, exist_ok=True)
    # Write aside then rename, so a reader never sees half a file.
    temporal = destino.with_suffix(".tmp")
    temporal.write_bytes(contenido)
    os.replace(temporal, destino)


async def guardar(uploads_dir: Path, contenido: bytes, imagen: Imagen) -> str:
    """Store the bytes under a fresh random name; returns that name."""
    nombre = f"{uuid.uuid4().hex}.{imagen.extension}"
    await asyncio.to_thread(_escribir, carpeta(uploads_dir) / nombre, contenido)
    return nombre


def _borrar(rutas: list[Path]) -> None:
    for ruta in rutas:
        ruta.unlink(missing_ok=True)


async def borrar(uploads_dir: Path, urls: list[str]) -> None:
    """Remove the files behind local URLs; external URLs and unknown names are ignored."""
    rutas = [r for r in (ruta_de_url(uploads_dir, u) for u in urls) if r is not None]
    await asyncio.to_thread(_borrar, rutas)
