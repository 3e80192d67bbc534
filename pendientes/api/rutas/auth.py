"""`/auth`: log in with DNI and password, validate a token, refresh it."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from pendientes import identidad, seguridad
from pendientes.api.deps import SessionDep, SettingsDep, UsuarioDep
from pendientes.api.esquemas_identidad import LoginRequest, LoginResponse
from pendientes.api.respuesta import Respuesta, ok
from pendientes.config import Settings
from pendientes.db import models as m
from pendientes.errores import NoAutenticado

router = APIRouter(tags=["auth"])

CREDENCIALES_INVALIDAS = "DNI o contraseña incorrectos"

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Credenciales o token inválidos (un solo mensaje)"},
    422: {"model": Respuesta[dict], "description": "Cuerpo inválido (data.campo lo nombra)"},
    429: {"model": Respuesta[dict], "description": "DNI bloqueado por intentos fallidos"},
}


def emitir_sesion(settings: Settings, usuario: m.Usuario, inicio: datetime | None = None) -> LoginResponse:
    """A token for `usuario` (its role loaded). `inicio`: when the session began, kept by a refresh."""
    token, expira = seguridad.emitir_token(
        usuario.id,
        usuario.rol.nombre,
        seguridad.huella_password(usuario.password_hash),
        settings.jwt_secret.get_secret_value(),
        settings.jwt_expiry_minutes,
        inicio,
    )
    return LoginResponse(
        token=token,
        nombre=usuario.nombre,
        email=usuario.email,
        rol=usuario.rol.nombre,
        expira_en=expira.isoformat(),
    )


@router.post("/auth", response_model=Respuesta[LoginResponse], responses=ERRORES)
async def login(body: LoginRequest, session: SessionDep, settings: SettingsDep):
    """Devuelve un token con expiración. Un único 401 para DNI desconocido, contraseña errónea o usuario
    inactivo (sin enumerar cuentas). Tras varios fallos seguidos el DNI queda bloqueado un tiempo (429)."""
    await identidad.verificar_bloqueo(session, body.dni)
    usuario = await session.scalar(
        select(m.Usuario).options(joinedload(m.Usuario.rol)).where(m.Usuario.dni == body.dni)
    )
    # Verify against a decoy hash when the user is unknown, so timing does not reveal accounts.
    hash_guardado = usuario.password_hash if usuario else seguridad.HASH_SEÑUELO
    valido = seguridad.verificar_password(hash_guardado, body.password.get_secret_value())
    if not (usuario and valido and usuario.vigente and usuario.rol.vigente):
        await identidad.registrar_fallo(session, body.dni)
        raise NoAutenticado(CREDENCIALES_INVALIDAS)
    await identidad.olvidar_fallos(session, body.dni)
    return ok(emitir_sesion(settings, usuario), "Sesión iniciada correctamente")


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
    fila = await session.get(m.Usuario, usuario.id, options=[joinedload(m.Usuario.rol)])
    return ok(emitir_sesion(settings, fila, usuario.sesion_desde), "Token renovado correctamente")
