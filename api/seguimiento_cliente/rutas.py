"""The customer's tracking link.

- `GET/DELETE /api/pendientes/{id}/seguimiento-cliente`: dispatch (ASIGNAR_TECNICO or
  REGISTRAR_PENDIENTE) gets the link to send the customer, or revokes it.
- `GET /seguimiento/{token}` (a small HTML page) and `GET /seguimiento/{token}.json`: public, no login,
  rate limited per client address (one count for all API processes); the type of work, the state, the
  scheduled day, the technician's first name and the last update, read live from Postgres. Nothing
  else."""

from __future__ import annotations

import base64
import hashlib
import html
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from api.comun.deps import CifradorDep, SessionDep, SettingsDep, UsuarioActual, requiere
from api.comun.http import ERRORES
from api.comun.respuesta import Respuesta, ok
from api.comun.sesion import direccion_de
from api.comun.tipos import IdRuta
from api.comun.visibilidad import pendiente_visible
from api.seguimiento_cliente import servicio
from api.seguimiento_cliente.esquemas import EnlaceResponse, SeguimientoResponse
from domain.errores import NoEncontrado
from domain.permisos import Permiso
from domain.zona import LIMA

router = APIRouter(tags=["seguimiento del cliente"])

Despacho = Annotated[UsuarioActual, requiere(Permiso.ASIGNAR_TECNICO, Permiso.REGISTRAR_PENDIENTE)]
# The public answers must not be kept by a cache nor leak the token as a Referer.
CABECERAS_PUBLICAS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@router.get(
    "/api/pendientes/{id}/seguimiento-cliente", response_model=Respuesta[EnlaceResponse], responses=ERRORES
)
async def enlace_cliente(
    id: IdRuta, usuario: Despacho, session: SessionDep, settings: SettingsDep, cifrador: CifradorDep
):
    """El enlace que se envía al cliente (sin login). Siempre el mismo mientras no se revoque; `expira`
    es null mientras el pendiente siga abierto."""
    pendiente = await pendiente_visible(session, id, usuario)
    enlace = await servicio.obtener_o_crear(session, settings, cifrador, pendiente, usuario.id)
    return ok(enlace, "Enlace de seguimiento obtenido correctamente")


@router.delete("/api/pendientes/{id}/seguimiento-cliente", response_model=Respuesta[None], responses=ERRORES)
async def revocar_enlace_cliente(id: IdRuta, usuario: Despacho, session: SessionDep):
    """Revoca el enlace: deja de responder (404) y el próximo GET crea uno nuevo."""
    await pendiente_visible(session, id, usuario)
    await servicio.revocar(session, id)
    return ok(None, "Enlace de seguimiento revocado correctamente")


class Frenado(Exception):
    def __init__(self, segundos: int) -> None:
        self.segundos = segundos


async def _limitar(request: Request, session: SessionDep, settings: SettingsDep) -> None:
    por_minuto = settings.seguimiento_cliente_por_minuto
    if espera := await servicio.contar_visita(session, direccion_de(request), por_minuto):
        raise Frenado(espera)


def _frenado(error: Frenado) -> JSONResponse:
    cuerpo = {"success": False, "code": 429, "message": "demasiadas consultas, reintente en un momento"}
    cabeceras = {"Retry-After": str(error.segundos), **CABECERAS_PUBLICAS}
    return JSONResponse({**cuerpo, "data": None}, status_code=429, headers=cabeceras)


def _no_encontrado_json() -> JSONResponse:
    cuerpo = {"success": False, "code": 404, "message": servicio.NO_ENCONTRADO, "data": None}
    return JSONResponse(cuerpo, status_code=404, headers=CABECERAS_PUBLICAS)


