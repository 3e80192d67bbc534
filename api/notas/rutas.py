"""`/api/notas` and `/uploads/notas/{archivo}`: notes on a pendiente and their images (reference §5.8,
defects 25 and 26 fixed).

- Anyone who can see the pendiente (VER_TODOS, or VER_DETALLE on one's own) may read and write notes on
  it, in any state. The author is always the authenticated user's empleado; a body `empleadoId` is ignored.
- Only the author, or a holder of ADMINISTRAR, may edit or delete a note or change its images.
- `estadoPendiente` defaults to the pendiente's current state. Lists show live notes, oldest first.
- Images are one set per note, managed by one function whichever route changes it: given by URL (an
  http(s) URL, or a file already uploaded to that note), each URL stored once; removed rows are deleted
  with their files. Uploads are accepted only if their bytes are a JPEG, PNG, GIF or WEBP.
- A file is served only to a user who can see the pendiente of a live note holding it; any other
  request, including a name we never generate, is a 404 (so a 403 would not confirm a name exists).
  Files of a soft-deleted note stay on disk (the delete is reversible) but are no longer served."""

from __future__ import annotations

from pathlib import Path as Ruta
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.types import Message

from api.comun.deps import SessionDep, SettingsDep, UsuarioActual, UsuarioDep
from api.comun.parcial import aplicar, cambios
from api.comun.respuesta import Respuesta, ok
from api.comun.visibilidad import pendiente_visible, ve_pendiente
from api.pagos.esquemas import (
    MAX_IMAGENES,
    ImagenIn,
    ImagenResponse,
    NotaCambios,
    NotaCrear,
    NotaResponse,
    nombre_empleado,
)
from db import models as m
from domain.errores import DatosInvalidos, ErrorPendientes, NoEncontrado, SinPermiso
from domain.permisos import Permiso
from infra import almacen
from infra.config import Settings

router = APIRouter(tags=["notas"])
NOTAS = "/api/notas"

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "El pendiente no es suyo, o la nota no es suya"},
    404: {"model": Respuesta[dict], "description": "Nota o pendiente desconocido o eliminado"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
}

ID_MAX = 2**63 - 1
IdNota = Annotated[int, Path(alias="notaId", gt=0, le=ID_MAX)]
IdPath = Annotated[int, Path(gt=0, le=ID_MAX)]


class DemasiadoGrande(ErrorPendientes):
    status = 413


# --- Loading and rules -----------------------------------------------------------------------------


async def _nota(
    session: AsyncSession, nota_id: int, usuario: UsuarioActual, bloquear: bool = False
) -> m.PendienteNota:
    """A live note whose pendiente the caller can see (404 / 403 otherwise). `bloquear` locks it, so
    concurrent changes to its images are serialised."""
    consulta = select(m.PendienteNota).where(m.PendienteNota.id == nota_id, m.PendienteNota.vigente.is_(True))
    if bloquear:
        consulta = consulta.with_for_update()
    nota = await session.scalar(consulta.execution_options(populate_existing=True))
    if nota is None:
        raise NoEncontrado(f"nota {nota_id} no encontrada", {"id": nota_id})
    await pendiente_visible(session, nota.pendiente_id, usuario)
    return nota


def _autor_o_admin(usuario: UsuarioActual, nota: m.PendienteNota) -> None:
    if usuario.tiene(Permiso.ADMINISTRAR) or usuario.empleado_id == nota.empleado_id:
        return
    raise SinPermiso(
        "solo el autor de la nota o un administrador pueden cambiarla", {"autorId": nota.empleado_id}
    )


def _autor(usuario: UsuarioActual) -> int:
    if usuario.empleado_id is None:
        raise SinPermiso("su usuario no está vinculado a un empleado activo: no puede escribir notas")
    return usuario.empleado_id


async def _pendiente(session: AsyncSession, pendiente_id: int, usuario: UsuarioActual) -> m.Pendiente:
    try:
        return await pendiente_visible(session, pendiente_id, usuario)
    except NoEncontrado as error:
        raise NoEncontrado(error.mensaje, {"campo": "pendienteId", "id": pendiente_id}) from None


