"""`/tablero/pendientes/{id}`: one pendiente on the board, read through the API's own services (the same
visibility: 404 unknown, 403 another technician's), with its action buttons from the rule behind
`GET /api/pendientes/{id}/acciones`. Also its PDF and the note images for the cookie session.

The PPPoE password never reaches a page: the detail is read as the API shows it, then masked for
everyone (a page is cached, printed and looked over shoulders; the network forms set it, nobody reads it)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from api.catalogo import servicio as items
from api.comun.deps import CifradorDep, SessionDep, SettingsDep, UsuarioActual
from api.comun.http import IdPendiente
from api.comun.visibilidad import pendiente_visible
from api.notas import servicio as notas
from api.pagos import servicio as pagos
from api.pdf import servicio as pdf
from api.pdf.documento import renderizar
from api.pendientes import acciones
from api.pendientes.servicio import PASSWORD_OCULTA, leer_detalle, leer_pendiente
from api.seguimiento import servicio as seguimiento
from api.tablero import servicio
from api.tablero.sesion import UsuarioTablero
from api.tablero.vistas import pagina
from domain.acciones import Accion
from domain.errores import ErrorPendientes, NoEncontrado
from domain.permisos import Permiso
from infra import almacen
from infra.config import Settings
from infra.temporal import workflow_id

router = APIRouter(prefix="/tablero", include_in_schema=False)

TITULOS = {403: "Sin acceso", 404: "No encontrado"}
# Who reads payments in the API (GET /api/pagos/pendiente/{id}).
LECTORES_PAGOS = (Permiso.REGISTRAR_PAGO, Permiso.VER_TODOS, Permiso.VER_DETALLE)
# `?hecho=` names the action just applied (rutas_acciones.py); anything else shows no flash.
ACCIONES = frozenset(a.value for a in Accion)


def url_temporal(settings: Settings, pendiente_id: int) -> str:
    base = (settings.temporal_ui_url or f"http://127.0.0.1:{settings.temporal_ui_port}").rstrip("/")
    return f"{base}/namespaces/{settings.temporal_namespace}/workflows/{workflow_id(pendiente_id)}"


def _rechazo(request: Request, usuario: UsuarioActual, error: ErrorPendientes) -> Response:
    titulo = TITULOS.get(error.status, "No se pudo mostrar")
    return pagina(request, "error.html", usuario, error.status, titulo=titulo, mensaje=error.mensaje + ".")


async def _detalle(session, fila, usuario, cifrador):
    """The type detail as the API shows it to this user, with the password masked whatever the role."""
    try:
        detalle = await leer_detalle(session, fila, usuario, cifrador)
    except NoEncontrado:
        return None
    oculta = PASSWORD_OCULTA if detalle.ppoe_password is not None else None
    return detalle.model_copy(update={"ppoe_password": oculta})


async def _contexto(session, id: int, usuario: UsuarioActual, cifrador, settings: Settings) -> dict:
    p = await leer_pendiente(session, id, usuario)
    fila = await pendiente_visible(session, id, usuario)
    lista_items = await items.items_de(session, id, usuario)
    con_historial = usuario.tiene(Permiso.VER_HISTORIAL)
    return {
        "p": p,
        "detalle": await _detalle(session, fila, usuario, cifrador),
        "historial": await seguimiento.historial_de(session, id) if con_historial else None,
        "notas": await notas.de_pendiente(session, id, usuario),
        "pagos": await pagos.de_pendiente(session, id, usuario) if usuario.tiene(*LECTORES_PAGOS) else None,
        "items": lista_items,
        "total_items": sum((i.costo_total for i in lista_items), start=0),
        "acciones": (await acciones.acciones_de(session, id, usuario)).acciones,
        "tecnicos": await servicio.tecnicos(session),
        "temporal": url_temporal(settings, id) if usuario.tiene(Permiso.ADMINISTRAR) else None,
        "es_local": almacen.es_url_local,
    }


@router.get("/pendientes/{id}")
async def pendiente(
    id: IdPendiente,
    request: Request,
    usuario: UsuarioTablero,
    session: SessionDep,
    cifrador: CifradorDep,
    settings: SettingsDep,
    hecho: str | None = None,
    nuevo: bool = False,
):
    try:
        contexto = await _contexto(session, id, usuario, cifrador, settings)
    except ErrorPendientes as error:
        return _rechazo(request, usuario, error)
    aviso = f"Acción «{hecho.replace('_', ' ')}» aplicada." if hecho in ACCIONES else None
    if nuevo:
        aviso = f"Pendiente #{id} registrado."
    volver = f"/tablero/pendientes/{id}"
    return pagina(request, "pendiente.html", usuario, aviso=aviso, volver=volver, **contexto)


@router.get("/pendientes/{id}/pdf")
async def pdf_del_pendiente(
    id: IdPendiente, request: Request, usuario: UsuarioTablero, session: SessionDep, settings: SettingsDep
):
    """The same document as GET /api/pendientes/{id}/pdf, for the board's session."""
    try:
        informe = await pdf.informe(session, id, usuario, settings.uploads_dir)
    except ErrorPendientes as error:
        return _rechazo(request, usuario, error)
    await session.rollback()  # give the connection back while the document is drawn
    contenido = await asyncio.to_thread(renderizar, informe)
    cabeceras = {"Content-Disposition": f'attachment; filename="pendiente-{id}.pdf"'}
    return Response(contenido, media_type="application/pdf", headers=cabeceras)


@router.get("/imagenes/{archivo}")
async def imagen(archivo: str, usuario: UsuarioTablero, session: SessionDep, settings: SettingsDep):
    """A note's uploaded image, only for who may see its pendiente (as /uploads/notas/{archivo}): any
    other request, a name we never generate included, is the same 404."""
    ruta = almacen.ruta_de(settings.uploads_dir, archivo)
    tipo = await notas.tipo_de_imagen(session, archivo, usuario) if ruta is not None else None
    if ruta is None or tipo is None or not ruta.is_file():
        return Response("Imagen no encontrada", status_code=404, media_type="text/plain; charset=utf-8")
    cabeceras = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"}
    return FileResponse(ruta, media_type=tipo, headers=cabeceras)
