"""`/auth`: log in with DNI and password, validate a token."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pendientes.api.deps import SessionDep, SettingsDep, UsuarioDep
from pendientes.api.respuesta import Respuesta, ok
from pendientes.db import models as m
from pendientes.errores import NoAutenticado
from pendientes.seguridad import HASH_SEÑUELO, emitir_token, verificar_password

router = APIRouter(tags=["auth"])


class LoginRequest(BaseModel):
    dni: str = Field(min_length=1, max_length=20)
    password: str = Field(min_length=1, max_length=200)


class LoginResponse(BaseModel):
    token: str
    nombre: str
    email: str
    rol: str
    expiraEn: str


CREDENCIALES_INVALIDAS = "DNI o contraseña incorrectos"


@router.post("/auth", response_model=Respuesta[LoginResponse])
async def login(body: LoginRequest, session: SessionDep, settings: SettingsDep):
    """Devuelve un token con expiración. Un único 401 para cualquier fallo (sin enumerar cuentas)."""
    usuario = await session.scalar(
        select(m.Usuario).options(selectinload(m.Usuario.rol)).where(m.Usuario.dni == body.dni)
    )
    # Verify against a decoy hash when the user is unknown, so timing does not reveal accounts.
    valido = verificar_password(usuario.password_hash if usuario else HASH_SEÑUELO, body.password)
    if not (usuario and valido and usuario.vigente and usuario.rol.vigente):
        raise NoAutenticado(CREDENCIALES_INVALIDAS)
    token, expira = emitir_token(
        usuario.id, usuario.rol.nombre, settings.jwt_secret.get_secret_value(), settings.jwt_expiry_minutes
    )
    datos = LoginResponse(
        token=token,
        nombre=usuario.nombre,
        email=usuario.email,
        rol=usuario.rol.nombre,
        expiraEn=expira.isoformat(),
    )
    return ok(datos, "Sesión iniciada correctamente")


@router.get("/auth/validar-token", response_class=PlainTextResponse)
async def validar_token(usuario: UsuarioDep) -> str:
    """Texto plano, como el original: 200 si el token es válido y el usuario sigue activo."""
    return "Token válido y usuario activo"