def _imagen(img: m.PendienteNotaImagen) -> ImagenResponse:
    return ImagenResponse(id=img.id, nota_id=img.nota_id, url=img.url)


def _response(nota: m.PendienteNota) -> NotaResponse:
    return NotaResponse(
        id=nota.id,
        pendiente_id=nota.pendiente_id,
        empleado_id=nota.empleado_id,
        empleado_nombre=nombre_empleado(nota.empleado),
        nota=nota.nota,
        estado_pendiente=nota.estado_pendiente,
        fecha_creacion=nota.fecha_creacion,
        imagenes=[_imagen(i) for i in sorted(nota.imagenes, key=lambda i: i.id)],
    )


def _con_todo():
    return select(m.PendienteNota).options(
        joinedload(m.PendienteNota.empleado), selectinload(m.PendienteNota.imagenes)
    )


async def _leer(session: AsyncSession, nota_id: int) -> NotaResponse:
    nota = await session.scalar(
        _con_todo().where(m.PendienteNota.id == nota_id).execution_options(populate_existing=True)
    )
    return _response(nota)


async def _imagenes(session: AsyncSession, nota_id: int) -> list[ImagenResponse]:
    filas = await session.scalars(
        select(m.PendienteNotaImagen)
        .where(m.PendienteNotaImagen.nota_id == nota_id)
        .order_by(m.PendienteNotaImagen.id)
    )
    return [_imagen(i) for i in filas]


# --- The one way a note's images change ------------------------------------------------------------


async def _sincronizar(
    session: AsyncSession, nota_id: int, imagenes: list[ImagenIn], campo: str
) -> list[str]:
    """Make the note's images exactly the URLs given (each once). Returns the URLs removed, whose files
    the caller deletes after the commit. A file of ours must already belong to this note: uploads go
    through /imagenes/upload, so one note cannot borrow another's files."""
    actuales = set(
        await session.scalars(
            select(m.PendienteNotaImagen.url).where(m.PendienteNotaImagen.nota_id == nota_id)
        )
    )
    for i, imagen in enumerate(imagenes):
        if almacen.es_url_local(imagen.url) and imagen.url not in actuales:
            raise DatosInvalidos(
                "ese archivo no es de esta nota: súbalo con /imagenes/upload", {"campo": f"{campo}{i}.url"}
            )
    deseadas = list(dict.fromkeys(i.url for i in imagenes))
    quitadas = [u for u in actuales if u not in deseadas]
    if quitadas:
        await session.execute(
            delete(m.PendienteNotaImagen).where(
                m.PendienteNotaImagen.nota_id == nota_id, m.PendienteNotaImagen.url.in_(quitadas)
            )
        )
    nuevas = [{"nota_id": nota_id, "url": u} for u in deseadas if u not in actuales]
    if nuevas:
        await session.execute(insert(m.PendienteNotaImagen).values(nuevas).on_conflict_do_nothing())
    return quitadas


async def _borrar_archivos(session: AsyncSession, uploads_dir: Ruta, urls: list[str]) -> None:
    """After the commit: remove the files no row references any more."""
    if not urls:
        return
    en_uso = set(
        await session.scalars(select(m.PendienteNotaImagen.url).where(m.PendienteNotaImagen.url.in_(urls)))
    )
    await almacen.borrar(uploads_dir, [u for u in urls if u not in en_uso])


# --- Notes -----------------------------------------------------------------------------------------


@router.post(NOTAS, status_code=201, response_model=Respuesta[NotaResponse], responses=ERRORES)
async def crear_nota(body: NotaCrear, usuario: UsuarioDep, session: SessionDep):
    """Escribe una nota en un pendiente visible; el autor es el empleado del usuario autenticado."""
    autor = _autor(usuario)
    pendiente = await _pendiente(session, body.pendiente_id, usuario)
    nota = m.PendienteNota(
        pendiente_id=pendiente.id,
        empleado_id=autor,
        nota=body.nota,
        estado_pendiente=body.estado_pendiente or pendiente.estado,
    )
    session.add(nota)
    await session.flush()
    if body.imagenes:
        await _sincronizar(session, nota.id, body.imagenes, "imagenes.")
    await session.commit()
    return ok(await _leer(session, nota.id), "Nota creada correctamente", 201)


