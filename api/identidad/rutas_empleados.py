"""`/api/empleados`: staff records and job titles (cargos).

Any authenticated user may read them (dispatchers pick technicians from this list); writes need
ADMINISTRAR. As in the original, cargo writes use the singular `/cargo` and the list the plural `/cargos`."""

from __future__ import annotations

from fastapi import APIRouter

from api.comun.deps import AdminDep, SessionDep, UsuarioDep
from api.comun.respuesta import Respuesta, ok
from api.comun.tipos import Id
from api.identidad import servicio
from api.identidad.esquemas import (
    CargoCambios,
    CargoCrear,
    CargoResponse,
    EmpleadoCambios,
    EmpleadoCrear,
    EmpleadoResponse,
)
from db import models as m

router = APIRouter(prefix="/api/empleados", tags=["empleados"])

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta el permiso ADMINISTRAR"},
    404: {"model": Respuesta[dict], "description": "Id desconocido o eliminado"},
    409: {"model": Respuesta[dict], "description": "Duplicado o en uso"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
}


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
    cargos = await servicio.cargos(session)
    return ok([_cargo_response(c) for c in cargos], "Cargos obtenidos correctamente")


@router.post("/cargo", status_code=201, response_model=Respuesta[CargoResponse], responses=ERRORES)
async def crear_cargo(body: CargoCrear, _: AdminDep, session: SessionDep):
    cargo = await servicio.crear_cargo(session, body)
    return ok(_cargo_response(cargo), "Cargo creado correctamente", 201)


@router.put("/cargo/{id}", response_model=Respuesta[CargoResponse], responses=ERRORES)
async def editar_cargo(id: Id, body: CargoCambios, _: AdminDep, session: SessionDep):
    cargo = await servicio.editar_cargo(session, id, body.model_dump(exclude_unset=True))
    return ok(_cargo_response(cargo), "Cargo actualizado correctamente")


@router.delete("/cargo/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_cargo(id: Id, _: AdminDep, session: SessionDep):
    """Baja lógica; 409 mientras algún empleado vigente lo tenga."""
    await servicio.eliminar_cargo(session, id)
    return ok(None, "Cargo eliminado correctamente")


# --- Empleados -------------------------------------------------------------------------------------


@router.get("", response_model=Respuesta[list[EmpleadoResponse]], responses=ERRORES)
async def listar_empleados(_: UsuarioDep, session: SessionDep):
    empleados = await servicio.empleados(session)
    return ok([_empleado_response(e) for e in empleados], "Empleados obtenidos correctamente")


@router.post("", status_code=201, response_model=Respuesta[EmpleadoResponse], responses=ERRORES)
async def crear_empleado(body: EmpleadoCrear, _: AdminDep, session: SessionDep):
    empleado = await servicio.crear_empleado(session, body)
    return ok(_empleado_response(empleado), "Empleado creado correctamente", 201)


@router.put("/{id}", response_model=Respuesta[EmpleadoResponse], responses=ERRORES)
async def editar_empleado(id: Id, body: EmpleadoCambios, _: AdminDep, session: SessionDep):
    """Cambio parcial: solo cambian los campos presentes; null borra un campo opcional."""
    empleado = await servicio.editar_empleado(session, id, body.model_dump(exclude_unset=True))
    return ok(_empleado_response(empleado), "Empleado actualizado correctamente")


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_empleado(id: Id, _: AdminDep, session: SessionDep):
    """Baja lógica; 409 mientras un usuario esté vinculado a él (desvincúlelo o elimínelo antes)."""
    await servicio.eliminar_empleado(session, id)
    return ok(None, "Empleado eliminado correctamente")
