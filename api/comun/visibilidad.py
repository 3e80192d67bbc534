"""The rule of domain/visibilidad.py applied to the caller: the per-row check (with its 403) and the SQL
filter of a list, both derived from the same `Alcance`, so a list never shows a row that its detail
refuses, nor hides one it would show."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from api.comun.deps import UsuarioActual
from db import models as m
from domain.errores import NoEncontrado, SinPermiso
from domain.visibilidad import ALCANCES, Recurso, Vinculo, vinculos_con_pendiente


def _identidad(usuario: UsuarioActual, vinculo: Vinculo) -> int | None:
    """The id a row's column must hold for the link to exist: a notification is addressed to a user,
    everything else is linked to the caller's employee."""
    return usuario.id if vinculo is Vinculo.DESTINATARIO else usuario.empleado_id


def vinculos(
    usuario: UsuarioActual,
    *,
    registrado_por: int | None = None,
    asignado_a: int | None = None,
    autor: int | None = None,
    destinatario: int | None = None,
) -> set[Vinculo]:
    """The links between the caller and a row, from the row's columns."""
    encontrados = vinculos_con_pendiente(usuario.empleado_id, registrado_por, asignado_a)
    if usuario.empleado_id is not None and autor == usuario.empleado_id:
        encontrados.add(Vinculo.AUTORIA)
    if destinatario is not None and destinatario == usuario.id:
        encontrados.add(Vinculo.DESTINATARIO)
    return encontrados


def puede(usuario: UsuarioActual, recurso: Recurso, enlaces: set[Vinculo]) -> bool:
    return ALCANCES[recurso].alcanza(usuario.permisos, enlaces)


def exigir(
    usuario: UsuarioActual, recurso: Recurso, enlaces: set[Vinculo], datos: dict[str, Any] | None = None
) -> None:
    """403 naming the permissions that would reach the row, unless the caller reaches it."""
    alcance = ALCANCES[recurso]
    if not alcance.alcanza(usuario.permisos, enlaces):
        raise SinPermiso(alcance.explicacion, {"permisos": alcance.permisos_que_alcanzan(), **(datos or {})})


def filtro(
    usuario: UsuarioActual, recurso: Recurso, columnas: Mapping[Vinculo, ColumnElement[Any]]
) -> ColumnElement[bool]:
    """SQL form of `puede`: the rows whose columns link them to the caller as the rule requires.
    `columnas` maps each link the query can express to its column; a link it cannot express reaches
    nothing, so a query never shows more than the rule allows."""
    requisitos = ALCANCES[recurso].vinculos_suficientes(usuario.permisos)
    if requisitos is None:
        return true()
    condiciones = []
    for requisito in requisitos:
        if any(v not in columnas or _identidad(usuario, v) is None for v in requisito):
            continue
        condiciones.append(and_(*(columnas[v] == _identidad(usuario, v) for v in sorted(requisito))))
    return or_(*condiciones) if condiciones else false()


def ve_pendiente(usuario: UsuarioActual, fila: m.Pendiente) -> bool:
    """Per-row form of the pendiente rule, for lists filtered in Python."""
    enlaces = vinculos(usuario, registrado_por=fila.registrado_por, asignado_a=fila.asignado_a)
    return puede(usuario, Recurso.PENDIENTE, enlaces)


async def pendiente_visible(
    session: AsyncSession, pendiente_id: int, usuario: UsuarioActual, campo: str | None = None
) -> m.Pendiente:
    """The live row, if it exists and the caller may see it (404 / 403 otherwise): the fetch every
    feature hanging from a pendiente (notas, pagos, productos, historial, tiempos) starts with. `campo`:
    the body field that named the id (`pendienteId`), so the 404 points at it."""
    fila = await session.get(m.Pendiente, pendiente_id, populate_existing=True)
    _exigir_vigente_y_visible(fila, pendiente_id, usuario, campo)
    return fila


def _exigir_vigente_y_visible(
    fila: Any, pendiente_id: int, usuario: UsuarioActual, campo: str | None
) -> None:
    if fila is None or not fila.vigente:
        datos = {"campo": campo, "id": pendiente_id} if campo else {"id": pendiente_id}
        raise NoEncontrado(f"pendiente {pendiente_id} no encontrado", datos)
    enlaces = vinculos(usuario, registrado_por=fila.registrado_por, asignado_a=fila.asignado_a)
    exigir(usuario, Recurso.PENDIENTE, enlaces)


# Only what the pendiente rule reads, as plain columns: the check before an action builds no ORM object.
_VINCULOS_PENDIENTE = select(
    m.Pendiente.__table__.c.vigente,
    m.Pendiente.__table__.c.registrado_por,
    m.Pendiente.__table__.c.asignado_a,
).where(m.Pendiente.__table__.c.id == bindparam("pendiente_id"))


async def exigir_pendiente_visible(session: AsyncSession, pendiente_id: int, usuario: UsuarioActual) -> None:
    """`pendiente_visible`'s 404 / 403 without loading the row (an action reads it again afterwards)."""
    fila = (await session.execute(_VINCULOS_PENDIENTE, {"pendiente_id": pendiente_id})).first()
    _exigir_vigente_y_visible(fila, pendiente_id, usuario, None)
