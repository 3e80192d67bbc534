"""Every read and write of /api/notas and of the note images. The rules are stated in
api/notas/rutas.py; who changes a note comes from domain/visibilidad.py (Recurso.CAMBIAR_NOTA), and what a
closed pendiente still accepts from domain/cierre.py."""

from __future__ import annotations

from pathlib import Path as Ruta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from api.comun.cierre import exigir_admite
from api.comun.deps import UsuarioActual
from api.comun.parcial import aplicar, cambios
from api.comun.visibilidad import exigir, pendiente_visible, ve_pendiente, vinculos
from api.notas.esquemas import MAX_IMAGENES, ImagenIn, ImagenResponse, NotaCambios, NotaCrear, NotaResponse
from api.pagos.esquemas import nombre_empleado
from db import models as m
from db.eventos import actor, registrar_de_anexo, vista_nota
from domain.cierre import Anexo
from domain.errores import DatosInvalidos, NoEncontrado, SinPermiso
from domain.eventos import TipoEvento
from domain.visibilidad import Recurso
from infra import almacen
from infra.config import Settings

# First key of the two-int advisory lock that serialises uploads per pendiente (an arbitrary constant).
_CERROJO_IMAGENES = 7301


# --- Loading and rules -----------------------------------------------------------------------------


async def _nota(
    session: AsyncSession, nota_id: int, usuario: UsuarioActual, bloquear: bool = False
) -> tuple[m.PendienteNota, m.Pendiente]:
    """A live note whose pendiente the caller can see (404 / 403 otherwise), with that pendiente.
    `bloquear` locks the note, so concurrent changes to its images are serialised."""
    consulta = select(m.PendienteNota).where(m.PendienteNota.id == nota_id, m.PendienteNota.vigente.is_(True))
    if bloquear:
        consulta = consulta.with_for_update()
    nota = await session.scalar(consulta.execution_options(populate_existing=True))
    if nota is None:
        raise NoEncontrado(f"nota {nota_id} no encontrada", {"id": nota_id})
    return nota, await pendiente_visible(session, nota.pendiente_id, usuario)


def _autor_o_admin(usuario: UsuarioActual, nota: m.PendienteNota) -> None:
    exigir(
        usuario,
        Recurso.CAMBIAR_NOTA,
        vinculos(usuario, autor=nota.empleado_id),
        {"autorId": nota.empleado_id},
    )


async def _cambiable(
    session: AsyncSession, nota_id: int, usuario: UsuarioActual, imagenes: bool = False, bloquear: bool = True
) -> m.PendienteNota:
    """A note the caller may change (locked unless told); with `imagenes`, on a pendiente that accepts
    them."""
    nota, pendiente = await _nota(session, nota_id, usuario, bloquear=bloquear)
    _autor_o_admin(usuario, nota)
    if imagenes:
        await exigir_admite(session, pendiente, Anexo.IMAGEN, usuario)
    return nota


def _autor(usuario: UsuarioActual) -> int:
    if usuario.empleado_id is None:
        raise SinPermiso("su usuario no está vinculado a un empleado activo: no puede escribir notas")
    return usuario.empleado_id


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


async def crear(session: AsyncSession, body: NotaCrear, usuario: UsuarioActual) -> NotaResponse:
    autor = _autor(usuario)
    pendiente = await pendiente_visible(session, body.pendiente_id, usuario, campo="pendienteId")
    await exigir_admite(session, pendiente, Anexo.NOTA, usuario)
    if body.imagenes:
        await exigir_admite(session, pendiente, Anexo.IMAGEN, usuario)
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
    await _evento(session, TipoEvento.NOTA_CREADA, nota.id, usuario)
    await session.commit()
    return await _leer(session, nota.id)


async def de_pendiente(
    session: AsyncSession, pendiente_id: int, usuario: UsuarioActual
) -> list[NotaResponse]:
    """The live notes of the pendiente, oldest first (a conversation)."""
    await pendiente_visible(session, pendiente_id, usuario)
    notas = await session.scalars(
        _con_todo()
        .where(m.PendienteNota.pendiente_id == pendiente_id, m.PendienteNota.vigente.is_(True))
        .order_by(m.PendienteNota.fecha_creacion, m.PendienteNota.id)
    )
    return [_response(n) for n in notas]


