"""Registering a pendiente: shared by `POST /api/pendientes` and the board's Nuevo pendiente form, so both
check, key and start the workflow the same way (the body is CrearPendienteRequest in both)."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.comun.deps import UsuarioActual
from api.pendientes.comandos import Comandos, huella
from api.pendientes.esquemas import DETALLE_POR_TIPO, CrearPendienteRequest
from contrato.mensajes import DatosPendiente
from db import models as m
from domain.enums import EstadoPendiente, EstadoTecnico
from domain.errores import DatosInvalidos, NoEncontrado


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


def _consulta_vigentes():
    clientes, empleados = m.Cliente.__table__, m.Empleado.__table__
    cliente = exists().where(clientes.c.id == bindparam("cliente_id"), clientes.c.vigente.is_(True))
    empleado = exists().where(empleados.c.id == bindparam("empleado_id"), empleados.c.vigente.is_(True))
    return select(cliente, empleado)


_VIGENTES = _consulta_vigentes()


async def _vigentes(session: AsyncSession, cliente_id: int, empleado_id: int | None) -> tuple[bool, bool]:
    """Whether the client and the registering empleado exist and are live, in one round trip (the same
    rules as servicio.exigir_cliente_vigente and exigir_empleado_vigente, which each take one)."""
    fila = (await session.execute(_VIGENTES, {"cliente_id": cliente_id, "empleado_id": empleado_id})).one()
    return bool(fila[0]), bool(fila[1])


async def datos_creacion(
    session: AsyncSession, body: CrearPendienteRequest, usuario: UsuarioActual
) -> DatosPendiente:
    if body.estado not in (None, EstadoPendiente.REGISTRADO):
        raise DatosInvalidos("un pendiente nace REGISTRADO", {"campo": "estado"})
    if body.estado_tecnico not in (None, EstadoTecnico.OK):
        raise DatosInvalidos("un pendiente nace con estadoTecnico OK", {"campo": "estadoTecnico"})
    registrador = usuario.empleado_id or body.registrado_por_id
    cliente_vigente, registrador_vigente = await _vigentes(session, body.cliente_id, registrador)
    if not cliente_vigente:
        raise NoEncontrado(f"cliente {body.cliente_id} no encontrado", {"campo": "clienteId"})
    if registrador is None:
        raise DatosInvalidos(
            "su usuario no está vinculado a un empleado: indique registradoPorId",
            {"campo": "registradoPorId"},
        )
    if not registrador_vigente:
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


async def crear(
    session: AsyncSession,
    comandos: Comandos,
    body: CrearPendienteRequest,
    usuario: UsuarioActual,
    clave: str | None = None,
) -> int:
    """Check the body, start the pendiente's workflow (once per `clave`) and return its id."""
    datos = await datos_creacion(session, body, usuario)
    # The id is reserved in this session, which is committed then: its connection goes back to the pool
    # while the workflow works (a slow update must not starve it).
    cuerpo = huella(body.model_dump(mode="json"))
    return await comandos.crear_pendiente(datos, usuario.actor(), clave, cuerpo, session=session)
