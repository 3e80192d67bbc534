"""Dependencies as Annotated aliases, so a route reads as a plain function of what it needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from api.pendientes.comandos import Comandos
from contrato.mensajes import ActorMsg
from db import models as m
from domain.errores import NoAutenticado, SinPermiso
from domain.permisos import Permiso
from infra.config import Settings
from infra.logs import contexto
from infra.seguridad import Cifrador, huella_password, leer_token


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        yield session


def get_comandos(request: Request) -> Comandos:
    return request.app.state.comandos


def get_cifrador(request: Request) -> Cifrador:
    return request.app.state.cifrador


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
ComandosDep = Annotated[Comandos, Depends(get_comandos)]
CifradorDep = Annotated[Cifrador, Depends(get_cifrador)]

_bearer = HTTPBearer(auto_error=False, description="Token de `POST /auth`")
# The bearer credentials as sent (None without them), for a route that accepts more than a user's token.
CredencialesDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


@dataclass(frozen=True)
class UsuarioActual:
    """The caller, re-read from Postgres on every request so deactivation, password changes and role
    edits apply at once. `empleado_id` is the linked active empleado: the actor recorded in historial."""

    id: int
    nombre: str
    rol: str
    empleado_id: int | None
    permisos: frozenset[Permiso]
    rol_id: str = ""
    email: str = ""
    # When the password was typed (login); a refresh keeps it, so a session cannot be stretched forever.
    sesion_desde: datetime | None = None

    def tiene(self, *permisos: Permiso) -> bool:
        return any(p in self.permisos for p in permisos)

    def actor(self) -> ActorMsg:
        return ActorMsg(
            usuario_id=self.id, empleado_id=self.empleado_id, nombre=self.nombre, permisos=self.permisos
        )


TOKEN_INVALIDO = "token inválido o expirado"


async def get_usuario_actual(
    session: SessionDep,
    settings: SettingsDep,
    credenciales: CredencialesDep,
) -> UsuarioActual:
    """The one way a route learns who calls: every protected route depends on this (or on `requiere`)."""
    if credenciales is None:
        raise NoAutenticado("falta el token de acceso (Authorization: Bearer ...)")
    return await usuario_de_token(session, settings, credenciales.credentials)


async def usuario_de_token(session: AsyncSession, settings: Settings, token: str) -> UsuarioActual:
    """Who a token (the API's bearer, the board's cookie) belongs to, as of now; NoAutenticado if nobody."""
    carga = leer_token(token, settings.jwt_secret.get_secret_value())
    if carga is None:
        raise NoAutenticado(TOKEN_INVALIDO)
    usuario = await session.scalar(
        select(m.Usuario)
        .options(joinedload(m.Usuario.rol), joinedload(m.Usuario.empleado))
        .where(m.Usuario.id == carga.usuario_id)
    )
    # Deactivated, deleted, role deleted, or password changed since the token was issued.
    if (
        usuario is None
        or not usuario.vigente
        or not usuario.rol.vigente
        or huella_password(usuario.password_hash) != carga.huella
    ):
        raise NoAutenticado(TOKEN_INVALIDO)
    empleado = usuario.empleado if usuario.empleado is not None and usuario.empleado.vigente else None
    if (datos := contexto.get()) is not None:  # the request's log lines say who asked from here on
        datos["usuario_id"] = usuario.id
    return UsuarioActual(
        id=usuario.id,
        nombre=usuario.nombre,
        rol=usuario.rol.nombre,
        empleado_id=empleado.id if empleado else None,
        permisos=frozenset(Permiso(p) for p in usuario.rol.permisos),
        rol_id=usuario.rol_id,
        email=usuario.email,
        sesion_desde=carga.inicio,
    )


UsuarioDep = Annotated[UsuarioActual, Depends(get_usuario_actual)]


def requiere(*permisos: Permiso):
    """A dependency that lets the route run only for callers holding any one of `permisos`:
    `usuario: Annotated[UsuarioActual, requiere(Permiso.X, Permiso.Y)]`."""

    async def _verificar(usuario: UsuarioDep) -> UsuarioActual:
        if not usuario.tiene(*permisos):
            nombres = " o ".join(permisos)
            raise SinPermiso(f"se requiere el permiso {nombres}", {"permisos": list(permisos)})
        return usuario

    return Depends(_verificar)


# Every write on usuarios, roles, módulos, empleados and cargos.
AdminDep = Annotated[UsuarioActual, requiere(Permiso.ADMINISTRAR)]