# Registered before the page: `{token}` alone would also match `abc.json`.
@router.get(
    "/seguimiento/{token}.json",
    response_model=Respuesta[SeguimientoResponse],
    responses={404: {"model": Respuesta[None]}, 429: {"model": Respuesta[None]}},
)
async def seguimiento_json(token: str, request: Request, session: SessionDep, settings: SettingsDep):
    """Público, sin login: lo mismo que la página, como JSON."""
    try:
        await _limitar(request, session, settings)
        datos = await servicio.leer(session, settings, token)
    except Frenado as error:
        return _frenado(error)
    except NoEncontrado:
        return _no_encontrado_json()
    cuerpo = ok(datos.model_dump(mode="json", by_alias=True), "Seguimiento obtenido correctamente")
    return JSONResponse(cuerpo, headers=CABECERAS_PUBLICAS)


@router.get("/seguimiento/{token}", response_class=HTMLResponse)
async def seguimiento_pagina(token: str, request: Request, session: SessionDep, settings: SettingsDep):
    """Público, sin login: una página pequeña para el celular del cliente, que se actualiza sola."""
    try:
        await _limitar(request, session, settings)
        datos = await servicio.leer(session, settings, token)
    except Frenado as error:
        return _frenado(error)
    except NoEncontrado:
        return HTMLResponse(pagina_no_encontrada(), status_code=404, headers=CABECERAS_PAGINA)
    return HTMLResponse(pagina(datos), headers=CABECERAS_PAGINA)


ESTILO = (
    "body{font-family:system-ui,sans-serif;margin:0;padding:1.2rem;background:#f4f6f8;color:#1b1f23}"
    "main{max-width:28rem;margin:auto;background:#fff;border-radius:12px;padding:1.2rem;"
    "box-shadow:0 1px 4px #0002}h1{font-size:1.1rem;margin:0 0 .4rem}"
    ".estado{font-size:1.5rem;font-weight:700;margin:.6rem 0 1rem}"
    "dl{margin:0}dt{color:#57606a;font-size:.85rem;margin-top:.7rem}dd{margin:0;font-size:1.05rem}"
    "footer{color:#57606a;font-size:.8rem;margin-top:1rem;text-align:center}"
)


# The page runs no script, loads nothing and posts nowhere: only its own inline style (by its hash) may
# apply, so injected markup could do nothing even if an escape were ever missed.
_HASH_ESTILO = base64.b64encode(hashlib.sha256(ESTILO.encode()).digest()).decode()
CSP_PAGINA = (
    f"default-src 'none'; style-src 'sha256-{_HASH_ESTILO}'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
CABECERAS_PAGINA = {**CABECERAS_PUBLICAS, "Content-Security-Policy": CSP_PAGINA}


def _documento(titulo: str, cuerpo: str) -> str:
    return (
        '<!doctype html><html lang="es"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="refresh" content="60">'
        '<meta name="robots" content="noindex">'
        f"<title>{html.escape(titulo)}</title><style>{ESTILO}</style></head>"
        f"<body><main>{cuerpo}</main></body></html>"
    )


def pagina(datos: SeguimientoResponse) -> str:
    e = html.escape
    dia = datos.fecha_programada.strftime("%d/%m/%Y") if datos.fecha_programada else "Por confirmar"
    hora = datos.actualizado.astimezone(LIMA).strftime("%d/%m/%Y %H:%M")
    filas = [("Fecha programada", dia), ("Técnico", datos.tecnico or "Por asignar")]
    filas.append(("Última actualización", hora))
    dl = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in filas)
    cuerpo = (
        f'<h1>{e(datos.tipo)}</h1><p class="estado">{e(datos.estado)}</p><dl>{dl}</dl>'
        "<footer>Esta página se actualiza sola cada minuto.</footer>"
    )
    return _documento(f"{datos.estado} · Seguimiento", cuerpo)


def pagina_no_encontrada() -> str:
    cuerpo = (
        "<h1>Enlace no disponible</h1>"
        "<p>Este enlace de seguimiento no es válido o ya venció. "
        "Si necesitas ayuda, comunícate con nosotros.</p>"
    )
    return _documento("Enlace no disponible", cuerpo)
