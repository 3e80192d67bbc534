"""`/tablero/login` and `/tablero/salir`: the board's session (api/tablero/sesion.py), started with the
same DNI and password, limits and messages as `POST /auth`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from api.comun.deps import SessionDep, SettingsDep, usuario_de_token
from api.comun.sesion import direccion_de
from api.identidad import servicio
from api.tablero.sesion import (
    EXPIRADA,
    SALIDA,
    destino_seguro,
    poner_sesion,
    quitar_sesion,
    url_login,
    verificar_csrf,
)
from api.tablero.vistas import pagina
from db import identidad
from domain import pantallas
from domain.errores import NoAutenticado

router = APIRouter(prefix="/tablero", include_in_schema=False)

MENSAJES = {
    EXPIRADA: ("Tu sesión expiró. Vuelve a ingresar.", "advertencia"),
    SALIDA: ("Cerraste tu sesión.", "info"),
}


@router.get("/login")
async def login(request: Request, motivo: str | None = None, destino: str | None = None):
    mensaje, clase = MENSAJES.get(motivo or "", (None, None))
    contexto = {
        "mensaje": mensaje,
        "clase_mensaje": clase,
        "destino": destino_seguro(destino) or "",
        "dni": "",
    }
    return pagina(request, "login.html", None, **contexto)


@router.post("/login", dependencies=[Depends(verificar_csrf)])
async def ingresar(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    dni: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=200)],
    destino: Annotated[str, Form(max_length=500)] = "",
):
    def de_nuevo(mensaje: str, status_code: int):
        contexto = {"mensaje": mensaje, "clase_mensaje": "error", "destino": destino, "dni": dni}
        return pagina(request, "login.html", None, status_code, **contexto)

    try:
        sesion = await servicio.iniciar_sesion(session, settings, dni, password, direccion_de(request))
    except identidad.Frenado as error:
        return de_nuevo(f"Demasiados intentos fallidos. Espera {error.segundos} segundos.", 429)
    except NoAutenticado as error:
        return de_nuevo(error.mensaje, 401)
    permisos = (await usuario_de_token(session, settings, sesion.token)).permisos
    respuesta = RedirectResponse(destino_seguro(destino) or pantallas.inicio(permisos), status_code=303)
    poner_sesion(respuesta, settings, sesion.token)
    return respuesta


@router.post("/salir", dependencies=[Depends(verificar_csrf)])
async def salir():
    respuesta = RedirectResponse(url_login(SALIDA), status_code=303)
    quitar_sesion(respuesta)
    return respuesta
