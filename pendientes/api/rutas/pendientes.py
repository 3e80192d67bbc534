"""`/api/pendientes`: create (atomically with its workflow) and read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path
from pydantic import ValidationError
from sqlalchemy import select

from pendientes.api.consultas import leer_pendiente
from pendientes.api.deps import ComandosDep, SessionDep, UsuarioActual, UsuarioDep, requiere
from pendientes.api.esquemas import DETALLE_POR_TIPO, CrearPendienteRequest, PendienteResponse
from pendientes.api.respuesta import Respuesta, ok
from pendientes.comandos import huella
from pendientes.db import models as m
from pendientes.domain.enums import EstadoPendiente, EstadoTecnico
from pendientes.domain.permisos import Permiso
from pendientes.errores import DatosInvalidos, NoEncontrado
from pendientes.workflows.mensajes import DatosPendiente

router = APIRouter(prefix="/api/pendientes", tags=["pendientes"])

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta un permiso"},
    404: {"model": Respuesta[dict], "description": "Id desconocido"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
    503: {"model": Respuesta[dict], "description": "Postgres o Temporal no disponibles"},
}

IdPendiente = Annotated[int, Path(gt=0, le=2**63 - 1, description="Id del pendiente")]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="Reintentos con la misma clave no duplican"),
]


def _detalle(body: CrearPendienteRequest) -> dict[str, object] | None:
    """Validate the inline detail against the type's own request; errors name `detalle.<campo>`.
    A type whose detail has no fields (cameras) gets its marker row without asking."""
    esquema = DETALLE_POR_TIPO[body.tipo]
    if body.detalle is None and esquema.model_fields:
        return None
    try:
        detalle = esquema.model_validate(body.detalle or {})
    except ValidationError as error:
        primero = error.errors()[0]
        campo = "detalle." + ".".join(str(p) for p in primero["loc"])
        raise DatosInvalidos(f"dato inválido en '{campo}': {primero['msg']}", {"campo": campo}) from None
    return detalle.model_dump(mode="json")


async def _datos_creacion(
    session: SessionDep, body: CrearPendienteRequest, usuario: UsuarioActual
) -> DatosPendiente:
    if body.estado not in (None, EstadoPendiente.REGISTRADO):
        raise DatosInvalidos("un pendiente nace REGISTRADO", {"campo": "estado"})
    if body.estado_tecnico not in (None, EstadoTecnico.OK):
        raise DatosInvalidos("un pendiente nace con estadoTecnico OK", {"campo": "estadoTecnico"})
    cliente = await session.get(m.Cliente, body.cliente_id)
    if cliente is None or not cliente.vigente:
        raise NoEncontrado(f"cliente {body.cliente_id} no encontrado", {"campo": "clienteId"})
    registrador = usuario.empleado_id or body.registrado_por_id
    if registrador is None:
        raise DatosInvalidos(
            "su usuario no está vinculado a un empleado: indique registradoPorId",
            {"campo": "registradoPorId"},
        )
    activo = await session.scalar(
        select(m.Empleado.id).where(m.Empleado.id == registrador, m.Empleado.vigente.is_(True))
    )
    if activo is None:
        raise NoEncontrado(f"empleado {registrador} no encontrado", {"campo": "registradoPorId"})
    return DatosPendiente(
        cliente_id=body.cliente_id,
        registrado_por=registrador,
        tipo=body.tipo,
        lugar=body.lugar,
        prioridad=body.prioridad,
        empresa=body.empresa,
        direccion=body.direccion,
        fecha_pendiente=body.fecha_pendiente,
        detalle=_detalle(body),
    )


@router.post("", status_code=201, response_model=Respuesta[PendienteResponse], responses=ERRORES)
async def crear_pendiente(
    body: CrearPendienteRequest,
    session: SessionDep,
    comandos: ComandosDep,
    usuario: Annotated[UsuarioActual, requiere(Permiso.REGISTRAR_PENDIENTE)],
    idempotency_key: IdempotencyKey = None,
):
    """Registra un pendiente (REGISTRADO, estadoTecnico OK) con su detalle y arranca su flujo durable."""
    datos = await _datos_creacion(session, body, usuario)
    pendiente_id = await comandos.crear_pendiente(
        datos, usuario.actor(), idempotency_key, huella(body.model_dump(mode="json"))
    )
    return ok(await leer_pendiente(session, pendiente_id, usuario), "Pendiente registrado correctamente", 201)


@router.get("/{id}", response_model=Respuesta[PendienteResponse], responses=ERRORES)
async def obtener_pendiente(id: IdPendiente, session: SessionDep, usuario: UsuarioDep):
    """Un pendiente por id (VER_TODOS, o VER_DETALLE si lo registró o lo tiene asignado)."""
    return ok(await leer_pendiente(session, id, usuario), "Pendiente obtenido correctamente")
