"""Dependencies as Annotated aliases, so a route reads as a plain function of what it needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from pendientes.comandos import Comandos
from pendientes.config import Settings
from pendientes.db import models as m
from pendientes.domain.permisos import Permiso
from pendientes.errores import NoAutenticado, SinPermiso
from pendientes.seguridad import Cifrador, leer_token
from pendientes.workflows.mensajes import ActorMsg


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


@dataclass(frozen=True)
class UsuarioActual:
    """The caller, re-read from Postgres on every request so deactivation and role edits apply at once."""

    id: int
    nombre: str
    rol: str
    empleado_id: int | None
    permisos: frozenset[Permiso]

    def tiene(self, *permisos: Permiso) -> bool:
        return any(p in self.permisos for p in permisos)

    def actor(self) -> ActorMsg:
        return ActorMsg(
            usuario_id=self.id, empleado_id=self.empleado_id, nombre=self.nombre, permisos=self.permisos
        )


async def get_usuario_actual(
    session: SessionDep,
    settings: SettingsDep,
    credenciales: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> UsuarioActual:
    if credenciales is None:
        raise NoAutenticado("falta el token de acceso (Authorization: Bearer ...)")
    usuario_id = leer_token(credenciales.credentials, settings.jwt_secret.get_secret_value())
    if usuario_id is None:
        raise NoAutenticado("token inválido o expirado")
    usuario = await session.scalar(
        select(m.Usuario).options(selectinload(m.Usuario.rol)).where(m.Usuario.id == usuario_id)
    )
    if usuario is None or not usuario.vigente or not usuario.rol.vigente:
        raise NoAutenticado("token inválido o expirado")
    return UsuarioActual(
        id=usuario.id,
        nombre=usuario.nombre,
        rol=usuario.rol.nombre,
        empleado_id=usuario.empleado_id,
        permisos=frozenset(Permiso(p) for p in usuario.rol.permisos),
    )


UsuarioDep = Annotated[UsuarioActual, Depends(get_usuario_actual)]


def requiere(*permisos: Permiso):
    """A dependency that lets the route run only for callers holding any one of `permisos`."""

    async def _verificar(usuario: UsuarioDep) -> UsuarioActual:
        if not usuario.tiene(*permisos):
            nombres = " o ".join(permisos)
            raise SinPermiso(f"se requiere el permiso {nombres}", {"permisos": list(permisos)})
        return usuario

    return Depends(_verificar)
