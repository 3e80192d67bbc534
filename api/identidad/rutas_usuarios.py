"""`/api/usuarios`: login accounts, roles (sets of permission names) and the menu módulos.

Reads of the caller's own account and menu need only a token; everything else needs ADMINISTRAR.
Static paths are declared before `/{id}` so they are never taken for an id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from api.comun.deps import AdminDep, SessionDep, SettingsDep, UsuarioDep
from api.comun.respuesta import Respuesta, ok
from api.comun.tipos import Id
from api.identidad.esquemas import (
    CambioPasswordRequest,
    EmpleadoResumen,
    LoginResponse,
    ModuloCambios,
    ModuloCrear,
    ModuloResponse,
    RolCambios,
    RolCrear,
    RolResponse,
    RolResumen,
    SyncModulosRequest,
    UsuarioCambios,
    UsuarioCrear,
    UsuarioResponse,
)
from api.identidad.rutas_auth import direccion_de, emitir_sesion, respuesta_frenada
from db import identidad
from db import models as m
from domain.errores import Conflicto, DatosInvalidos, NoEncontrado
from infra import seguridad

router = APIRouter(prefix="/api/usuarios", tags=["usuarios"])

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta el permiso ADMINISTRAR"},
    404: {"model": Respuesta[dict], "description": "Id desconocido o eliminado"},
    409: {"model": Respuesta[dict], "description": "Duplicado, en uso, o dejaría sin administrador"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
}

RolPath = Annotated[str, Path(max_length=50, pattern=r"^[a-z0-9-]+$", description="Id (slug) del rol")]


def _ahora() -> datetime:
    return datetime.now(UTC)


# --- Lookups: 404 for unknown or deleted, naming the field when the id came in the body -------------


async def _usuario(session: SessionDep, usuario_id: int) -> m.Usuario:
    usuario = await session.scalar(
        select(m.Usuario)
        .options(joinedload(m.Usuario.rol), joinedload(m.Usuario.empleado))
        .where(m.Usuario.id == usuario_id, m.Usuario.eliminado_en.is_(None))
        .execution_options(populate_existing=True)
    )
    if usuario is None:
        raise NoEncontrado(f"usuario {usuario_id} no encontrado", {"id": usuario_id})
    return usuario


async def _rol(session: SessionDep, rol_id: str, campo: str = "id") -> m.Rol:
    rol = await session.get(m.Rol, rol_id)
    if rol is None or not rol.vigente:
        raise NoEncontrado(f"rol {rol_id} no encontrado", {"campo": campo})
    return rol


async def _empleado(session: SessionDep, empleado_id: int) -> m.Empleado:
    empleado = await session.get(m.Empleado, empleado_id)
    if empleado is None or not empleado.vigente:
        raise NoEncontrado(f"empleado {empleado_id} no encontrado", {"campo": "empleadoId"})
    return empleado


async def _modulo(session: SessionDep, modulo_id: int, campo: str = "id") -> m.Modulo:
    modulo = await session.scalar(
        select(m.Modulo)
        .options(joinedload(m.Modulo.padre))
        .where(m.Modulo.id == modulo_id, m.Modulo.eliminado_en.is_(None))
        .execution_options(populate_existing=True)
    )
    if modulo is None:
        raise NoEncontrado(f"módulo {modulo_id} no encontrado", {"campo": campo})
    return modulo


# --- Responses (no password key, ever) -------------------------------------------------------------


def _rol_response(rol: m.Rol) -> RolResponse:
    return RolResponse(id=rol.id, nombre=rol.nombre, permisos=rol.permisos, descripcion=rol.descripcion)


def _usuario_response(usuario: m.Usuario) -> UsuarioResponse:
    empleado = usuario.empleado
    return UsuarioResponse(
        id=usuario.id,
        nombre=usuario.nombre,
        dni=usuario.dni,
        email=usuario.email,
        activo=usuario.vigente,
        rol=RolResumen(id=usuario.rol.id, nombre=usuario.rol.nombre, permisos=usuario.rol.permisos),
        empleado=EmpleadoResumen(
            id=empleado.id, nombre=" ".join(p for p in (empleado.nombre, empleado.apellido_paterno) if p)
        )
        if empleado
        else None,
    )


def _modulo_response(modulo: m.Modulo) -> ModuloResponse:
    return ModuloResponse(
        id=modulo.id,
        nombre=modulo.nombre,
        descripcion=modulo.descripcion,
        icono=modulo.icono,
        ruta=modulo.ruta,
        modulo_padre_id=modulo.modulo_padre_id,
        modulo_padre_nombre=modulo.padre.nombre if modulo.padre else None,
        activo=modulo.vigente,
    )


# --- The caller's own account ----------------------------------------------------------------------


@router.get("/usuario", response_model=Respuesta[UsuarioResponse], responses=ERRORES)
async def mi_usuario(usuario: UsuarioDep, session: SessionDep):
    """El usuario del token, con su rol (permisos) y su empleado."""
    return ok(_usuario_response(await _usuario(session, usuario.id)), "Usuario obtenido correctamente")


@router.put("/usuario/password", response_model=Respuesta[LoginResponse], responses=ERRORES)
async def cambiar_mi_password(
    body: CambioPasswordRequest,
    usuario: UsuarioDep,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
):
    """Cambia la contraseña propia. Devuelve un token nuevo: los emitidos antes dejan de valer.
    Los fallos de la contraseña actual cuentan para los límites del login (429 con Retry-After)."""
    fila = await _usuario(session, usuario.id)
    await session.commit()

    async def comprobar() -> bool:
        actual = body.password_actual.get_secret_value()
        return await seguridad.verificar(fila.password_hash, actual, settings.hash_concurrencia)

    try:
        valida = await identidad.intentar_login(
            session, fila.dni, direccion_de(request), settings.login_fallos_por_direccion, comprobar
        )
    except identidad.Frenado as error:
        return respuesta_frenada(error)
    if not valida:
        raise DatosInvalidos("la contraseña actual no es correcta", {"campo": "passwordActual"})
    fila.password_hash = await seguridad.hashear(
        body.password_nueva.get_secret_value(), settings.hash_concurrencia
    )
    await identidad.guardar(session)
    return ok(emitir_sesion(settings, fila), "Contraseña cambiada correctamente")


# --- Roles -----------------------------------------------------------------------------------------


@router.get("/roles", response_model=Respuesta[list[RolResponse]], responses=ERRORES)
async def listar_roles(_: AdminDep, session: SessionDep):
    roles = await session.scalars(select(m.Rol).where(m.Rol.vigente.is_(True)).order_by(m.Rol.id))
    return ok([_rol_response(r) for r in roles], "Roles obtenidos correctamente")


@router.post("/roles", status_code=201, response_model=Respuesta[RolResponse], responses=ERRORES)
async def crear_rol(body: RolCrear, _: AdminDep, session: SessionDep):
    """Crea un rol: `id` es un slug elegido por el cliente e inmutable; `permisos` son nombres."""
    rol = m.Rol(id=body.id, nombre=body.nombre, descripcion=body.descripcion, permisos=body.permisos)
    session.add(rol)
    await identidad.guardar(session)
    return ok(_rol_response(rol), "Rol creado correctamente", 201)


@router.put("/roles/{id}", response_model=Respuesta[RolResponse], responses=ERRORES)
async def editar_rol(id: RolPath, body: RolCambios, _: AdminDep, session: SessionDep):
    """Cambia nombre, descripción y permisos (efecto inmediato en los tokens de sus usuarios).
    El id no cambia: un `id` distinto en el cuerpo es un 422."""
    rol = await _rol(session, id)
    cambios = body.model_dump(exclude_unset=True)
    if cambios.pop("id", id) != id:
        raise DatosInvalidos("el id de un rol no se puede cambiar", {"campo": "id"})
    for campo, valor in cambios.items():
        setattr(rol, campo, valor)
    await identidad.guardar(session, cuidar_admin=True)
    return ok(_rol_response(rol), "Rol actualizado correctamente")


@router.delete("/roles/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_rol(id: RolPath, _: AdminDep, session: SessionDep):
    """Baja lógica; 409 si algún usuario activo tiene el rol."""
    rol = await _rol(session, id)
    en_uso = await session.scalar(
        select(func.count()).where(m.Usuario.rol_id == id, m.Usuario.vigente.is_(True))
    )
    if en_uso:
        raise Conflicto(
            f"el rol está asignado a {en_uso} usuario(s) activo(s): reasígnelos antes", {"usuarios": en_uso}
        )
    rol.vigente = False
    await identidad.guardar(session)
    return ok(None, "Rol eliminado correctamente")


# --- Módulos (menu entries) ------------------------------------------------------------------------


def _modulos_de(rol_id: str):
    return (
        select(m.Modulo)
        .options(joinedload(m.Modulo.padre))
        .join(m.ModuloRol, m.ModuloRol.modulo_id == m.Modulo.id)
        .where(m.ModuloRol.rol_id == rol_id, m.Modulo.vigente.is_(True))
        .order_by(m.Modulo.id)
    )


@router.get("/modulos/usuario", response_model=Respuesta[list[ModuloResponse]], responses=ERRORES)
async def mi_menu(usuario: UsuarioDep, session: SessionDep):
    """El menú del rol del usuario: sus módulos activos."""
    modulos = await session.scalars(_modulos_de(usuario.rol_id))
    return ok([_modulo_response(x) for x in modulos], "Módulos obtenidos correctamente")


@router.get("/modulos/rol/{id}", response_model=Respuesta[list[ModuloResponse]], responses=ERRORES)
async def menu_de_rol(id: RolPath, _: AdminDep, session: SessionDep):
    await _rol(session, id)
    modulos = await session.scalars(_modulos_de(id))
    return ok([_modulo_response(x) for x in modulos], "Módulos obtenidos correctamente")


@router.post("/modulos/sync", response_model=Respuesta[None], responses=ERRORES)
async def sincronizar_modulos(body: SyncModulosRequest, _: AdminDep, session: SessionDep):
    """El rol verá exactamente estos módulos y sus ancestros."""
    await _rol(session, body.rol_id, campo="rolId")
    await identidad.sincronizar_menu(session, body.rol_id, body.modulo_ids)
    await identidad.guardar(session)
    return ok(None, "Módulos sincronizados correctamente")


@router.get("/modulos", response_model=Respuesta[list[ModuloResponse]], responses=ERRORES)
async def listar_modulos(_: AdminDep, session: SessionDep):
    """Todos los módulos no eliminados, activos o no."""
    modulos = await session.scalars(
        select(m.Modulo)
        .options(joinedload(m.Modulo.padre))
        .where(m.Modulo.eliminado_en.is_(None))
        .order_by(m.Modulo.id)
    )
    return ok([_modulo_response(x) for x in modulos], "Módulos obtenidos correctamente")


@router.post("/modulos", status_code=201, response_model=Respuesta[ModuloResponse], responses=ERRORES)
async def crear_modulo(body: ModuloCrear, _: AdminDep, session: SessionDep):
    if body.modulo_padre_id is not None:
        await _modulo(session, body.modulo_padre_id, campo="moduloPadreId")
    datos = body.model_dump(exclude={"activo"})
    modulo = m.Modulo(**datos, vigente=body.activo)
    session.add(modulo)
    await identidad.guardar(session)
    return ok(_modulo_response(await _modulo(session, modulo.id)), "Módulo creado correctamente", 201)


@router.get("/modulos/{id}", response_model=Respuesta[ModuloResponse], responses=ERRORES)
async def obtener_modulo(id: Id, _: AdminDep, session: SessionDep):
    return ok(_modulo_response(await _modulo(session, id)), "Módulo obtenido correctamente")


@router.put("/modulos/{id}", response_model=Respuesta[ModuloResponse], responses=ERRORES)
async def editar_modulo(id: Id, body: ModuloCambios, _: AdminDep, session: SessionDep):
    """Cambio parcial; `moduloPadreId: null` lo deja en el primer nivel."""
    modulo = await _modulo(session, id)
    cambios = body.model_dump(exclude_unset=True)
    padre = cambios.get("modulo_padre_id")
    if padre is not None:
        await _modulo(session, padre, campo="moduloPadreId")
        if id in identidad.ancestros(await identidad.padres_de_modulos(session), padre):
            raise DatosInvalidos(
                "un módulo no puede colgar de sí mismo ni de un descendiente", {"campo": "moduloPadreId"}
            )
    if "activo" in cambios:
        cambios["vigente"] = cambios.pop("activo")
    for campo, valor in cambios.items():
        setattr(modulo, campo, valor)
    await identidad.guardar(session)
    return ok(_modulo_response(await _modulo(session, id)), "Módulo actualizado correctamente")


@router.delete("/modulos/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_modulo(id: Id, _: AdminDep, session: SessionDep):
    """Baja lógica; 409 mientras tenga submódulos."""
    modulo = await _modulo(session, id)
    hijos = await session.scalar(
        select(func.count()).where(m.Modulo.modulo_padre_id == id, m.Modulo.eliminado_en.is_(None))
    )
    if hijos:
        raise Conflicto(
            f"el módulo tiene {hijos} submódulo(s): elimínelos o muévalos antes", {"hijos": hijos}
        )
    modulo.vigente = False
    modulo.eliminado_en = _ahora()
    await identidad.guardar(session)
    return ok(None, "Módulo eliminado correctamente")


# --- Usuarios --------------------------------------------------------------------------------------


@router.get("", response_model=Respuesta[list[UsuarioResponse]], responses=ERRORES)
async def listar_usuarios(_: AdminDep, session: SessionDep):
    """Todos los usuarios no eliminados, activos o no."""
    usuarios = await session.scalars(
        select(m.Usuario)
        .options(joinedload(m.Usuario.rol), joinedload(m.Usuario.empleado))
        .where(m.Usuario.eliminado_en.is_(None))
        .order_by(m.Usuario.id)
    )
    return ok([_usuario_response(u) for u in usuarios], "Usuarios obtenidos correctamente")


@router.post("", status_code=201, response_model=Respuesta[UsuarioResponse], responses=ERRORES)
async def crear_usuario(body: UsuarioCrear, _: AdminDep, session: SessionDep):
    """Crea una cuenta, vinculada opcionalmente a un empleado (uno por usuario)."""
    await _rol(session, body.id_rol, campo="idRol")
    if body.empleado_id is not None:
        await _empleado(session, body.empleado_id)
    usuario = m.Usuario(
        nombre=body.nombre,
        dni=body.dni,
        email=body.email,
        password_hash=await seguridad.hashear(body.password.get_secret_value()),
        rol_id=body.id_rol,
        empleado_id=body.empleado_id,
        vigente=body.activo,
    )
    session.add(usuario)
    await identidad.guardar(session)
    return ok(_usuario_response(await _usuario(session, usuario.id)), "Usuario creado correctamente", 201)


@router.get("/{id}", response_model=Respuesta[UsuarioResponse], responses=ERRORES)
async def obtener_usuario(id: Id, _: AdminDep, session: SessionDep):
    return ok(_usuario_response(await _usuario(session, id)), "Usuario obtenido correctamente")


@router.put("/{id}", response_model=Respuesta[UsuarioResponse], responses=ERRORES)
async def editar_usuario(id: Id, body: UsuarioCambios, _: AdminDep, session: SessionDep):
    """Cambio parcial: `activo` activa o desactiva (efecto inmediato en sus tokens), `empleadoId: null`
    lo desvincula, `password` la reemplaza (y anula sus tokens)."""
    usuario = await _usuario(session, id)
    cambios = body.model_dump(exclude_unset=True)
    if "id_rol" in cambios:
        await _rol(session, cambios["id_rol"], campo="idRol")
    elif cambios.get("activo") and not usuario.rol.vigente:
        raise Conflicto("su rol fue eliminado: asigne otro rol para activarlo", {"campo": "idRol"})
    if cambios.get("empleado_id") is not None:
        await _empleado(session, cambios["empleado_id"])
    if "password" in cambios:
        usuario.password_hash = await seguridad.hashear(body.password.get_secret_value())
    columnas = {"nombre": "nombre", "dni": "dni", "email": "email", "activo": "vigente"}
    columnas |= {"id_rol": "rol_id", "empleado_id": "empleado_id"}
    for campo, columna in columnas.items():
        if campo in cambios:
            setattr(usuario, columna, cambios[campo])
    await identidad.guardar(session, cuidar_admin=True)
    return ok(_usuario_response(await _usuario(session, id)), "Usuario actualizado correctamente")


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_usuario(id: Id, _: AdminDep, session: SessionDep):
    """Baja lógica: ya no entra ni actúa, desaparece de las listas y su empleado queda libre para
    otra cuenta. Su DNI, nombre y email siguen reservados."""
    usuario = await _usuario(session, id)
    usuario.vigente = False
    usuario.eliminado_en = _ahora()
    usuario.empleado_id = None
    await identidad.guardar(session, cuidar_admin=True)
    return ok(None, "Usuario eliminado correctamente")
