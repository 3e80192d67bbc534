"""`/api/empleados`: staff records and job titles (cargos).

Any authenticated user may read them (dispatchers pick technicians from this list); writes need
ADMINISTRAR. As in the original, cargo writes use the singular `/cargo` and the list the plural `/cargos`."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from api.comun.deps import AdminDep, SessionDep, UsuarioDep
from api.comun.respuesta import Respuesta, ok
from api.comun.tipos import Id
from api.identidad.esquemas import (
    CargoCambios,
    CargoCrear,
    CargoResponse,
    EmpleadoCambios,
    EmpleadoCrear,
    EmpleadoResponse,
)
from db import identidad
from db import models as m
from domain.errores import Conflicto, NoEncontrado

router = APIRouter(prefix="/api/empleados", tags=["empleados"])

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta el permiso ADMINISTRAR"},
    404: {"model": Respuesta[dict], "description": "Id desconocido o eliminado"},
    409: {"model": Respuesta[dict], "description": "Duplicado o en uso"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
}


async def _empleado(session: SessionDep, empleado_id: int) -> m.Empleado:
    empleado = await session.scalar(
        select(m.Empleado)
        .options(joinedload(m.Empleado.cargo))
        .where(m.Empleado.id == empleado_id, m.Empleado.vigente.is_(True))
        .execution_options(populate_existing=True)
    )
    if empleado is None:
        raise NoEncontrado(f"empleado {empleado_id} no encontrado", {"id": empleado_id})
    return empleado


async def _cargo(session: SessionDep, cargo_id: int, campo: str = "id") -> m.Cargo:
    cargo = await session.get(m.Cargo, cargo_id)
    if cargo is None or not cargo.vigente:
        raise NoEncontrado(f"cargo {cargo_id} no encontrado", {"campo": campo})
    return cargo


def _empleado_response(empleado: m.Empleado) -> EmpleadoResponse:
    return EmpleadoResponse(
        id=empleado.id,
        nombre=empleado.nombre,
        apellido_paterno=empleado.apellido_paterno,
        apellido_materno=empleado.apellido_materno,
        telefono=empleado.telefono,
        correo=empleado.correo,
        cargo=empleado.cargo.nombre,
        cargo_id=empleado.cargo_id,
        fecha_ingreso=empleado.fecha_ingreso,
    )


def _cargo_response(cargo: m.Cargo) -> CargoResponse:
    return CargoResponse(id=cargo.id, nombre=cargo.nombre, descripcion=cargo.descripcion)


# --- Cargos ----------------------------------------------------------------------------------------


@router.get("/cargos", response_model=Respuesta[list[CargoResponse]], responses=ERRORES)
async def listar_cargos(_: UsuarioDep, session: SessionDep):
    cargos = await session.scalars(select(m.Cargo).where(m.Cargo.vigente.is_(True)).order_by(m.Cargo.id))
    return ok([_cargo_response(c) for c in cargos], "Cargos obtenidos correctamente")


@router.post("/cargo", status_code=201, response_model=Respuesta[CargoResponse], responses=ERRORES)
async def crear_cargo(body: CargoCrear, _: AdminDep, session: SessionDep):
    cargo = m.Cargo(nombre=body.nombre, descripcion=body.descripcion)
    session.add(cargo)
    await identidad.guardar(session)
    return ok(_cargo_response(cargo), "Cargo creado correctamente", 201)


@router.put("/cargo/{id}", response_model=Respuesta[CargoResponse], responses=ERRORES)
async def editar_cargo(id: Id, body: CargoCambios, _: AdminDep, session: SessionDep):
    cargo = await _cargo(session, id)
    for campo, valor in body.model_dump(exclude_unset=True).items():
        setattr(cargo, campo, valor)
    await identidad.guardar(session)
    return ok(_cargo_response(cargo), "Cargo actualizado correctamente")


@router.delete("/cargo/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_cargo(id: Id, _: AdminDep, session: SessionDep):
    """Baja lógica; 409 mientras algún empleado vigente lo tenga."""
    cargo = await _cargo(session, id)
    en_uso = await session.scalar(
        select(func.count()).where(m.Empleado.cargo_id == id, m.Empleado.vigente.is_(True))
    )
    if en_uso:
        raise Conflicto(f"el cargo lo tienen {en_uso} empleado(s): cámbielos antes", {"empleados": en_uso})
    cargo.vigente = False
    await identidad.guardar(session)
    return ok(None, "Cargo eliminado correctamente")


# --- Empleados -------------------------------------------------------------------------------------


@router.get("", response_model=Respuesta[list[EmpleadoResponse]], responses=ERRORES)
async def listar_empleados(_: UsuarioDep, session: SessionDep):
    empleados = await session.scalars(
        select(m.Empleado)
        .options(joinedload(m.Empleado.cargo))
        .where(m.Empleado.vigente.is_(True))
        .order_by(m.Empleado.id)
    )
    return ok([_empleado_response(e) for e in empleados], "Empleados obtenidos correctamente")


@router.post("", status_code=201, response_model=Respuesta[EmpleadoResponse], responses=ERRORES)
async def crear_empleado(body: EmpleadoCrear, _: AdminDep, session: SessionDep):
    await _cargo(session, body.cargo_id, campo="cargoId")
    empleado = m.Empleado(**body.model_dump())
    session.add(empleado)
    await identidad.guardar(session)
    return ok(_empleado_response(await _empleado(session, empleado.id)), "Empleado creado correctamente", 201)


@router.put("/{id}", response_model=Respuesta[EmpleadoResponse], responses=ERRORES)
async def editar_empleado(id: Id, body: EmpleadoCambios, _: AdminDep, session: SessionDep):
    """Cambio parcial: solo cambian los campos presentes; null borra un campo opcional."""
    empleado = await _empleado(session, id)
    cambios = body.model_dump(exclude_unset=True)
    if "cargo_id" in cambios:
        await _cargo(session, cambios["cargo_id"], campo="cargoId")
    for campo, valor in cambios.items():
        setattr(empleado, campo, valor)
    await identidad.guardar(session)
    return ok(_empleado_response(await _empleado(session, id)), "Empleado actualizado correctamente")


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_empleado(id: Id, _: AdminDep, session: SessionDep):
    """Baja lógica; 409 mientras un usuario esté vinculado a él (desvincúlelo o elimínelo antes)."""
    empleado = await _empleado(session, id)
    usuario = await session.scalar(
        select(m.Usuario.id).where(m.Usuario.empleado_id == id, m.Usuario.eliminado_en.is_(None))
    )
    if usuario is not None:
        raise Conflicto("el empleado está vinculado a un usuario: desvincúlelo antes", {"usuarioId": usuario})
    empleado.vigente = False
    await identidad.guardar(session)
    return ok(None, "Empleado eliminado correctamente")
