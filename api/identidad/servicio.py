"""Every read and write of identidad: sessions, usuarios, roles, módulos (menus), empleados and cargos.
The routes validate, call these and answer; the rules shared with the demo, the CLI and the activities
(login limits, last-administrator guard, menu sync, duplicates as 409s) stay in db/identidad.py.

Lookups answer 404 for an unknown or deleted id, naming the field when the id came in the body."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from api.identidad.esquemas import (
    CargoCrear,
    EmpleadoCrear,
    LoginResponse,
    ModuloCrear,
    RolCrear,
    UsuarioCrear,
)
from db import identidad
from db import models as m
from domain.errores import Conflicto, DatosInvalidos, NoAutenticado, NoEncontrado
from infra import seguridad
from infra.config import Settings


def _ahora() -> datetime:
    return datetime.now(UTC)


# --- Sessions --------------------------------------------------------------------------------------


async def usuario_por_dni(session: AsyncSession, dni: str) -> m.Usuario | None:
    """The account of `dni` (any state: the login decides), with its role."""
    usuario = await session.scalar(
        select(m.Usuario).options(joinedload(m.Usuario.rol)).where(m.Usuario.dni == dni)
    )
    await session.commit()  # the login limits commit on their own; nothing of ours stays open
    return usuario


async def usuario_con_rol(session: AsyncSession, usuario_id: int) -> m.Usuario:
    return await session.get(m.Usuario, usuario_id, options=[joinedload(m.Usuario.rol)])


CREDENCIALES_INVALIDAS = "DNI o contraseña incorrectos"


async def iniciar_sesion(
    session: AsyncSession, settings: Settings, dni: str, password: str, direccion: str
) -> LoginResponse:
    """A new session for this DNI and password (the API's /auth and the board's login). One
    NoAutenticado for an unknown DNI, a wrong password or an inactive user (no account is revealed);
    db.identidad.Frenado, without evaluating the password, past the login limits."""
    usuario = await usuario_por_dni(session, dni)

    async def comprobar() -> bool:
        # Verify against a decoy hash when the user is unknown, so timing does not reveal accounts.
        hash_guardado = usuario.password_hash if usuario else seguridad.HASH_SEÑUELO
        valido = await seguridad.verificar(hash_guardado, password, settings.hash_concurrencia)
        return bool(usuario and valido and usuario.vigente and usuario.rol.vigente)

    if not await identidad.intentar_login(
        session, dni, direccion, settings.login_fallos_por_direccion, comprobar
    ):
        raise NoAutenticado(CREDENCIALES_INVALIDAS)
    return emitir_sesion(settings, usuario)


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
        token=token, nombre=usuario.nombre, email=usuario.email, rol=usuario.rol.nombre, expira_en=expira
    )


async def usuario_para_verificar(session: AsyncSession, usuario_id: int) -> m.Usuario:
    """The caller's row before a password check (the limits commit on their own, so ours ends here)."""
    fila = await usuario(session, usuario_id)
    await session.commit()
    return fila


async def cambiar_password(session: AsyncSession, fila: m.Usuario, nueva: str, concurrencia: int) -> None:
    fila.password_hash = await seguridad.hashear(nueva, concurrencia)
    await identidad.guardar(session)


# --- Usuarios --------------------------------------------------------------------------------------


def _usuarios() -> Select:
    return select(m.Usuario).options(joinedload(m.Usuario.rol), joinedload(m.Usuario.empleado))


async def usuario(session: AsyncSession, usuario_id: int) -> m.Usuario:
    fila = await session.scalar(
        _usuarios()
        .where(m.Usuario.id == usuario_id, m.Usuario.eliminado_en.is_(None))
        .execution_options(populate_existing=True)
    )
    if fila is None:
        raise NoEncontrado(f"usuario {usuario_id} no encontrado", {"id": usuario_id})
    return fila


