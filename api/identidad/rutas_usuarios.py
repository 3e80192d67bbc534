"""`/api/usuarios`: login accounts, roles (sets of permission names) and the menu módulos.

Reads of the caller's own account and menu need only a token; everything else needs ADMINISTRAR.
Static paths are declared before `/{id}` so they are never taken for an id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from api.comun.deps import AdminDep, SessionDep, SettingsDep, UsuarioDep
from api.comun.respuesta import Respuesta, ok
from api.comun.sesion import direccion_de, respuesta_frenada
from api.comun.tipos import Id
from api.identidad import servicio
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
from db import identidad
from db import models as m
from domain.errores import DatosInvalidos
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
    fila = await servicio.usuario(session, usuario.id)
    return ok(_usuario_response(fila), "Usuario obtenido correctamente")


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
    fila = await servicio.usuario_para_verificar(session, usuario.id)

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
    nueva = body.password_nueva.get_secret_value()
    await servicio.cambiar_password(session, fila, nueva, settings.hash_concurrencia)
    return ok(servicio.emitir_sesion(settings, fila), "Contraseña cambiada correctamente")


# --- Roles -----------------------------------------------------------------------------------------


@router.get("/roles", response_model=Respuesta[list[RolResponse]], responses=ERRORES)
async def listar_roles(_: AdminDep, session: SessionDep):
    roles = await servicio.roles(session)
    return ok([_rol_response(r) for r in roles], "Roles obtenidos correctamente")


@router.post("/roles", status_code=201, response_model=Respuesta[RolResponse], responses=ERRORES)
async def crear_rol(body: RolCrear, _: AdminDep, session: SessionDep):
    """Crea un rol: `id` es un slug elegido por el cliente e inmutable; `permisos` son nombres."""
    return ok(_rol_response(await servicio.crear_rol(session, body)), "Rol creado correctamente", 201)


@router.put("/roles/{id}", response_model=Respuesta[RolResponse], responses=ERRORES)
async def editar_rol(id: RolPath, body: RolCambios, _: AdminDep, session: SessionDep):
    """Cambia nombre, descripción y permisos (efecto inmediato en los tokens de sus usuarios).
    El id no cambia: un `id` distinto en el cuerpo es un 422."""
    rol = await servicio.editar_rol(session, id, body.model_dump(exclude_unset=True))
    return ok(_rol_response(rol), "Rol actualizado correctamente")


@router.delete("/roles/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_rol(id: RolPath, _: AdminDep, session: SessionDep):
    """Baja lógica; 409 si algún usuario activo tiene el rol."""
    await servicio.eliminar_rol(session, id)
    return ok(None, "Rol eliminado correctamente")


# --- Módulos (menu entries) ------------------------------------------------------------------------


@router.get("/modulos/usuario", response_model=Respuesta[list[ModuloResponse]], responses=ERRORES)
async def mi_menu(usuario: UsuarioDep, session: SessionDep):
    """El menú del rol del usuario: sus módulos activos."""
    modulos = await servicio.menu_de_rol(session, usuario.rol_id)
    return ok([_modulo_response(x) for x in modulos], "Módulos obtenidos correctamente")


@router.get("/modulos/rol/{id}", response_model=Respuesta[list[ModuloResponse]], responses=ERRORES)
async def menu_de_rol(id: RolPath, _: AdminDep, session: SessionDep):
    await servicio.rol(session, id)
    modulos = await servicio.menu_de_rol(session, id)
    return ok([_modulo_response(x) for x in modulos], "Módulos obtenidos correctamente")


@router.post("/modulos/sync", response_model=Respuesta[None], responses=ERRORES)
async def sincronizar_modulos(body: SyncModulosRequest, _: AdminDep, session: SessionDep):
    """El rol verá exactamente estos módulos y sus ancestros."""
    await servicio.sincronizar_menu(session, body.rol_id, body.modulo_ids)
    return ok(None, "Módulos sincronizados correctamente")


@router.get("/modulos", response_model=Respuesta[list[ModuloResponse]], responses=ERRORES)
async def listar_modulos(_: AdminDep, session: SessionDep):
    """Todos los módulos no eliminados, activos o no."""
    modulos = await servicio.modulos(session)
    return ok([_modulo_response(x) for x in modulos], "Módulos obtenidos correctamente")


@router.post("/modulos", status_code=201, response_model=Respuesta[ModuloResponse], responses=ERRORES)
async def crear_modulo(body: ModuloCrear, _: AdminDep, session: SessionDep):
    modulo = await servicio.crear_modulo(session, body)
    return ok(_modulo_response(modulo), "Módulo creado correctamente", 201)


@router.get("/modulos/{id}", response_model=Respuesta[ModuloResponse], responses=ERRORES)
async def obtener_modulo(id: Id, _: AdminDep, session: SessionDep):
    return ok(_modulo_response(await servicio.modulo(session, id)), "Módulo obtenido correctamente")


@router.put("/modulos/{id}", response_model=Respuesta[ModuloResponse], responses=ERRORES)
async def editar_modulo(id: Id, body: ModuloCambios, _: AdminDep, session: SessionDep):
    """Cambio parcial; `moduloPadreId: null` lo deja en el primer nivel."""
    modulo = await servicio.editar_modulo(session, id, body.model_dump(exclude_unset=True))
    return ok(_modulo_response(modulo), "Módulo actualizado correctamente")


@router.delete("/modulos/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_modulo(id: Id, _: AdminDep, session: SessionDep):
    """Baja lógica; 409 mientras tenga submódulos."""
    await servicio.eliminar_modulo(session, id)
    return ok(None, "Módulo eliminado correctamente")


# --- Usuarios --------------------------------------------------------------------------------------


@router.get("", response_model=Respuesta[list[UsuarioResponse]], responses=ERRORES)
async def listar_usuarios(_: AdminDep, session: SessionDep):
    """Todos los usuarios no eliminados, activos o no."""
    usuarios = await servicio.usuarios(session)
    return ok([_usuario_response(u) for u in usuarios], "Usuarios obtenidos correctamente")


@router.post("", status_code=201, response_model=Respuesta[UsuarioResponse], responses=ERRORES)
async def crear_usuario(body: UsuarioCrear, _: AdminDep, session: SessionDep):
    """Crea una cuenta, vinculada opcionalmente a un empleado (uno por usuario)."""
    usuario = await servicio.crear_usuario(session, body)
    return ok(_usuario_response(usuario), "Usuario creado correctamente", 201)


@router.get("/{id}", response_model=Respuesta[UsuarioResponse], responses=ERRORES)
async def obtener_usuario(id: Id, _: AdminDep, session: SessionDep):
    return ok(_usuario_response(await servicio.usuario(session, id)), "Usuario obtenido correctamente")


@router.put("/{id}", response_model=Respuesta[UsuarioResponse], responses=ERRORES)
async def editar_usuario(id: Id, body: UsuarioCambios, _: AdminDep, session: SessionDep):
    """Cambio parcial: `activo` activa o desactiva (efecto inmediato en sus tokens), `empleadoId: null`
    lo desvincula, `password` la reemplaza (y anula sus tokens)."""
    usuario = await servicio.editar_usuario(session, id, body.model_dump(exclude_unset=True))
    return ok(_usuario_response(usuario), "Usuario actualizado correctamente")


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_usuario(id: Id, _: AdminDep, session: SessionDep):
    """Baja lógica: ya no entra ni actúa, desaparece de las listas y su empleado queda libre para
    otra cuenta. Su DNI, nombre y email siguen reservados."""
    await servicio.eliminar_usuario(session, id)
    return ok(None, "Usuario eliminado correctamente")
