"""Dependencies as Annotated aliases, so a route reads as a plain function of what it needs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.pendientes.comandos import Comandos
from contrato.mensajes import ActorMsg
from db import models as m
from domain.errores import NoAutenticado, SinPermiso
from domain.permisos import Permiso
from infra.config import Settings
from infra.logs import contexto
from infra.seguridad import Carga, Cifrador, huella_password, leer_token

F = TypeVar("F", bound=Callable[..., Any])

# The plain dependencies are `async def`: FastAPI runs a plain `def` dependency in its thread pool, a
# thread hand-off per dependency and request for a getter.


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def solo_lectura(ruta: F) -> F:
    """Marks a route whose database session only reads (a list, a read, an action, whose change the
    workflow writes): its session runs each statement in autocommit, so it sends no BEGIN and no ROLLBACK
    (two round trips of every request). Under READ COMMITTED each statement of a transaction sees its own
    snapshot anyway, so the answers are the same. Below `@router.get(...)`."""
    ruta.solo_lectura = True  # type: ignore[attr-defined]
    return ruta


def _es_de_lectura(request: Request) -> bool:
    # The router has matched by now: the scope names the route's function.
    return getattr(request.scope.get("endpoint"), "solo_lectura", False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    estado = request.app.state
    fabrica = estado.lecturas if _es_de_lectura(request) else estado.sessions
    async with fabrica() as session:
        yield session


async def get_comandos(request: Request) -> Comandos:
    return request.app.state.comandos


async def get_cifrador(request: Request) -> Cifrador:
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


@lru_cache(maxsize=4096)
def _firma_valida(token: str, clave: str) -> Carga | None:
    """The token's claims if its signature is ours. A token's text and our key fix the answer, so it is
    computed once per token; the expiry, which depends on the hour, is checked on every use."""
    return leer_token(token, clave)


def _carga(token: str, clave: str) -> Carga | None:
    carga = _firma_valida(token, clave)
    if carga is None or (carga.expira is not None and carga.expira <= datetime.now(UTC)):
        return None
    return carga


_U, _R, _E = m.Usuario.__table__, m.Rol.__table__, m.Empleado.__table__
# The caller, their role and their employee as plain columns in one statement, built once: it runs on
# every authenticated request.
_QUIEN = (
    select(
        _U.c.id,
        _U.c.nombre,
        _U.c.email,
        _U.c.vigente,
        _U.c.password_hash,
        _U.c.rol_id,
        _R.c.nombre.label("rol_nombre"),
        _R.c.vigente.label("rol_vigente"),
        _R.c.permisos,
        _E.c.id.label("empleado_id"),
        _E.c.vigente.label("empleado_vigente"),
    )
    .select_from(_U.join(_R, _R.c.id == _U.c.rol_id).outerjoin(_E, _E.c.id == _U.c.empleado_id))
    .where(_U.c.id == bindparam("usuario_id"))
)


async def usuario_de_token(session: AsyncSession, settings: Settings, token: str) -> UsuarioActual:
    """Who a token (the API's bearer, the board's cookie) belongs to, as of now; NoAutenticado if nobody.
    The user, role and employee are read on every call (no cache): a deactivation, a role change or a
    password change applies to the very next request."""
    carga = _carga(token, settings.jwt_secret.get_secret_value())
    if carga is None:
        raise NoAutenticado(TOKEN_INVALIDO)
    usuario = (await session.execute(_QUIEN, {"usuario_id": carga.usuario_id})).first()
    # Deactivated, deleted, role deleted, or password changed since the token was issued.
    if (
        usuario is None
        or not usuario.vigente
        or not usuario.rol_vigente
        or huella_password(usuario.password_hash) != carga.huella
    ):
        raise NoAutenticado(TOKEN_INVALIDO)
    if (datos := contexto.get()) is not None:  # the request's log lines say who asked from here on
        datos["usuario_id"] = usuario.id
    return UsuarioActual(
        id=usuario.id,
        nombre=usuario.nombre,
        rol=usuario.rol_nombre,
        empleado_id=usuario.empleado_id if usuario.empleado_vigente else None,
        permisos=frozenset(Permiso(p) for p in usuario.permisos),
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
