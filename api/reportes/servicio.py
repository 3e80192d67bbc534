"""The SLA report's SQL: one pass over the pendientes created in the range, grouped four ways."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.reportes.esquemas import FilaSla, ReporteSla
from db import models as m
from domain.enums import EstadoPendiente
from domain.zona import LIMA

TODOS = "TOTAL"
SIN_TECNICO = "SIN_TECNICO"
_P = m.Pendiente
_RESUELTO = _P.estado == EstadoPendiente.FINALIZADO
_ABIERTO = _P.estado.not_in([EstadoPendiente.FINALIZADO, EstadoPendiente.CANCELADO])


def _horas(segundos: Any) -> float | None:
    return None if segundos is None else round(float(segundos) / 3600, 2)


def _percentil(fraccion: float) -> Any:
    return func.percentile_cont(fraccion).within_group(_P.sla_consumido_seg).filter(_RESUELTO)


def _consulta(desde: date, hasta: date) -> Any:
    inicio = datetime.combine(desde, time.min, LIMA)
    fin = datetime.combine(hasta + timedelta(days=1), time.min, LIMA)
    grupo = func.grouping(_P.tipo, _P.lugar, _P.asignado_a)
    return (
        select(
            _P.tipo,
            _P.lugar,
            _P.asignado_a,
            grupo.label("grupo"),
            func.count().label("creados"),
            func.count().filter(_RESUELTO).label("resueltos"),
            func.count().filter(_RESUELTO, _P.sla_consumido_seg <= _P.sla_plazo_seg).label("en_plazo"),
            _percentil(0.5).label("mediana"),
            _percentil(0.9).label("p90"),
            func.count().filter(_ABIERTO).label("abiertos"),
            func.count().filter(_ABIERTO, _P.estado_sla == "INCUMPLIDO").label("incumplidos"),
        )
        .where(
            _P.vigente.is_(True),
            _P.sla_plazo_seg.is_not(None),
            _P.fecha_creacion >= inicio,
            _P.fecha_creacion < fin,
        )
        .group_by(func.grouping_sets(literal_column("()"), _P.tipo, _P.lugar, _P.asignado_a))
    )


def _fila(clave: str, f: Any, nombre: str | None = None) -> FilaSla:
    porcentaje = round(100 * f.en_plazo / f.resueltos, 1) if f.resueltos else None
    return FilaSla(
        clave=clave,
        nombre=nombre,
        creados=f.creados,
        resueltos=f.resueltos,
        resueltos_en_plazo=f.en_plazo,
        porcentaje_en_plazo=porcentaje,
        mediana_horas=_horas(f.mediana),
        p90_horas=_horas(f.p90),
        abiertos=f.abiertos,
        incumplidos_abiertos=f.incumplidos,
    )


async def _nombres(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    filas = await session.execute(select(m.Empleado.id, m.Empleado.nombre).where(m.Empleado.id.in_(ids)))
    return dict(filas.all())


async def reporte_sla(session: AsyncSession, desde: date, hasta: date) -> ReporteSla:
    filas = (await session.execute(_consulta(desde, hasta))).all()
    # GROUPING(tipo, lugar, asignado_a) is a bit mask of the columns NOT grouped by: 7 = the total,
    # 3 = by tipo, 5 = by lugar, 6 = by technician.
    por_grupo: dict[int, list[Any]] = {}
    for fila in filas:
        por_grupo.setdefault(fila.grupo, []).append(fila)
    tecnicos = {f.asignado_a for f in por_grupo.get(6, []) if f.asignado_a is not None}
    nombres = await _nombres(session, tecnicos)
    total = por_grupo.get(7)
    vacio = FilaSla(
        clave=TODOS,
        creados=0,
        resueltos=0,
        resueltos_en_plazo=0,
        porcentaje_en_plazo=None,
        mediana_horas=None,
        p90_horas=None,
        abiertos=0,
        incumplidos_abiertos=0,
    )
    return ReporteSla(
        desde=desde,
        hasta=hasta,
        total=_fila(TODOS, total[0]) if total else vacio,
        por_tipo=sorted((_fila(str(f.tipo), f) for f in por_grupo.get(3, [])), key=lambda r: r.clave),
        por_lugar=sorted((_fila(str(f.lugar), f) for f in por_grupo.get(5, [])), key=lambda r: r.clave),
        por_tecnico=sorted(
            (
                _fila(str(f.asignado_a or SIN_TECNICO), f, nombres.get(f.asignado_a))
                for f in por_grupo.get(6, [])
            ),
            key=lambda r: (r.nombre is None, r.nombre or "", r.clave),
        ),
    )
