"""`/auth`: log in with DNI and password, validate a token, refresh it."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from api.comun.deps import SessionDep, SettingsDep, UsuarioDep
from api.comun.respuesta import Respuesta, ok
from api.comun.sesion import direccion_de, respuesta_frenada
from api.identidad import servicio
from api.identidad.esquemas import LoginRequest, LoginResponse
from db import identidad
from domain.errores import NoAutenticado
from infra import seguridad

router = APIRouter(tags=["auth"])


ERRORES = {
    401: {"model": Respuesta[dict], "description": "Credenciales o token inválidos (un solo mensaje)"},
    422: {"model": Respuesta[dict], "description": "Cuerpo inválido (data.campo lo nombra)"},
    429: {
        "model": Respuesta[dict],
        "description": "Demasiados fallos (dirección, DNI en esa dirección o DNI): Retry-After y "
        "data.reintentarEnSegundos dicen cuándo reintentar",
    },
}


@router.post("/auth", response_model=Respuesta[LoginResponse], responses=ERRORES)
async def login(body: LoginRequest, request: Request, session: SessionDep, settings: SettingsDep):
    """Devuelve un token con expiración. Un único 401 para DNI desconocido, contraseña errónea o usuario
    inactivo (sin enumerar cuentas). Demasiados fallos desde una dirección, o para un DNI, dan 429 con
    `Retry-After` sin evaluar la contraseña."""
    try:
        sesion = await servicio.iniciar_sesion(
            session, settings, body.dni, body.password.get_secret_value(), direccion_de(request)
        )
    except identidad.Frenado as error:
        return respuesta_frenada(error)
    return ok(sesion, "Sesión iniciada correctamente")


@router.get("/auth/validar-token", response_class=PlainTextResponse, responses=ERRORES)
async def validar_token(usuario: UsuarioDep) -> str:
    """Texto plano, como el original: 200 si el token es válido y el usuario sigue activo."""
    return "Token válido y usuario activo"


@router.post("/auth/refrescar", response_model=Respuesta[LoginResponse], responses=ERRORES)
async def refrescar(usuario: UsuarioDep, session: SessionDep, settings: SettingsDep):
    """Cambia un token aún válido por uno nuevo (para clientes móviles), mientras el usuario siga activo y
    la sesión no supere su duración máxima desde el último ingreso con contraseña."""
    if usuario.sesion_desde is None or datetime.now(UTC) - usuario.sesion_desde > seguridad.SESION_MAXIMA:
        raise NoAutenticado("la sesión superó su duración máxima: inicie sesión de nuevo")
    fila = await servicio.usuario_con_rol(session, usuario.id)
    return ok(servicio.emitir_sesion(settings, fila, usuario.sesion_desde), "Token renovado correctamente")
