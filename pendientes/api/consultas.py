"""Reads served from Postgres (never from workflow queries: lists must work without a worker)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from pendientes.api.deps import UsuarioActual
from pendientes.api.esquemas import DetalleResponse, PendienteResponse
from pendientes.db import models as m
from pendientes.db.lectura import detalle_de
from pendientes.domain.permisos import Permiso
from pendientes.errores import NoEncontrado, SinPermiso
from pendientes.seguridad import Cifrador

PASSWORD_OCULTA = "********"

_registrador = aliased(m.Empleado)
_tecnico = aliased(m.Empleado)


def _nombre(empleado: m.Empleado | None) -> str | None:
    if empleado is None:
        return None
    return " ".join(p for p in (empleado.nombre, empleado.apellido_paterno) if p)


def puede_ver(usuario: UsuarioActual, fila: m.Pendiente) -> bool:
    """VER_TODOS sees everything; VER_DETALLE sees what the caller registered or is assigned to."""
    if usuario.tiene(Permiso.VER_TODOS):
        return True
    propio = usuario.empleado_id is not None and usuario.empleado_id in (fila.registrado_por, fila.asignado_a)
    return usuario.tiene(Permiso.VER_DETALLE) and propio


def _no_visible() -> SinPermiso:
    return SinPermiso(
        "solo puede ver sus propios pendientes (VER_DETALLE) o todos (VER_TODOS)",
        {"permisos": [Permiso.VER_TODOS, Permiso.VER_DETALLE]},
    )


async def pendiente_visible(session: AsyncSession, pendiente_id: int, usuario: UsuarioActual) -> m.Pendiente:
    """The live row, if it exists and the caller may see it (404 / 403 otherwise)."""
    fila = await session.get(m.Pendiente, pendiente_id, populate_existing=True)
    if fila is None or not fila.vigente:
        raise NoEncontrado(f"pendiente {pendiente_id} no encontrado", {"id": pendiente_id})
    if not puede_ver(usuario, fila):
        raise _no_visible()
    return fila


def _puede_ver_password(usuario: UsuarioActual, fila: m.Pendiente) -> bool:
    asignado = usuario.empleado_id is not None and usuario.empleado_id == fila.asignado_a
    return usuario.tiene(Permiso.CONFIGURAR_PPPOE) or asignado


async def leer_detalle(
    session: AsyncSession, fila: m.Pendiente, usuario: UsuarioActual, cifrador: Cifrador
) -> DetalleResponse:
    detalle = await detalle_de(session, fila)
    if detalle is None:
        raise NoEncontrado(f"el pendiente {fila.id} no tiene detalle de {fila.tipo}", {"id": fila.id})
    propios = set(DetalleResponse.model_fields) - {"id", "pendiente_id", "tipo", "ppoe", "ppoe_password"}
    campos = {c: getattr(detalle, c) for c in propios if hasattr(detalle, c)}
    cifrada = getattr(detalle, "pppoe_password_cifrado", None)
    password = None
    if cifrada:
        password = cifrador.descifrar(cifrada) if _puede_ver_password(usuario, fila) else PASSWORD_OCULTA
    return DetalleResponse(
        **campos,
        id=fila.id,
        pendiente_id=fila.id,
        tipo=fila.tipo,
        ppoe=getattr(detalle, "pppoe_usuario", None),
        ppoe_password=password,
    )


async def leer_pendiente(
    session: AsyncSession, pendiente_id: int, usuario: UsuarioActual
) -> PendienteResponse:
    fila = await session.execute(
        select(m.Pendiente, m.Cliente, _registrador, _tecnico)
        .join(m.Cliente, m.Cliente.id == m.Pendiente.cliente_id)
        .join(_registrador, _registrador.id == m.Pendiente.registrado_por)
        .outerjoin(_tecnico, _tecnico.id == m.Pendiente.asignado_a)
        .where(m.Pendiente.id == pendiente_id, m.Pendiente.vigente.is_(True))
    )
    encontrado = fila.first()
    if encontrado is None:
        raise NoEncontrado(f"pendiente {pendiente_id} no encontrado", {"id": pendiente_id})
    pendiente, cliente, registrador, tecnico = encontrado
    if not puede_ver(usuario, pendiente):
        raise _no_visible()
    return PendienteResponse(
        id=pendiente.id,
        fecha_creacion=pendiente.fecha_creacion,
        fecha_pendiente=pendiente.fecha_pendiente,
        id_empleado_registro=pendiente.registrado_por,
        registrado_por=_nombre(registrador),
        id_empleado_asignado=pendiente.asignado_a,
        asignado_a=_nombre(tecnico),
        estado=pendiente.estado,
        estado_tecnico=pendiente.estado_tecnico,
        empresa=pendiente.empresa,
        lugar=pendiente.lugar,
        prioridad=pendiente.prioridad,
        tipo=pendiente.tipo,
        direccion=pendiente.direccion,
        id_cliente=cliente.id,
        cliente=cliente.nombre,
        cod_cliente=cliente.codigo_cliente,
        celular_cliente=cliente.telefono,
        vencido=pendiente.vencido,
        version=pendiente.seq,
    )