async def usuarios(session: AsyncSession) -> Sequence[m.Usuario]:
    """Every user not deleted, active or not."""
    filas = await session.scalars(_usuarios().where(m.Usuario.eliminado_en.is_(None)).order_by(m.Usuario.id))
    return filas.all()


async def _empleado_vinculable(session: AsyncSession, empleado_id: int) -> m.Empleado:
    empleado = await session.get(m.Empleado, empleado_id)
    if empleado is None or not empleado.vigente:
        raise NoEncontrado(f"empleado {empleado_id} no encontrado", {"campo": "empleadoId"})
    return empleado


async def crear_usuario(session: AsyncSession, body: UsuarioCrear) -> m.Usuario:
    await rol(session, body.id_rol, campo="idRol")
    if body.empleado_id is not None:
        await _empleado_vinculable(session, body.empleado_id)
    fila = m.Usuario(
        nombre=body.nombre,
        dni=body.dni,
        email=body.email,
        password_hash=await seguridad.hashear(body.password.get_secret_value()),
        rol_id=body.id_rol,
        empleado_id=body.empleado_id,
        vigente=body.activo,
    )
    session.add(fila)
    await identidad.guardar(session)
    return await usuario(session, fila.id)


# Body field -> column of usuarios.
_COLUMNAS_USUARIO = {
    "nombre": "nombre",
    "dni": "dni",
    "email": "email",
    "activo": "vigente",
    "id_rol": "rol_id",
    "empleado_id": "empleado_id",
}


async def editar_usuario(session: AsyncSession, usuario_id: int, cambios: dict[str, Any]) -> m.Usuario:
    """Apply the fields present in `cambios`; a new password replaces the hash (and so its tokens)."""
    fila = await usuario(session, usuario_id)
    if "id_rol" in cambios:
        await rol(session, cambios["id_rol"], campo="idRol")
    elif cambios.get("activo") and not fila.rol.vigente:
        raise Conflicto("su rol fue eliminado: asigne otro rol para activarlo", {"campo": "idRol"})
    if cambios.get("empleado_id") is not None:
        await _empleado_vinculable(session, cambios["empleado_id"])
    if "password" in cambios:
        fila.password_hash = await seguridad.hashear(cambios["password"].get_secret_value())
    for campo, columna in _COLUMNAS_USUARIO.items():
        if campo in cambios:
            setattr(fila, columna, cambios[campo])
    await identidad.guardar(session, cuidar_admin=True)
    return await usuario(session, usuario_id)


async def eliminar_usuario(session: AsyncSession, usuario_id: int) -> None:
    """Soft: it no longer logs in nor acts, and its empleado is free for another account."""
    fila = await usuario(session, usuario_id)
    fila.vigente = False
    fila.eliminado_en = _ahora()
    fila.empleado_id = None
    await identidad.guardar(session, cuidar_admin=True)


# --- Roles -----------------------------------------------------------------------------------------


async def rol(session: AsyncSession, rol_id: str, campo: str = "id") -> m.Rol:
    fila = await session.get(m.Rol, rol_id)
    if fila is None or not fila.vigente:
        raise NoEncontrado(f"rol {rol_id} no encontrado", {"campo": campo})
    return fila


async def roles(session: AsyncSession) -> Sequence[m.Rol]:
    return (await session.scalars(select(m.Rol).where(m.Rol.vigente.is_(True)).order_by(m.Rol.id))).all()


async def crear_rol(session: AsyncSession, body: RolCrear) -> m.Rol:
    fila = m.Rol(id=body.id, nombre=body.nombre, descripcion=body.descripcion, permisos=body.permisos)
    session.add(fila)
    await identidad.guardar(session)
    return fila


async def editar_rol(session: AsyncSession, rol_id: str, cambios: dict[str, Any]) -> m.Rol:
    """The id is immutable: a different `id` among `cambios` is a 422 (after the 404 of an unknown role)."""
    fila = await rol(session, rol_id)
    if cambios.pop("id", rol_id) != rol_id:
        raise DatosInvalidos("el id de un rol no se puede cambiar", {"campo": "id"})
    for campo, valor in cambios.items():
        setattr(fila, campo, valor)
    await identidad.guardar(session, cuidar_admin=True)
    return fila