@router.get(
    NOTAS + "/pendiente/{pendienteId}", response_model=Respuesta[list[NotaResponse]], responses=ERRORES
)
async def notas_de_pendiente(
    pendiente_id: Annotated[int, Path(alias="pendienteId", gt=0, le=ID_MAX)],
    usuario: UsuarioDep,
    session: SessionDep,
):
    """Las notas vigentes del pendiente, de la más antigua a la más reciente (como una conversación)."""
    await pendiente_visible(session, pendiente_id, usuario)
    notas = await session.scalars(
        _con_todo()
        .where(m.PendienteNota.pendiente_id == pendiente_id, m.PendienteNota.vigente.is_(True))
        .order_by(m.PendienteNota.fecha_creacion, m.PendienteNota.id)
    )
    return ok([_response(n) for n in notas], "Notas obtenidas correctamente")


@router.get(NOTAS + "/{id}", response_model=Respuesta[NotaResponse], responses=ERRORES)
async def obtener_nota(id: IdPath, usuario: UsuarioDep, session: SessionDep):
    await _nota(session, id, usuario)
    return ok(await _leer(session, id), "Nota obtenida correctamente")


@router.put(NOTAS + "/{id}", response_model=Respuesta[NotaResponse], responses=ERRORES)
async def editar_nota(
    id: IdPath, body: NotaCambios, usuario: UsuarioDep, session: SessionDep, settings: SettingsDep
):
    """Cambio parcial (autor o ADMINISTRAR). `imagenes`, si viene, es el conjunto completo (null: igual)."""
    nota = await _nota(session, id, usuario, bloquear=True)
    _autor_o_admin(usuario, nota)
    enviados = cambios(body, frozenset({"nota", "estado_pendiente"}))
    imagenes = enviados.pop("imagenes", None)
    aplicar(nota, enviados)
    quitadas = await _sincronizar(session, id, imagenes, "imagenes.") if imagenes is not None else []
    await session.commit()
    await _borrar_archivos(session, settings.uploads_dir, quitadas)
    return ok(await _leer(session, id), "Nota actualizada correctamente")


