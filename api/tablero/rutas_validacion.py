"""`/tablero/validacion`: the work the technicians reported done (POR_VALIDAR) or sent for review
(REVISION), oldest change first, with what the technician did (the last historial entries for those who may
read the historial, the notes, the items) and the finalizar / observar / validar forms the rule allows."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from api.catalogo import servicio as catalogo
from api.comun.deps import SessionDep, UsuarioActual
from api.notas import servicio as notas
from api.seguimiento import servicio as seguimiento
from api.tablero import listas
from api.tablero.sesion import UsuarioTablero, exigir
from api.tablero.vistas import pagina
from domain import pantallas
from domain.enums import EstadoPendiente
from domain.permisos import Permiso

router = APIRouter(prefix="/tablero", include_in_schema=False)

RUTA = "/tablero/validacion"
POR_REVISAR = [EstadoPendiente.POR_VALIDAR, EstadoPendiente.REVISION]
ULTIMOS = 3


async def _lo_hecho(session: AsyncSession, usuario: UsuarioActual, tarjeta: listas.Tarjeta) -> None:
    pendiente_id = tarjeta.p.id
    historial = []
    if usuario.tiene(Permiso.VER_HISTORIAL):
        historial = (await seguimiento.historial_de(session, pendiente_id))[-ULTIMOS:]
    items = await catalogo.items_de(session, pendiente_id, usuario)
    tarjeta.extra = {
        "historial": list(reversed(historial)),
        "notas": len(await notas.de_pendiente(session, pendiente_id, usuario)),
        "n_items": len(items),
        "items_total": sum((i.costo_total for i in items), Decimal("0.00")),
    }


@router.get("/validacion")
async def validacion(request: Request, usuario: UsuarioTablero, session: SessionDep):
    exigir(usuario, *pantallas.POR_RUTA[RUTA].permisos)
    filtro, valores, aviso = listas.busqueda(request, estados=POR_REVISAR)
    lista, total = await listas.listar(session, usuario, filtro, "fechaModificacion,asc")
    tarjetas = await listas.tarjetas(session, usuario, lista)
    for tarjeta in tarjetas:
        await _lo_hecho(session, usuario, tarjeta)
    contexto = await listas.cola(request, session, RUTA, tarjetas, total, valores, aviso)
    return pagina(request, "validacion.html", usuario, **contexto)
