"""The rule of domain/cierre.py applied to a pendiente's row: what a closed pendiente still accepts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.comun.deps import UsuarioActual
from db import models as m
from domain import cierre
from domain.acciones import Situacion


async def exigir_admite(
    session: AsyncSession, pendiente: m.Pendiente, anexo: cierre.Anexo, usuario: UsuarioActual
) -> None:
    """409 unless the pendiente accepts `anexo` now. The row is share-locked until commit, so a
    concurrent cancelar or finalizar (which updates it) waits for us, or we see it closed: nothing
    slips into a pendiente that no longer accepts it."""
    await session.refresh(pendiente, with_for_update={"read": True})
    situacion = Situacion(
        estado=pendiente.estado,
        estado_tecnico=pendiente.estado_tecnico,
        tipo=pendiente.tipo,
        asignado_a=pendiente.asignado_a,
    )
    cierre.exigir_admite(anexo, situacion, pendiente.seq, usuario.actor().a_dominio())
