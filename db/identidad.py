"""Identity rules that need the database, shared by the API, the demo loader and the CLI: the login
limits, the last-administrator guard, role menus, and unique-constraint violations as 409s."""

from __future__ import annotations

import math
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, case, delete, exists, func, not_, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from domain.errores import Conflicto, DemasiadosIntentos, NoEncontrado
from domain.permisos import Permiso
from infra import seguridad

# Unique constraints of the identity tables -> (field named in the 409, message).
_UNICOS = {
    "uq_usuarios_nombre": ("nombre", "ya existe un usuario con ese nombre"),
    "uq_usuarios_dni": ("dni", "ya existe un usuario con ese DNI"),
    "uq_usuarios_email": ("email", "ya existe un usuario con ese email"),
    "uq_usuarios_empleado_id": ("empleadoId", "el empleado ya está vinculado a otro usuario"),
    "pk_roles": ("id", "ya existe un rol con ese id"),
    "uq_roles_nombre": ("nombre", "ya existe un rol con ese nombre"),
    "uq_cargos_nombre": ("nombre", "ya existe un cargo con ese nombre"),
}


async def clave_de_firma(session: AsyncSession) -> bytes:
    """The actor-signing key (made on first use; concurrent first uses agree on one)."""
    await session.execute(
        insert(m.ClaveFirma).values(id=1, clave=secrets.token_bytes(32)).on_conflict_do_nothing()
    )
    clave = await session.scalar(select(m.ClaveFirma.clave).where(m.ClaveFirma.id == 1))
    await session.commit()
    return clave


async def guardar(session: AsyncSession, *, cuidar_admin: bool = False) -> None:
    """Commit, turning a duplicate into a 409 naming the field (the database decides, so concurrent
    requests cannot both win). With `cuidar_admin`, refuse a change that leaves nobody able to administer."""
    try:
        await session.flush()
    except IntegrityError as error:
        await session.rollback()
        restriccion = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
        if restriccion not in _UNICOS:
            raise
        campo, mensaje = _UNICOS[restriccion]
        raise Conflicto(mensaje, {"campo": campo}) from None
    if cuidar_admin and not await hay_admin_activo(session):
        await session.rollback()
        raise Conflicto("debe quedar al menos un usuario activo con el permiso ADMINISTRAR")
    await session.commit()


async def hay_admin_activo(session: AsyncSession) -> bool:
    return bool(
        await session.scalar(
            select(
                exists().where(
                    m.Usuario.vigente.is_(True),
                    m.Usuario.rol_id == m.Rol.id,
                    m.Rol.vigente.is_(True),
                    m.Rol.permisos.contains([Permiso.ADMINISTRAR.value]),
                )
            )
        )
    )


# --- Login limits ----------------------------------------------------------------------------------
# Three counters of failures (seguridad.Freno): per client address, per (DNI, address) and per DNI. An
# attempt reserves a slot in each before its password is evaluated -- one atomic upsert per counter, so
# concurrent attempts cannot all see "not yet" -- and a success gives its slots back. Unknown DNIs are
# counted the same way, so the limits reveal nothing about which accounts exist.


class Frenado(DemasiadosIntentos):
    """429: this attempt was not evaluated. `segundos`: when to try again (the Retry-After header)."""

    def __init__(self, segundos: int) -> None:
        super().__init__(
            "demasiados intentos fallidos: vuelva a intentarlo más tarde", {"reintentarEnSegundos": segundos}
        )
        self.segundos = segundos


@dataclass(frozen=True)
class _Llave:
    freno: seguridad.Freno
    clave: str


async def _reservar(session: AsyncSession, llave: _Llave, ahora: datetime) -> int | None:
    """Take a slot in one counter: None if taken, else the seconds to wait (it is full)."""
    t, f = m.IntentoLogin, llave.freno
    lleno = and_(t.fallos >= f.maximo, t.ultimo > ahora - f.espera)
    tomado = await session.scalar(
        insert(t)
        .values(ambito=f.ambito, clave=llave.clave, fallos=1, ultimo=ahora)
        .on_conflict_do_update(
            index_elements=[t.ambito, t.clave],
            set_={"fallos": case((t.ultimo > ahora - f.ventana, t.fallos + 1), else_=1), "ultimo": ahora},
            where=not_(lleno),
        )
        .returning(t.fallos)
    )
    await session.commit()
    if tomado is not None:
        return None
    ultimo = await session.scalar(select(t.ultimo).where(t.ambito == f.ambito, t.clave == llave.clave))
    await session.commit()
    return max(1, math.ceil((ultimo + f.espera - ahora).total_seconds())) if ultimo else 1