@router.delete(NOTAS + "/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_nota(id: IdPath, usuario: UsuarioDep, session: SessionDep):
    """Baja lógica (autor o ADMINISTRAR): deja de listarse, de leerse y de servir sus imágenes."""
    nota = await _nota(session, id, usuario, bloquear=True)
    _autor_o_admin(usuario, nota)
    nota.vigente = False
    await session.commit()
    return ok(None, "Nota eliminada correctamente")


# --- Images ----------------------------------------------------------------------------------------


@router.get(NOTAS + "/{notaId}/imagenes", response_model=Respuesta[list[ImagenResponse]], responses=ERRORES)
async def listar_imagenes(nota_id: IdNota, usuario: UsuarioDep, session: SessionDep):
    await _nota(session, nota_id, usuario)
    return ok(await _imagenes(session, nota_id), "Imágenes obtenidas correctamente")


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
    nota = await _nota(session, nota_id, usuario, bloquear=True)
    _autor_o_admin(usuario, nota)
    quitadas = await _sincronizar(session, nota_id, body, "")
    await session.commit()
    await _borrar_archivos(session, settings.uploads_dir, quitadas)
    return ok(await _imagenes(session, nota_id), "Imágenes actualizadas correctamente")


async def _leer_archivo(archivo: StarletteUpload, indice: int, maximo: int) -> tuple[bytes, almacen.Imagen]:
    contenido = await archivo.read(maximo + 1)
    datos = {"campo": "files", "indice": indice, "archivo": archivo.filename}
    if len(contenido) > maximo:
        raise DemasiadoGrande(f"'{archivo.filename}' supera el máximo de {maximo} bytes", datos)
    imagen = almacen.reconocer(contenido)
    if imagen is None:
        raise DatosInvalidos(f"'{archivo.filename}' no es una imagen JPEG, PNG, GIF ni WEBP", datos)
    return contenido, imagen


def _cuerpo_limitado(request: Request, maximo: int) -> Request:
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


async def _archivos(request: Request, settings: Settings) -> tuple[list[StarletteUpload], FormData]:
    """The `files` parts of a bounded multipart body (at most `max_imagenes_por_subida`)."""
    maximo = settings.max_imagenes_por_subida
    falta = DatosInvalidos("envíe las imágenes como multipart/form-data, partes `files`", {"campo": "files"})
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise falta
    limitada = _cuerpo_limitado(request, settings.max_subida_bytes)
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


async def _cabe(session: AsyncSession, nota: m.PendienteNota, nuevas: int, maximo_pendiente: int) -> None:
    """Room for `nuevas` images on the note (MAX_IMAGENES) and its pendiente (all its live notes)."""
    img, nt = m.PendienteNotaImagen, m.PendienteNota
    # Uploads to different notes of one pendiente queue here, so the two counts below stay true.
    await session.execute(select(func.pg_advisory_xact_lock(_CERROJO_IMAGENES, nota.pendiente_id)))
    en_nota = await session.scalar(select(func.count()).where(img.nota_id == nota.id))
    en_pendiente = await session.scalar(
        select(func.count())
        .select_from(img)
        .join(nt, nt.id == img.nota_id)
        .where(nt.pendiente_id == nota.pendiente_id, nt.vigente.is_(True))
    )
    if en_nota + nuevas > MAX_IMAGENES:
        raise DatosInvalidos(
            f"la nota tiene {en_nota} imágenes: como máximo {MAX_IMAGENES} por nota", {"campo": "files"}
        )
    if en_pendiente + nuevas > maximo_pendiente:
        raise DatosInvalidos(
            f"el pendiente tiene {en_pendiente} imágenes: como máximo {maximo_pendiente} por pendiente",
            {"campo": "files"},
        )


# First key of the two-int advisory lock that serialises uploads per pendiente (an arbitrary constant).
_CERROJO_IMAGENES = 7301

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
    _autor_o_admin(usuario, await _nota(session, nota_id, usuario))
    await session.commit()  # no connection held while a slow client sends its body
    files, formulario = await _archivos(request, settings)
    try:
        leidos = [await _leer_archivo(f, i, settings.max_imagen_bytes) for i, f in enumerate(files)]
    finally:
        await formulario.close()
    nota = await _nota(session, nota_id, usuario, bloquear=True)
    _autor_o_admin(usuario, nota)
    await _cabe(session, nota, len(leidos), settings.max_imagenes_por_pendiente)
    nombres: list[str] = []
    try:
        for contenido, imagen in leidos:
            nombres.append(await almacen.guardar(settings.uploads_dir, contenido, imagen))
        filas = [
            m.PendienteNotaImagen(
                nota_id=nota_id, url=almacen.url_de(n), content_type=i.content_type, tamano_bytes=len(c)
            )
            for n, (c, i) in zip(nombres, leidos, strict=True)
        ]
        session.add_all(filas)
        await session.commit()
    except BaseException:
        # Nothing half-done: files written for a failed upload are removed.
        await almacen.borrar(settings.uploads_dir, [almacen.url_de(n) for n in nombres])
        raise
    return ok([_imagen(f) for f in filas], "Imágenes subidas correctamente", 201)


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
    filas = await session.execute(
        select(m.PendienteNotaImagen.content_type, m.Pendiente)
        .join(m.PendienteNota, m.PendienteNota.id == m.PendienteNotaImagen.nota_id)
        .join(m.Pendiente, m.Pendiente.id == m.PendienteNota.pendiente_id)
        .where(
            m.PendienteNotaImagen.url == almacen.url_de(archivo),
            m.PendienteNota.vigente.is_(True),
            m.Pendiente.vigente.is_(True),
        )
    )
    tipos = [tipo for tipo, pendiente in filas if ve_pendiente(usuario, pendiente)]
    if not tipos or not ruta.is_file():
        raise no_encontrada
    cabeceras = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"}
    return FileResponse(ruta, media_type=tipos[0] or "application/octet-stream", headers=cabeceras)
