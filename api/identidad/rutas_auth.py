"""`/auth`: log in with DNI and password, validate a token, refresh it."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from api.comun.deps import SessionDep, SettingsDep, UsuarioDep
from api.comun.respuesta import Respuesta, ok
from api.identidad.esquemas import LoginRequest, LoginResponse
from db import identidad
from db import models as m
from domain.errores import NoAutenticado
from infra import seguridad
from infra.config import Settings

router = APIRouter(tags=["auth"])

CREDENCIALES_INVALIDAS = "DNI o contraseña incorrectos"

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Credenciales o token inválidos (un solo mensaje)"},
    422: {"model": Respuesta[dict], "description": "Cuerpo inválido (data.campo lo nombra)"},
    429: {
        "model": Respuesta[dict],
        "description": "Demasiados fallos (dirección, DNI en esa dirección o DNI): Retry-After y "
        "data.reintentarEnSegundos dicen cuándo reintentar",
    },
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


def direccion_de(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy, run uvicorn with --proxy-headers and
    --forwarded-allow-ips so this is the real client, not the proxy)."""
    return request.client.host if request.client else "desconocida"


def respuesta_frenada(error: identidad.Frenado) -> JSONResponse:
    """The 429 envelope, with `Retry-After` so generic clients know when to come back."""
    cuerpo = {"success": False, "code": 429, "message": error.mensaje, "data": error.data}
    return JSONResponse(cuerpo, status_code=429, headers={"Retry-After": str(error.segundos)})


@router.post("/auth", response_model=Respuesta[LoginResponse], responses=ERRORES)
async def login(body: LoginRequest, request: Request, session: SessionDep, settings: SettingsDep):
    """Devuelve un token con expiración. Un único 401 para DNI desconocido, contraseña errónea o usuario
    inactivo (sin enumerar cuentas). Demasiados fallos desde una dirección, o para un DNI, dan 429 con
    `Retry-After` sin evaluar la contraseña."""
    usuario = await session.scalar(
        select(m.Usuario).options(joinedload(m.Usuario.rol)).where(m.Usuario.dni == body.dni)
    )
    await session.commit()  # the limits below commit on their own; nothing of ours stays open

    async def comprobar() -> bool:
        # Verify against a decoy hash when the user is unknown, so timing does not reveal accounts.
        hash_guardado = usuario.password_hash if usuario else seguridad.HASH_SEÑUELO
        valido = await seguridad.verificar(
            hash_guardado, body.password.get_secret_value(), settings.hash_concurrencia
        )
        return bool(usuario and valido and usuario.vigente and usuario.rol.vigente)

    try:
        valido = await identidad.intentar_login(
            session, body.dni, direccion_de(request), settings.login_fallos_por_direccion, comprobar
        )
    except identidad.Frenado as error:
        return respuesta_frenada(error)
    if not valido:
        raise NoAutenticado(CREDENCIALES_INVALIDAS)
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
