"""`/tablero/mis-pendientes`: the technician's own work on a phone, by Lima day (today, upcoming, no date,
overdue), each card with the client's phone, the address, the type detail, the SLA mark, the buttons the
action rule allows and a note with an optional photo (`POST /tablero/pendientes/{id}/notas`: the API's
note and image services, limits and storage)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from api.comun.deps import SessionDep, SettingsDep
from api.comun.http import IdPendiente
from api.notas import servicio as notas
from api.notas import subida
from api.notas.esquemas import NotaCrear
from api.pendientes.esquemas import FiltroPendienteRequest, PendienteResponse
from api.tablero import listas, servicio
from api.tablero.sesion import UsuarioTablero, destino_seguro, exigir, verificar_csrf
from api.tablero.vistas import pagina
from domain import pantallas
from domain.acciones import ESTADOS_CERRADOS
from domain.enums import EstadoPendiente
from domain.errores import ErrorPendientes
from domain.zona import LIMA

router = APIRouter(prefix="/tablero", include_in_schema=False)

RUTA = "/tablero/mis-pendientes"
# The technician's open work: not closed, and not yet reported done (POR_VALIDAR waits on the office).
ABIERTOS = [e for e in EstadoPendiente if e not in ESTADOS_CERRADOS and e is not EstadoPendiente.POR_VALIDAR]
INCOMPLETO = "El formulario llegó incompleto; inténtalo de nuevo."
SIN_TEXTO = "Escribe la nota (campo «nota»: de 1 a 5000 caracteres)."
HOY, PROXIMOS, SIN_FECHA, ATRASADOS = "Hoy", "Próximos", "Sin fecha", "Atrasados"


def _grupo(p: PendienteResponse, hoy) -> str:
    if p.fecha_pendiente is None:
        return SIN_FECHA
    dia = p.fecha_pendiente.astimezone(LIMA).date()
    return HOY if dia == hoy else PROXIMOS if dia > hoy else ATRASADOS


@router.get("/mis-pendientes")
async def mis_pendientes(request: Request, usuario: UsuarioTablero, session: SessionDep):
    exigir(usuario, *pantallas.POR_RUTA[RUTA].permisos)
    grupos: dict[str, list[listas.Tarjeta]] = {HOY: [], PROXIMOS: [], SIN_FECHA: [], ATRASADOS: []}
    total = 0
    if usuario.empleado_id is not None:
        filtro = FiltroPendienteRequest(asignado_a_id=usuario.empleado_id, estados=ABIERTOS)
        lista, total = await listas.listar(session, usuario, filtro, "fechaPendiente,asc")
        hoy = datetime.now(LIMA).date()
        for tarjeta in await listas.tarjetas(session, usuario, lista):
            grupos[_grupo(tarjeta.p, hoy)].append(tarjeta)
    contexto = {
        "grupos": grupos,
        "total": total,
        "mostrados": sum(len(g) for g in grupos.values()),
        "sin_empleado": usuario.empleado_id is None,
        "volver": RUTA,
        "hecho": listas.hecho(request),
        "tecnicos": await servicio.tecnicos(session),
    }
    return pagina(request, "mis_pendientes.html", usuario, **contexto)


# -- A note with an optional photo ------------------------------------------------------------------


def _volver(destino: object) -> str:
    return destino_seguro(destino) or RUTA


@router.post("/pendientes/{id}/notas")
async def agregar_nota(
    id: IdPendiente, request: Request, usuario: UsuarioTablero, session: SessionDep, settings: SettingsDep
):
    """The API's note, then (if a photo came) the API's upload to it: same checks, limits and storage.
    The body is bounded before it is parsed, and the CSRF token is checked before anything is written."""
    volver = RUTA
    try:
        limitada = subida.cuerpo_limitado(request, settings.max_subida_bytes)
        try:
            formulario = await limitada.form(max_files=1, max_fields=10)
        except (MultiPartException, StarletteHTTPException):
            return _rechazo(request, usuario, 422, INCOMPLETO, volver)
        try:
            await verificar_csrf(limitada)
            volver = _volver(formulario.get("volver"))
            cuerpo = NotaCrear.model_validate({"pendienteId": id, "nota": formulario.get("nota")})
            foto = formulario.get("files")
            leida = None
            if foto is not None and not isinstance(foto, str) and foto.filename:
                leida = await subida.leer_archivo(foto, 0, settings.max_imagen_bytes)
        finally:
            await formulario.close()
        nota = await notas.crear(session, cuerpo, usuario)
    except ValidationError:
        return _rechazo(request, usuario, 422, SIN_TEXTO, volver)
    except ErrorPendientes as error:
        return _rechazo(request, usuario, error.status, f"No se guardó la nota: {error.mensaje}.", volver)
    if leida is not None:
        try:
            await notas.puede_subir(session, nota.id, usuario)
            await notas.subir(session, nota.id, usuario, [leida], settings)
        except ErrorPendientes as error:
            mensaje = f"La nota se guardó, pero la foto no: {error.mensaje}."
            return _rechazo(request, usuario, error.status, mensaje, volver, "Foto no guardada")
    return RedirectResponse(volver + ("&" if "?" in volver else "?") + "hecho=nota", status_code=303)


def _rechazo(request: Request, usuario, status: int, mensaje: str, volver: str, titulo="Nota no guardada"):
    return pagina(request, "error.html", usuario, status, titulo=titulo, mensaje=mensaje, volver=volver)