async def eliminar_rol(session: AsyncSession, rol_id: str) -> None:
    """Soft; 409 while an active user holds it."""
    fila = await rol(session, rol_id)
    en_uso = await session.scalar(
        select(func.count()).where(m.Usuario.rol_id == rol_id, m.Usuario.vigente.is_(True))
    )
    if en_uso:
        raise Conflicto(
            f"el rol está asignado a {en_uso} usuario(s) activo(s): reasígnelos antes", {"usuarios": en_uso}
        )
    fila.vigente = False
    await identidad.guardar(session)


# --- Módulos (menu entries) ------------------------------------------------------------------------


def _modulos() -> Select:
    return select(m.Modulo).options(joinedload(m.Modulo.padre))


async def modulo(session: AsyncSession, modulo_id: int, campo: str = "id") -> m.Modulo:
    fila = await session.scalar(
        _modulos()
        .where(m.Modulo.id == modulo_id, m.Modulo.eliminado_en.is_(None))
        .execution_options(populate_existing=True)
    )
    if fila is None:
        raise NoEncontrado(f"módulo {modulo_id} no encontrado", {"campo": campo})
    return fila


async def modulos(session: AsyncSession) -> Sequence[m.Modulo]:
    """Every module not deleted, active or not."""
    filas = await session.scalars(_modulos().where(m.Modulo.eliminado_en.is_(None)).order_by(m.Modulo.id))
    return filas.all()


async def menu_de_rol(session: AsyncSession, rol_id: str) -> Sequence[m.Modulo]:
    """The active modules the role sees."""
    consulta = (
        _modulos()
        .join(m.ModuloRol, m.ModuloRol.modulo_id == m.Modulo.id)
        .where(m.ModuloRol.rol_id == rol_id, m.Modulo.vigente.is_(True))
        .order_by(m.Modulo.id)
    )
    return (await session.scalars(consulta)).all()


async def sincronizar_menu(session: AsyncSession, rol_id: str, modulo_ids: list[int]) -> None:
    """The role sees exactly these modules and their ancestors."""
    await rol(session, rol_id, campo="rolId")
    await identidad.sincronizar_menu(session, rol_id, modulo_ids)
    await identidad.guardar(session)


async def crear_modulo(session: AsyncSession, body: ModuloCrear) -> m.Modulo:
    if body.modulo_padre_id is not None:
        await modulo(session, body.modulo_padre_id, campo="moduloPadreId")
    fila = m.Modulo(**body.model_dump(exclude={"activo"}), vigente=body.activo)
    session.add(fila)
    await identidad.guardar(session)
    return await modulo(session, fila.id)


async def editar_modulo(session: AsyncSession, modulo_id: int, cambios: dict[str, Any]) -> m.Modulo:
    """A new parent must exist and must not be the module itself or one of its descendants."""
    fila = await modulo(session, modulo_id)
    padre = cambios.get("modulo_padre_id")
    if padre is not None:
        await modulo(session, padre, campo="moduloPadreId")
        if modulo_id in identidad.ancestros(await identidad.padres_de_modulos(session), padre):
            raise DatosInvalidos(
                "un módulo no puede colgar de sí mismo ni de un descendiente", {"campo": "moduloPadreId"}
            )
    if "activo" in cambios:
        cambios["vigente"] = cambios.pop("activo")
    for campo, valor in cambios.items():
        setattr(fila, campo, valor)
    await identidad.guardar(session)
    return await modulo(session, modulo_id)


async def eliminar_modulo(session: AsyncSession, modulo_id: int) -> None:
    """Soft; 409 while it has submodules."""
    fila = await modulo(session, modulo_id)
    hijos = await session.scalar(
        select(func.count()).where(m.Modulo.modulo_padre_id == modulo_id, m.Modulo.eliminado_en.is_(None))
    )
    if hijos:
        raise Conflicto(
            f"el módulo tiene {hijos} submódulo(s): elimínelos o muévalos antes", {"hijos": hijos}
        )
    fila.vigente = False
    fila.eliminado_en = _ahora()
    await identidad.guardar(session)


