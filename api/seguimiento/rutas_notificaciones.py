"""`/api/notificaciones` (REST) and `/ws` (live). Every user reads and receives only their own; the
manual create and the global list are for administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, WebSocket
from fastapi.security import HTTPAuthorizationCredentials

from api.comun.deps import SessionDep, UsuarioActual, UsuarioDep, get_usuario_actual, requiere
from api.comun.http import ERRORES
from api.comun.paginacion import Pagina, ParametrosPagina, parametros_pagina
from api.comun.parcial import cambios
from api.comun.respuesta import Respuesta, ok
from api.comun.visibilidad import puede, vinculos
from api.seguimiento import servicio
from api.seguimiento.difusor import CIERRE_TOKEN, Conexion
from api.seguimiento.esquemas import NotificacionRequest, NotificacionResponse
from domain.enums import NotificationEstado, NotificationTipo
from domain.errores import DatosInvalidos, ErrorPendientes, SinPermiso
from domain.permisos import Permiso
from domain.visibilidad import Recurso
from infra.seguridad import leer_token

router = APIRouter(tags=["notificaciones"])
Id = Annotated[int, Path(gt=0, le=2**63 - 1)]


@router.get("/api/notificaciones", response_model=Respuesta[Pagina[NotificacionResponse]], responses=ERRORES)
async def todas(
    session: SessionDep,
    _: Annotated[UsuarioActual, requiere(Permiso.ADMINISTRAR)],
    pagina: Annotated[ParametrosPagina, Depends(parametros_pagina)],
):
    """Todas las notificaciones de todos los usuarios (solo ADMINISTRAR)."""
    datos = await servicio.listar_notificaciones(session, pagina)
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
    if not puede(usuario, Recurso.NOTIFICACION, vinculos(usuario, destinatario=usuarioId)):
        raise SinPermiso("solo puede ver sus propias notificaciones")
    datos = await servicio.listar_notificaciones(session, pagina, usuarioId, leida or estado)
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
    creada = await servicio.crear_notificacion(
        session,
        usuario_id=cuerpo.usuario_id,
        titulo=cuerpo.titulo,
        mensaje=cuerpo.mensaje,
        tipo=cuerpo.tipo or NotificationTipo.INFO,
        estado=cuerpo.estado or NotificationEstado.NO_LEIDO,
    )
    return ok(creada, "Notificación creada correctamente", 201)


# Before `/{id}`: a literal segment must win over the numeric id.
@router.put("/api/notificaciones/leidas", response_model=Respuesta[dict], responses=ERRORES)
async def marcar_todas(session: SessionDep, usuario: UsuarioDep):
    """Marca como leídas todas las notificaciones del usuario autenticado."""
    marcadas = await servicio.marcar_todas_leidas(session, usuario.id)
    return ok({"marcadas": marcadas}, "Notificaciones marcadas como leídas")


@router.put("/api/notificaciones/{id}", response_model=Respuesta[NotificacionResponse], responses=ERRORES)
async def editar(id: Id, cuerpo: NotificacionRequest, session: SessionDep, usuario: UsuarioDep):
    """Solo los campos enviados: el destinatario cambia `estado`; ADMINISTRAR, todo menos el destinatario."""
    fila = await servicio.notificacion_visible(session, id, usuario)
    valores = cambios(cuerpo, obligatorios=frozenset({"titulo", "tipo", "estado"}))
    if "usuario_id" in valores and valores["usuario_id"] != fila.usuario_id:
        raise DatosInvalidos("una notificación no cambia de destinatario", {"campo": "usuarioId"})
    if not usuario.tiene(Permiso.ADMINISTRAR) and valores.keys() - {"estado", "usuario_id"}:
        raise SinPermiso("solo puede marcar sus notificaciones como leídas o no leídas")
    cambiada = await servicio.cambiar_notificacion(session, fila, valores)
    return ok(cambiada, "Notificación actualizada correctamente")


@router.patch(
    "/api/notificaciones/{id}/leido", response_model=Respuesta[NotificacionResponse], responses=ERRORES
)
async def marcar_leida(id: Id, session: SessionDep, usuario: UsuarioDep):
    fila = await servicio.notificacion_visible(session, id, usuario)
    leida = await servicio.cambiar_notificacion(session, fila, {"estado": NotificationEstado.LEIDO})
    return ok(leida, "Notificación marcada como leída")


@router.api_route(
    "/api/notificaciones/{id}", response_model=Respuesta[None], responses=ERRORES, methods=["DELETE"]
)
async def eliminar(id: Id, session: SessionDep, usuario: UsuarioDep):
    fila = await servicio.notificacion_visible(session, id, usuario)
    await servicio.eliminar_notificacion(session, fila)
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
    """What the live socket sends for a notification (the API process's listener calls it)."""
    async with sessions() as session:
        return await servicio.notificacion_para_envio(session, notificacion_id)