async def obtener(session: AsyncSession, nota_id: int, usuario: UsuarioActual) -> NotaResponse:
    await _nota(session, nota_id, usuario)
    return await _leer(session, nota_id)


async def editar(
    session: AsyncSession, nota_id: int, body: NotaCambios, usuario: UsuarioActual, uploads_dir: Ruta
) -> NotaResponse:
    """Partial change; `imagenes`, when sent (not null), is the whole new set."""
    nota = await _cambiable(session, nota_id, usuario, imagenes=body.imagenes is not None)
    enviados = cambios(body, frozenset({"nota", "estado_pendiente"}))
    imagenes = enviados.pop("imagenes", None)
    aplicar(nota, enviados)
    quitadas = await _sincronizar(session, nota_id, imagenes, "imagenes.") if imagenes is not None else []
    if enviados or imagenes is not None:
        await _evento(session, TipoEvento.NOTA_MODIFICADA, nota_id, usuario)
    await session.commit()
    await _borrar_archivos(session, uploads_dir, quitadas)
    return await _leer(session, nota_id)


async def eliminar(session: AsyncSession, nota_id: int, usuario: UsuarioActual) -> None:
    nota = await _cambiable(session, nota_id, usuario)
    nota.vigente = False
    await _evento(session, TipoEvento.NOTA_ELIMINADA, nota_id, usuario)
    await session.commit()


async def _evento(session: AsyncSession, tipo: TipoEvento, nota_id: int, usuario: UsuarioActual) -> None:
    """The outbox row of a note's change, in the same transaction as the change."""
    quien = actor(usuario.id, usuario.empleado_id, usuario.nombre)
    await registrar_de_anexo(session, tipo, "nota", await vista_nota(session, nota_id), quien)


# --- Images ----------------------------------------------------------------------------------------


async def imagenes(session: AsyncSession, nota_id: int, usuario: UsuarioActual) -> list[ImagenResponse]:
    await _nota(session, nota_id, usuario)
    return await _imagenes(session, nota_id)


async def sincronizar_imagenes(
    session: AsyncSession, nota_id: int, body: list[ImagenIn], usuario: UsuarioActual, uploads_dir: Ruta
) -> list[ImagenResponse]:
    await _cambiable(session, nota_id, usuario, imagenes=True)
    quitadas = await _sincronizar(session, nota_id, body, "")
    await _evento(session, TipoEvento.NOTA_MODIFICADA, nota_id, usuario)
    await session.commit()
    await _borrar_archivos(session, uploads_dir, quitadas)
    return await _imagenes(session, nota_id)


async def puede_subir(session: AsyncSession, nota_id: int, usuario: UsuarioActual) -> None:
    """Refuse an upload before its body is read; then free the connection while a slow client sends it
    (`subir` checks again, locked, once the files are in hand)."""
    await _cambiable(session, nota_id, usuario, imagenes=True, bloquear=False)
    await session.commit()


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


async def subir(
    session: AsyncSession,
    nota_id: int,
    usuario: UsuarioActual,
    leidos: list[tuple[bytes, almacen.Imagen]],
    settings: Settings,
) -> list[ImagenResponse]:
    """Store the images read (all or none) and their rows; returns the new images."""
    nota = await _cambiable(session, nota_id, usuario, imagenes=True)
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
        await session.flush()
        await _evento(session, TipoEvento.NOTA_MODIFICADA, nota_id, usuario)
        await session.commit()
    except BaseException:
        # Nothing half-done: files written for a failed upload are removed.
        await almacen.borrar(settings.uploads_dir, [almacen.url_de(n) for n in nombres])
        raise
    return [_imagen(f) for f in filas]


async def tipo_de_imagen(session: AsyncSession, archivo: str, usuario: UsuarioActual) -> str | None:
    """The media type to serve an uploaded file with, if a live note of a live pendiente the caller can
    see holds it; None otherwise (the route answers 404 either way, confirming nothing)."""
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
    return (tipos[0] or "application/octet-stream") if tipos else None
