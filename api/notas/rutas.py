"""`/api/notas` and `/uploads/notas/{archivo}`: notes on a pendiente and their images (reference §5.8,
defects 25 and 26 fixed).

- Anyone who can see the pendiente (VER_TODOS, or VER_DETALLE on one's own) may read and write notes on
  it, in any state that accepts them: every state today, closed ones too (domain/cierre.py). The author
  is always the authenticated user's empleado; a body `empleadoId` is ignored.
- Only the author, or a holder of ADMINISTRAR, may edit or delete a note or change its images
  (domain/visibilidad.py Recurso.CAMBIAR_NOTA).
- `estadoPendiente` defaults to the pendiente's current state. Lists show live notes, oldest first.
- Images are one set per note, managed by one function whichever route changes it: given by URL (an
  http(s) URL, or a file already uploaded to that note), each URL stored once; removed rows are deleted
  with their files. Uploads are accepted only if their bytes are a JPEG, PNG, GIF or WEBP.
- A file is served only to a user who can see the pendiente of a live note holding it; any other
  request, including a name we never generate, is a 404 (so a 403 would not confirm a name exists).
  Files of a soft-deleted note stay on disk (the delete is reversible) but are no longer served."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from api.comun.deps import SessionDep, SettingsDep, UsuarioDep
from api.comun.respuesta import Respuesta, ok
from api.comun.tipos import IdRuta
from api.notas import servicio, subida
from api.notas.esquemas import MAX_IMAGENES, ImagenIn, ImagenResponse, NotaCambios, NotaCrear, NotaResponse
from domain.errores import DatosInvalidos, NoEncontrado
from infra import almacen
from infra.config import Settings

router = APIRouter(tags=["notas"])
NOTAS = "/api/notas"

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "El pendiente no es suyo, o la nota no es suya"},
    404: {"model": Respuesta[dict], "description": "Nota o pendiente desconocido o eliminado"},
    409: {"model": Respuesta[dict], "description": "El pendiente ya no admite notas o imágenes"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
}

IdNota = Annotated[int, Path(alias="notaId", gt=0, le=2**63 - 1)]


# --- Notes -----------------------------------------------------------------------------------------


@router.post(NOTAS, status_code=201, response_model=Respuesta[NotaResponse], responses=ERRORES)
async def crear_nota(body: NotaCrear, usuario: UsuarioDep, session: SessionDep):
    """Escribe una nota en un pendiente visible; el autor es el empleado del usuario autenticado."""
    return ok(await servicio.crear(session, body, usuario), "Nota creada correctamente", 201)


@router.get(
    NOTAS + "/pendiente/{pendienteId}", response_model=Respuesta[list[NotaResponse]], responses=ERRORES
)
async def notas_de_pendiente(
    pendiente_id: Annotated[int, Path(alias="pendienteId", gt=0, le=2**63 - 1)],
    usuario: UsuarioDep,
    session: SessionDep,
):
    """Las notas vigentes del pendiente, de la más antigua a la más reciente (como una conversación)."""
    return ok(await servicio.de_pendiente(session, pendiente_id, usuario), "Notas obtenidas correctamente")


@router.get(NOTAS + "/{id}", response_model=Respuesta[NotaResponse], responses=ERRORES)
async def obtener_nota(id: IdRuta, usuario: UsuarioDep, session: SessionDep):
    return ok(await servicio.obtener(session, id, usuario), "Nota obtenida correctamente")


@router.put(NOTAS + "/{id}", response_model=Respuesta[NotaResponse], responses=ERRORES)
async def editar_nota(
    id: IdRuta, body: NotaCambios, usuario: UsuarioDep, session: SessionDep, settings: SettingsDep
):
    """Cambio parcial (autor o ADMINISTRAR). `imagenes`, si viene, es el conjunto completo (null: igual)."""
    nota = await servicio.editar(session, id, body, usuario, settings.uploads_dir)
    return ok(nota, "Nota actualizada correctamente")


@router.delete(NOTAS + "/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_nota(id: IdRuta, usuario: UsuarioDep, session: SessionDep):
    """Baja lógica (autor o ADMINISTRAR): deja de listarse, de leerse y de servir sus imágenes."""
    await servicio.eliminar(session, id, usuario)
    return ok(None, "Nota eliminada correctamente")


# --- Images ----------------------------------------------------------------------------------------


@router.get(NOTAS + "/{notaId}/imagenes", response_model=Respuesta[list[ImagenResponse]], responses=ERRORES)
async def listar_imagenes(nota_id: IdNota, usuario: UsuarioDep, session: SessionDep):
    return ok(await servicio.imagenes(session, nota_id, usuario), "Imágenes obtenidas correctamente")


@router.put(NOTAS + "/{notaId}/imagenes", response_model=Respuesta[list[ImagenResponse]], responses=ERRORES)
async def sincronizar_imagenes(
    nota_id: IdNota, body: list[ImagenIn], usuario: UsuarioDep, session: SessionDep, settings: SettingsDep
):
    """Deja exactamente estas URLs (autor o ADMINISTRAR); las quitadas se borran, con su archivo."""
    if len(body) > MAX_IMAGENES:
        raise DatosInvalidos(f"como máximo {MAX_IMAGENES} imágenes por nota", {"campo": "body"})
    for i, imagen in enumerate(body):
        if imagen.nota_id not in (None, nota_id):
            raise DatosInvalidos(f"la imagen {i} es de otra nota", {"campo": f"{i}.notaId"})
    imagenes = await servicio.sincronizar_imagenes(session, nota_id, body, usuario, settings.uploads_dir)
    return ok(imagenes, "Imágenes actualizadas correctamente")


async def _archivos(request: Request, settings: Settings) -> tuple[list[StarletteUpload], FormData]:
    """The `files` parts of a bounded multipart body (at most `max_imagenes_por_subida`)."""
    maximo = settings.max_imagenes_por_subida
    falta = DatosInvalidos("envíe las imágenes como multipart/form-data, partes `files`", {"campo": "files"})
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise falta
    limitada = subida.cuerpo_limitado(request, settings.max_subida_bytes)
    try:
        formulario = await limitada.form(max_files=maximo, max_fields=10)
    except (MultiPartException, StarletteHTTPException) as error:
        # Starlette reports its parser's refusals as a 400 whose detail is the parser's message.
        detalle = str(getattr(error, "detail", None) or getattr(error, "message", ""))
        mensaje = f"como máximo {maximo} archivos por subida" if "Too many files" in detalle else None
        raise DatosInvalidos(mensaje or "multipart mal formado", {"campo": "files"}) from None
    partes = formulario.getlist("files")
    if not partes or not all(isinstance(p, StarletteUpload) for p in partes):
        await formulario.close()
        raise falta
    return partes, formulario


_CUERPO_SUBIDA = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "Una o más imágenes (parte repetida `files`)",
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    NOTAS + "/{notaId}/imagenes/upload",
    status_code=201,
    response_model=Respuesta[list[ImagenResponse]],
    responses={
        **ERRORES,
        413: {"model": Respuesta[dict], "description": "Un archivo o la subida entera supera el máximo"},
    },
    openapi_extra=_CUERPO_SUBIDA,
)
async def subir_imagenes(
    nota_id: IdNota,
    request: Request,
    usuario: UsuarioDep,
    session: SessionDep,
    settings: SettingsDep,
):
    """Sube imágenes a la nota (autor o ADMINISTRAR); todas o ninguna. Devuelve las imágenes nuevas.
    Límites: `MAX_IMAGENES_POR_SUBIDA` archivos, 50 imágenes por nota, `MAX_IMAGENES_POR_PENDIENTE` por
    pendiente (422); `MAX_IMAGEN_BYTES` por archivo y `MAX_SUBIDA_BYTES` por subida (413)."""
    await servicio.puede_subir(session, nota_id, usuario)
    files, formulario = await _archivos(request, settings)
    try:
        leidos = [await subida.leer_archivo(f, i, settings.max_imagen_bytes) for i, f in enumerate(files)]
    finally:
        await formulario.close()
    nuevas = await servicio.subir(session, nota_id, usuario, leidos, settings)
    return ok(nuevas, "Imágenes subidas correctamente", 201)


@router.get(
    "/uploads/notas/{archivo}",
    tags=["notas"],
    response_class=FileResponse,
    responses={
        200: {"content": {"image/*": {}}, "description": "La imagen"},
        401: ERRORES[401],
        404: {"model": Respuesta[dict], "description": "Desconocida, de una nota eliminada, o no visible"},
    },
)
async def servir_imagen(
    archivo: str,
    usuario: UsuarioDep,
    session: SessionDep,
    settings: SettingsDep,
):
    """Una imagen subida, solo para quien puede ver el pendiente de su nota."""
    no_encontrada = NoEncontrado("imagen no encontrada", {"archivo": archivo})
    ruta = almacen.ruta_de(settings.uploads_dir, archivo)
    if ruta is None:
        raise no_encontrada
    tipo = await servicio.tipo_de_imagen(session, archivo, usuario)
    if tipo is None or not ruta.is_file():
        raise no_encontrada
    cabeceras = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"}
    return FileResponse(ruta, media_type=tipo, headers=cabeceras)
