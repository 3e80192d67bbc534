"""Identity rules that need the database, shared by the API, the demo loader and the CLI: the login
lockout, the last-administrator guard, role menus, and unique-constraint violations as 409s."""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import case, delete, exists, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pendientes import seguridad
from pendientes.db import models as m
from pendientes.domain.permisos import Permiso
from pendientes.errores import Conflicto, DemasiadosIntentos, NoEncontrado

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


# --- Login lockout, per DNI ------------------------------------------------------------------------


async def verificar_bloqueo(session: AsyncSession, dni: str) -> None:
    """429 while the DNI is locked. Checked before the password, so a locked DNI reveals nothing."""
    hasta = await session.scalar(select(m.IntentoLogin.bloqueado_hasta).where(m.IntentoLogin.dni == dni))
    ahora = datetime.now(UTC)
    if hasta is not None and hasta > ahora:
        segundos = math.ceil((hasta - ahora).total_seconds())
        raise DemasiadosIntentos(
            "demasiados intentos fallidos: vuelva a intentarlo más tarde", {"reintentarEnSegundos": segundos}
        )


async def registrar_fallo(session: AsyncSession, dni: str) -> None:
    """Count a failure (one atomic upsert, safe under concurrent attempts); the MAX_INTENTOS-th failure
    within VENTANA_INTENTOS locks the DNI for BLOQUEO."""
    ahora = datetime.now(UTC)
    t = m.IntentoLogin
    seguido = case((t.ultimo_fallo > ahora - seguridad.VENTANA_INTENTOS, t.fallos + 1), else_=1)
    fallos = await session.scalar(
        insert(t)
        .values(dni=dni, fallos=1, ultimo_fallo=ahora)
        .on_conflict_do_update(index_elements=[t.dni], set_={"fallos": seguido, "ultimo_fallo": ahora})
        .returning(t.fallos)
    )
    if fallos >= seguridad.MAX_INTENTOS:
        await session.execute(
            update(t).where(t.dni == dni).values(fallos=0, bloqueado_hasta=ahora + seguridad.BLOQUEO)
        )
    await session.commit()


async def olvidar_fallos(session: AsyncSession, dni: str) -> None:
    await session.execute(delete(m.IntentoLogin).where(m.IntentoLogin.dni == dni))
    await session.commit()


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
