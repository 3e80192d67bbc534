"""`/api/reportes/sla`: how the resolution deadlines (domain/sla.py) were kept.

For the pendientes created between two Lima days (inclusive): per tipo, lugar and technician, how many
were resolved (FINALIZADO) and how many of those within their deadline, the median and p90 of the time
that counted against it, and how many are still open past it. Whoever sees every pendiente
(VER_TODOS) may read it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from api.comun.deps import SessionDep, UsuarioActual, requiere
from api.comun.http import ERRORES
from api.comun.respuesta import Respuesta, ok
from api.comun.tipos import Dia
from api.reportes import servicio
from api.reportes.esquemas import ReporteSla
from domain.errores import DatosInvalidos
from domain.permisos import Permiso
from domain.zona import LIMA

router = APIRouter(prefix="/api/reportes", tags=["reportes"])

DIAS_POR_DEFECTO = 30
DIAS_MAXIMOS = 366
Lector = Annotated[UsuarioActual, requiere(Permiso.VER_TODOS)]


@router.get("/sla", response_model=Respuesta[ReporteSla], responses=ERRORES)
async def reporte_sla(
    _: Lector,
    session: SessionDep,
    desde: Annotated[Dia | None, Query(description="Creados desde este día (Lima), inclusive")] = None,
    hasta: Annotated[Dia | None, Query(description="Creados hasta este día (Lima), inclusive")] = None,
):
    """Sin fechas: los últimos 30 días, hoy incluido. Un rango de más de 366 días es un 422."""

    hasta = hasta or datetime.now(LIMA).date()
    desde = desde or hasta - timedelta(days=DIAS_POR_DEFECTO - 1)
    if desde > hasta:
        raise DatosInvalidos("'hasta' es anterior a 'desde'", {"campo": "hasta"})
    if (hasta - desde).days >= DIAS_MAXIMOS:
        raise DatosInvalidos(f"el rango no puede pasar de {DIAS_MAXIMOS} días", {"campo": "desde"})
    return ok(await servicio.reporte_sla(session, desde, hasta), "Reporte de SLA obtenido correctamente")