async def _devolver(session: AsyncSession, llaves: list[_Llave]) -> None:
    t = m.IntentoLogin
    for llave in llaves:
        await session.execute(
            update(t)
            .where(t.ambito == llave.freno.ambito, t.clave == llave.clave)
            .values(fallos=func.greatest(t.fallos - 1, 0))
        )
    await session.commit()


async def _conocida(session: AsyncSession, par: str, ahora: datetime) -> bool:
    t = m.IntentoLogin
    return bool(
        await session.scalar(
            select(
                exists().where(
                    t.ambito == "conocida", t.clave == par, t.ultimo > ahora - seguridad.DIRECCION_CONOCIDA
                )
            )
        )
    )


async def intentar_login(
    session: AsyncSession,
    dni: str,
    direccion: str,
    fallos_por_direccion: int,
    comprobar: Callable[[], Awaitable[bool]],
) -> bool:
    """Evaluate a password (`comprobar`) only if every counter has room; raise Frenado otherwise. A
    failure keeps its slots (it counts); a success gives them back and remembers the address."""
    ahora = datetime.now(UTC)
    par = f"{dni}@{direccion}"
    llaves = [
        _Llave(seguridad.freno_direccion(fallos_por_direccion), direccion),
        _Llave(seguridad.FRENO_PAR, par),
    ]
    if not await _conocida(session, par, ahora):
        llaves.append(_Llave(seguridad.FRENO_DNI, dni))
    tomadas: list[_Llave] = []
    for llave in llaves:
        espera = await _reservar(session, llave, ahora)
        if espera is not None:
            await _devolver(session, tomadas)  # not evaluated: not a failure
            raise Frenado(espera)
        tomadas.append(llave)
    if not await comprobar():
        return False
    await _devolver(session, tomadas)
    await _recordar(session, par)
    return True


async def _recordar(session: AsyncSession, par: str) -> None:
    """Remember where this DNI logged in, and prune counters nobody needs any more."""
    t = m.IntentoLogin
    ahora = datetime.now(UTC)
    await session.execute(
        insert(t)
        .values(ambito="conocida", clave=par, fallos=0, ultimo=ahora)
        .on_conflict_do_update(index_elements=[t.ambito, t.clave], set_={"ultimo": ahora})
    )
    vencidos = or_(
        and_(t.ambito == "conocida", t.ultimo < ahora - seguridad.DIRECCION_CONOCIDA),
        and_(t.ambito != "conocida", t.ultimo < ahora - _RETENCION),
    )
    await session.execute(delete(t).where(vencidos))
    await session.commit()


# A counter older than every window and wait can be forgotten: it would restart at 1 anyway.
_RETENCION = max(seguridad.FRENO_PAR.ventana, seguridad.FRENO_DNI.ventana, seguridad.VENTANA_DIRECCION)


# --- Menus -----------------------------------------------------------------------------------------


def ancestros(padres: dict[int, int | None], modulo_id: int) -> list[int]:
    """The module and its ancestors, walking modulo_padre_id (stops on a cycle or a deleted parent)."""
    camino: list[int] = []
    actual: int | None = modulo_id
    while actual is not None and actual in padres and actual not in camino:
        camino.append(actual)
        actual = padres[actual]
    return camino


async def padres_de_modulos(session: AsyncSession) -> dict[int, int | None]:
    filas = await session.execute(
        select(m.Modulo.id, m.Modulo.modulo_padre_id).where(m.Modulo.eliminado_en.is_(None))
    )
    return dict(filas.all())


async def sincronizar_menu(session: AsyncSession, rol_id: str, modulo_ids: Iterable[int]) -> set[int]:
    """The role sees exactly these modules and their ancestors: missing links are added, others removed."""
    padres = await padres_de_modulos(session)
    pedidos = set(modulo_ids)
    faltan = sorted(pedidos - padres.keys())
    if faltan:
        raise NoEncontrado(
            f"módulos no encontrados: {', '.join(map(str, faltan))}", {"campo": "moduloIds", "ids": faltan}
        )
    visibles = {a for mid in pedidos for a in ancestros(padres, mid)}
    await session.execute(
        delete(m.ModuloRol).where(m.ModuloRol.rol_id == rol_id, m.ModuloRol.modulo_id.not_in(visibles))
    )
    if visibles:
        filas = [{"modulo_id": mid, "rol_id": rol_id, "permisos": "READ"} for mid in sorted(visibles)]
        await session.execute(
            insert(m.ModuloRol).values(filas).on_conflict_do_nothing(index_elements=["modulo_id", "rol_id"])
        )
    return visibles