# --- Cargos ----------------------------------------------------------------------------------------


async def cargo(session: AsyncSession, cargo_id: int, campo: str = "id") -> m.Cargo:
    fila = await session.get(m.Cargo, cargo_id)
    if fila is None or not fila.vigente:
        raise NoEncontrado(f"cargo {cargo_id} no encontrado", {"campo": campo})
    return fila


async def cargos(session: AsyncSession) -> Sequence[m.Cargo]:
    filas = await session.scalars(select(m.Cargo).where(m.Cargo.vigente.is_(True)).order_by(m.Cargo.id))
    return filas.all()


async def crear_cargo(session: AsyncSession, body: CargoCrear) -> m.Cargo:
    fila = m.Cargo(nombre=body.nombre, descripcion=body.descripcion)
    session.add(fila)
    await identidad.guardar(session)
    return fila


async def editar_cargo(session: AsyncSession, cargo_id: int, cambios: dict[str, Any]) -> m.Cargo:
    fila = await cargo(session, cargo_id)
    for campo, valor in cambios.items():
        setattr(fila, campo, valor)
    await identidad.guardar(session)
    return fila


async def eliminar_cargo(session: AsyncSession, cargo_id: int) -> None:
    """Soft; 409 while an active empleado holds it."""
    fila = await cargo(session, cargo_id)
    en_uso = await session.scalar(
        select(func.count()).where(m.Empleado.cargo_id == cargo_id, m.Empleado.vigente.is_(True))
    )
    if en_uso:
        raise Conflicto(f"el cargo lo tienen {en_uso} empleado(s): cámbielos antes", {"empleados": en_uso})
    fila.vigente = False
    await identidad.guardar(session)


# --- Empleados -------------------------------------------------------------------------------------


def _empleados() -> Select:
    return select(m.Empleado).options(joinedload(m.Empleado.cargo)).where(m.Empleado.vigente.is_(True))


async def empleado(session: AsyncSession, empleado_id: int) -> m.Empleado:
    fila = await session.scalar(
        _empleados().where(m.Empleado.id == empleado_id).execution_options(populate_existing=True)
    )
    if fila is None:
        raise NoEncontrado(f"empleado {empleado_id} no encontrado", {"id": empleado_id})
    return fila


async def empleados(session: AsyncSession) -> Sequence[m.Empleado]:
    return (await session.scalars(_empleados().order_by(m.Empleado.id))).all()


async def crear_empleado(session: AsyncSession, body: EmpleadoCrear) -> m.Empleado:
    await cargo(session, body.cargo_id, campo="cargoId")
    fila = m.Empleado(**body.model_dump())
    session.add(fila)
    await identidad.guardar(session)
    return await empleado(session, fila.id)


async def editar_empleado(session: AsyncSession, empleado_id: int, cambios: dict[str, Any]) -> m.Empleado:
    fila = await empleado(session, empleado_id)
    if "cargo_id" in cambios:
        await cargo(session, cambios["cargo_id"], campo="cargoId")
    for campo, valor in cambios.items():
        setattr(fila, campo, valor)
    await identidad.guardar(session)
    return await empleado(session, empleado_id)


async def eliminar_empleado(session: AsyncSession, empleado_id: int) -> None:
    """Soft; 409 while a user is linked to it (unlink or delete that user first)."""
    fila = await empleado(session, empleado_id)
    vinculado = await session.scalar(
        select(m.Usuario.id).where(m.Usuario.empleado_id == empleado_id, m.Usuario.eliminado_en.is_(None))
    )
    if vinculado is not None:
        mensaje = "el empleado está vinculado a un usuario: desvincúlelo antes"
        raise Conflicto(mensaje, {"usuarioId": vinculado})
    fila.vigente = False
    await identidad.guardar(session)
