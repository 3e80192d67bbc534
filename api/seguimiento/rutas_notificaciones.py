"""`/api/notificaciones` (REST) and `/ws` (live). Every user reads and receives only their own; the
manual create and the global list are for administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, WebSocket
from fastapi.encoders import jsonable_encoder
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import func, select, update

from activities.persistencia import CANAL_NOTIFICACIONES
from api.comun.deps import SessionDep, UsuarioActual, UsuarioDep, get_usuario_actual, requiere
from api.comun.http import ERRORES
from api.comun.paginacion import Pagina, ParametrosPagina, paginar, parametros_pagina
from api.comun.parcial import aplicar, cambios
from api.comun.respuesta import Respuesta, ok
from api.seguimiento.difusor import CIERRE_TOKEN, Conexion
from api.seguimiento.esquemas import NotificacionRequest, NotificacionResponse
from db import models as m
from domain.enums import NotificationEstado, NotificationTipo
from domain.errores import DatosInvalidos, ErrorPendientes, NoEncontrado, SinPermiso
from domain.permisos import Permiso
from infra.seguridad import leer_token

router = APIRouter(tags=["notificaciones"])
Id = Annotated[int, Path(gt=0, le=2**63 - 1)]
ORDEN = {
    "id": m.Notificacion.id,
    "fechaCreacion": m.Notificacion.fecha_creacion,
    "estado": m.Notificacion.estado,
}


def respuesta(fila: m.Notificacion) -> NotificacionResponse:
    return NotificacionResponse(
        id=fila.id,
        titulo=fila.titulo,
        mensaje=fila.mensaje,
        tipo=fila.tipo,
        estado=fila.estado,
        fecha_creacion=fila.fecha_creacion,
        usuario_id=fila.usuario_id,
        pendiente_id=fila.pendiente_id,
    )


def _anunciar(usuario_id: int, notificacion_id: int):
    """The same announcement the worker makes, so a manual notification is pushed live too."""
    return func.pg_notify(CANAL_NOTIFICACIONES, f"{usuario_id}:{notificacion_id}")


def _vigentes():
    return select(m.Notificacion).where(m.Notificacion.vigente.is_(True))


async def _propia(session: SessionDep, notificacion_id: int, usuario: UsuarioActual) -> m.Notificacion:
    fila = await session.scalar(_vigentes().where(m.Notificacion.id == notificacion_id))
    # Another user's notification is as unknown as a missing one: nothing is revealed.
    if fila is None or (fila.usuario_id != usuario.id and not usuario.tiene(Permiso.ADMINISTRAR)):
        raise NoEncontrado(f"notificación {notificacion_id} no encontrada", {"id": notificacion_id})
    return fila


@router.get("/api/notificaciones", response_model=Respuesta[Pagina[NotificacionResponse]], responses=ERRORES)
async def todas(
    session: SessionDep,
    _: Annotated[UsuarioActual, requiere(Permiso.ADMINISTRAR)],
    pagina: Annotated[ParametrosPagina, Depends(parametros_pagina)],
):
    """Todas las notificaciones de todos los usuarios (solo ADMINISTRAR)."""
    datos = await paginar(session, _vigentes(), pagina, respuesta, ORDEN, m.Notificacion.id.desc())
    return ok(datos, "Notificaciones obtenidas correctamente")


@router.get(
    "/api/notificaciones/usuario/{usuarioId}",
    response_model=Respuesta[Pagina[NotificacionResponse]],
    responses=ERRORES,
)
async def de_usuario(
    usuarioId: Id,
    session: SessionDep,
    usuario: UsuarioDep,
    pagina: Annotated[ParametrosPagina, Depends(parametros_pagina)],
    leida: Annotated[NotificationEstado | None, Query(description="NO_LEIDO o LEIDO")] = None,
    estado: Annotated[NotificationEstado | None, Query(description="alias de leida")] = None,
):
    """Las notificaciones de un usuario, más recientes primero. Cada uno ve solo las suyas."""
    if usuarioId != usuario.id and not usuario.tiene(Permiso.ADMINISTRAR):
        raise SinPermiso("solo puede ver sus propias notificaciones")
    consulta = _vigentes().where(m.Notificacion.usuario_id == usuarioId)
    if filtro := leida or estado:
        consulta = consulta.where(m.Notificacion.estado == filtro)
    datos = await paginar(session, consulta, pagina, respuesta, ORDEN, m.Notificacion.id.desc())
    return ok(datos, "Notificaciones obtenidas correctamente")


@router.post(
    "/api/notificaciones", status_code=201, response_model=Respuesta[NotificacionResponse], responses=ERRORES
)
async def crear(
    cuerpo: NotificacionRequest,
    session: SessionDep,
    _: Annotated[UsuarioActual, requiere(Permiso.ADMINISTRAR)],
):
    """Aviso manual a un usuario (nace NO_LEIDO salvo que se indique otra cosa)."""
    for campo, alias in (("titulo", "titulo"), ("usuario_id", "usuarioId")):
        if getattr(cuerpo, campo) is None:
            raise DatosInvalidos(f"'{alias}' es obligatorio", {"campo": alias})
    destinatario = await session.get(m.Usuario, cuerpo.usuario_id)
    if destinatario is None or not destinatario.vigente:
        raise NoEncontrado(f"usuario {cuerpo.usuario_id} no encontrado", {"campo": "usuarioId"})
    fila = m.Notificacion(
        titulo=cuerpo.titulo,
        mensaje=cuerpo.mensaje,
        tipo=cuerpo.tipo or NotificationTipo.INFO,
        estado=cuerpo.estado or NotificationEstado.NO_LEIDO,
        usuario_id=cuerpo.usuario_id,
    )
    session.add(fila)
    await session.flush()
    await session.execute(select(_anunciar(destinatario.id, fila.id)))
    await session.commit()
    return ok(respuesta(fila), "Notificación creada correctamente", 201)


# Before `/{id}`: a literal segment must win over the numeric id.
@router.put("/api/notificaciones/leidas", response_model=Respuesta[dict], responses=ERRORES)
async def marcar_todas(session: SessionDep, usuario: UsuarioDep):
    """Marca como leídas todas las notificaciones del usuario autenticado."""
    resultado = await session.execute(
        update(m.Notificacion)
        .where(
            m.Notificacion.usuario_id == usuario.id,
            m.Notificacion.estado == NotificationEstado.NO_LEIDO,
            m.Notificacion.vigente.is_(True),
        )
        .values(estado=NotificationEstado.LEIDO)
    )
    await session.commit()
    return ok({"marcadas": resultado.rowcount}, "Notificaciones marcadas como leídas")


@router.put("/api/notificaciones/{id}", response_model=Respuesta[NotificacionResponse], responses=ERRORES)
async def editar(id: Id, cuerpo: NotificacionRequest, session: SessionDep, usuario: UsuarioDep):
    """Solo los campos enviados: el destinatario cambia `estado`; ADMINISTRAR, todo menos el destinatario."""
    fila = await _propia(session, id, usuario)
    valores = cambios(cuerpo, obligatorios=frozenset({"titulo", "tipo", "estado"}))
    if "usuario_id" in valores and valores["usuario_id"] != fila.usuario_id:
        raise DatosInvalidos("una notificación no cambia de destinatario", {"campo": "usuarioId"})
    if not usuario.tiene(Permiso.ADMINISTRAR) and valores.keys() - {"estado", "usuario_id"}:
        raise SinPermiso("solo puede marcar sus notificaciones como leídas o no leídas")
    aplicar(fila, valores)
    await session.commit()
    return ok(respuesta(fila), "Notificación actualizada correctamente")


@router.patch(
    "/api/notificaciones/{id}/leido", response_model=Respuesta[NotificacionResponse], responses=ERRORES
)
async def marcar_leida(id: Id, session: SessionDep, usuario: UsuarioDep):
    fila = await _propia(session, id, usuario)
    fila.estado = NotificationEstado.LEIDO
    await session.commit()
    return ok(respuesta(fila), "Notificación marcada como leída")


@router.delete("/api/notificaciones/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar(id: Id, session: SessionDep, usuario: UsuarioDep):
    fila = await _propia(session, id, usuario)
    fila.vigente = False
    await session.commit()
    return ok(None, "Notificación eliminada correctamente")


@router.websocket("/ws")
async def en_vivo(socket: WebSocket, token: Annotated[str | None, Query()] = None):
    """Notificaciones en vivo del usuario del token (`/ws?token=...` o cabecera Authorization).
    Cada mensaje es una NotificacionResponse en JSON. Token inválido al conectar: el handshake se rechaza
    (HTTP 403, sin abrir el socket). Un socket abierto se cierra con 4401 cuando su token deja de valer
    (cambio de contraseña, usuario desactivado o eliminado, rol eliminado, expiración), y con 1008 el más
    antiguo de un usuario que abre más de `WS_MAX_POR_USUARIO`."""
    app = socket.app
    settings = app.state.settings
    credenciales = HTTPAuthorizationCredentials(
        scheme="Bearer",
        credentials=token or socket.headers.get("authorization", "").removeprefix("Bearer ").strip(),
    )

    async def vigente() -> bool:
        async with app.state.sessions() as session:
            try:
                return await get_usuario_actual(session, settings, credenciales) is not None
            except ErrorPendientes:
                return False

    async with app.state.sessions() as session:
        try:
            usuario = await get_usuario_actual(session, settings, credenciales)
        except ErrorPendientes:
            await socket.close(code=CIERRE_TOKEN, reason="token inválido o expirado")
            return
    await socket.accept()
    carga = leer_token(credenciales.credentials, settings.jwt_secret.get_secret_value())
    conexion = Conexion(socket, usuario.id, vigente, carga.expira if carga else None)
    difusor = app.state.difusor
    await difusor.conectar(conexion, settings.ws_max_por_usuario)
    try:
        # The client may ping; we only push. The raw receive also ends quietly when we closed the socket.
        while (await socket.receive())["type"] != "websocket.disconnect":
            pass
    finally:
        difusor.desconectar(conexion)


async def cargar_para_envio(sessions, notificacion_id: int) -> dict | None:
    async with sessions() as session:
        fila = await session.get(m.Notificacion, notificacion_id)
        return jsonable_encoder(respuesta(fila).model_dump(by_alias=True)) if fila else None
