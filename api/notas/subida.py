"""Reading an image upload within its limits: the body bounded while it streams, each file checked for
size and kind. Shared by the API's upload route and the board's note-with-photo form, so both refuse the
same bodies with the same messages."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.types import Message

from domain.errores import DatosInvalidos, ErrorPendientes
from infra import almacen


class DemasiadoGrande(ErrorPendientes):
    status = 413


async def leer_archivo(archivo: StarletteUpload, indice: int, maximo: int) -> tuple[bytes, almacen.Imagen]:
    contenido = await archivo.read(maximo + 1)
    datos = {"campo": "files", "indice": indice, "archivo": archivo.filename}
    if len(contenido) > maximo:
        raise DemasiadoGrande(f"'{archivo.filename}' supera el máximo de {maximo} bytes", datos)
    imagen = almacen.reconocer(contenido)
    if imagen is None:
        raise DatosInvalidos(f"'{archivo.filename}' no es una imagen JPEG, PNG, GIF ni WEBP", datos)
    return contenido, imagen


def cuerpo_limitado(request: Request, maximo: int) -> Request:
    """The request whose body is refused (413) once it passes `maximo` bytes: by its Content-Length before
    reading anything, or while it streams (a chunked body has none), so nothing larger is ever parsed."""
    demasiado = DemasiadoGrande(f"la subida supera el máximo de {maximo} bytes", {"campo": "files"})
    largo = request.headers.get("content-length", "")
    if largo.isdigit() and int(largo) > maximo:
        raise demasiado
    recibido = 0

    async def recibir() -> Message:
        nonlocal recibido
        mensaje = await request.receive()
        recibido += len(mensaje.get("body", b""))
        if recibido > maximo:
            raise demasiado
        return mensaje

    return Request(request.scope, recibir)
