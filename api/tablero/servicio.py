"""The board's own reads: what its pickers offer (technicians, labels). The pendientes themselves come
from api/pendientes/servicio.py, with the API's visibility rule."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import any_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from domain.permisos import Permiso


@dataclass(frozen=True)
class Opcion:
    id: int
    nombre: str


async def tecnicos(session: AsyncSession) -> list[Opcion]:
    """Active employees whose active user may do field work (EJECUTAR_TRABAJO), by name."""
    filas = await session.execute(
        select(m.Empleado.id, m.Empleado.nombre, m.Empleado.apellido_paterno)
        .join(m.Usuario, m.Usuario.empleado_id == m.Empleado.id)
        .join(m.Rol, m.Rol.id == m.Usuario.rol_id)
        .where(
            m.Empleado.vigente.is_(True),
            m.Usuario.vigente.is_(True),
            m.Rol.vigente.is_(True),
            Permiso.EJECUTAR_TRABAJO.value == any_(m.Rol.permisos),
        )
        .order_by(m.Empleado.nombre, m.Empleado.apellido_paterno)
    )
    return [Opcion(i, " ".join(p for p in (n, a) if p)) for i, n, a in filas.all()]
