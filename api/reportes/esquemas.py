"""The SLA report's answer."""

from __future__ import annotations

from datetime import date

from api.comun.tipos import Camel


class FilaSla(Camel):
    """One group of the pendientes created in the range (all of them, one tipo, one lugar or one
    technician). Times are SLA clock hours: what counted against the deadline (not the days it was
    postponed nor waiting for validation)."""

    clave: str
    # The technician's name (porTecnico only); null for the pendientes nobody is assigned.
    nombre: str | None = None
    creados: int
    resueltos: int
    resueltos_en_plazo: int
    # resueltosEnPlazo / resueltos in %, null when none was resolved.
    porcentaje_en_plazo: float | None
    mediana_horas: float | None
    p90_horas: float | None
    abiertos: int
    incumplidos_abiertos: int


class ReporteSla(Camel):
    desde: date
    hasta: date
    total: FilaSla
    por_tipo: list[FilaSla]
    por_lugar: list[FilaSla]
    por_tecnico: list[FilaSla]
